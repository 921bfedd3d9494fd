package storetest

import (
	"testing"
	"time"

	"lantern"
)

func shift(staff, kind string, start, end time.Time) *lantern.Shift {
	return &lantern.Shift{StaffID: staff, Kind: kind, Start: start, End: end}
}

// sameShifts fails the test unless the store holds exactly want, in order.
func sameShifts(t *testing.T, s lantern.Store, want ...*lantern.Shift) {
	t.Helper()
	got, n, err := s.FindShifts(t.Context(), lantern.ShiftFilter{})
	must(t, err)
	if n != len(want) {
		t.Errorf("total = %d, want %d", n, len(want))
	}
	normed := []*lantern.Shift{}
	for _, sh := range want {
		c := *sh
		c.Start, c.End = norm(c.Start), norm(c.End)
		normed = append(normed, &c)
	}
	if got == nil {
		got = []*lantern.Shift{}
	}
	same(t, "shifts", got, normed)
}

func testRoster(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertStaff(t.Context(), newStaff("S1"), newStaff("S2")))
		sameShifts(t, s)
		must(t, s.AddShifts(t.Context(),
			shift("S2", lantern.ShiftDuty, fine(hour(0)), hour(8)),
			shift("S1", lantern.ShiftLeave, hour(24), hour(24*14)),
			shift("S1", lantern.ShiftDuty, hour(2), hour(26)),
			shift("S1", lantern.ShiftCourt, hour(2), fine(hour(6))),
		))
		// Ordered by staff, then start, then kind.
		sameShifts(t, s,
			shift("S1", lantern.ShiftCourt, hour(2), fine(hour(6))),
			shift("S1", lantern.ShiftDuty, hour(2), hour(26)),
			shift("S1", lantern.ShiftLeave, hour(24), hour(24*14)),
			shift("S2", lantern.ShiftDuty, fine(hour(0)), hour(8)),
		)
		must(t, s.AddShifts(t.Context()))
	})
	t.Run("SameKeyReplaces", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertStaff(t.Context(), newStaff("S1")))
		must(t, s.AddShifts(t.Context(), shift("S1", lantern.ShiftDuty, hour(0), hour(8))))
		must(t, s.AddShifts(t.Context(),
			shift("S1", lantern.ShiftDuty, hour(0), hour(12)),
			shift("S1", lantern.ShiftDuty, hour(0), hour(10)),
			shift("S1", lantern.ShiftSick, hour(0), hour(10)),
		))
		sameShifts(t, s,
			shift("S1", lantern.ShiftDuty, hour(0), hour(10)),
			shift("S1", lantern.ShiftSick, hour(0), hour(10)),
		)
	})

	t.Run("Rejected", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name string
			bad  *lantern.Shift
			code string
		}{
			{"UnknownStaff", shift("S9", lantern.ShiftDuty, hour(0), hour(8)), lantern.ENOTFOUND},
			{"UnknownKind", shift("S1", "rest", hour(0), hour(8)), lantern.EINVALID},
			{"EndAtStart", shift("S1", lantern.ShiftDuty, hour(8), hour(8)), lantern.EINVALID},
			{"EndBeforeStart", shift("S1", lantern.ShiftLeave, hour(8), hour(7)), lantern.EINVALID},
			{"DutyTooLong", shift("S1", lantern.ShiftDuty, hour(0), hour(24).Add(time.Microsecond)), lantern.EINVALID},
			{"NoStart", shift("S1", lantern.ShiftDuty, time.Time{}, hour(8)), lantern.EINVALID},
			{"NoStaff", shift("", lantern.ShiftDuty, hour(0), hour(8)), lantern.EINVALID},
		}
		// A rejected batch must leave the store as it was, so the cases share one.
		s := open(t)
		must(t, s.UpsertStaff(t.Context(), newStaff("S1")))
		before := shift("S1", lantern.ShiftDuty, hour(0), hour(8))
		must(t, s.AddShifts(t.Context(), before))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.AddShifts(t.Context(),
					shift("S1", lantern.ShiftDuty, hour(24), hour(32)),
					shift("S1", lantern.ShiftDuty, hour(0), hour(9)),
					tt.bad,
				)
				wantCode(t, err, tt.code)
				wantNoID(t, err, "S9")
				sameShifts(t, s, before)
			})
		}
	})
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindShifts(t, open) })
	t.Run("OnDuty", func(t *testing.T) { t.Parallel(); testOnDuty(t, open) })
}

func testFindShifts(t *testing.T, open Opener) {
	s := open(t)
	must(t, s.UpsertStaff(t.Context(), newStaff("S1"), newStaff("S2")))
	a := shift("S1", lantern.ShiftDuty, hour(0), hour(8))
	b := shift("S1", lantern.ShiftDuty, hour(24), hour(32))
	c := shift("S2", lantern.ShiftTraining, hour(4), hour(12))
	d := shift("S2", lantern.ShiftLeave, hour(48), hour(24*10))
	must(t, s.AddShifts(t.Context(), d, c, b, a))

	key := func(sh *lantern.Shift) string { return sh.StaffID + "/" + sh.Start.Format("2T15") }
	tests := []struct {
		name   string
		filter lantern.ShiftFilter
		want   []*lantern.Shift
		total  int
	}{
		{"All", lantern.ShiftFilter{}, []*lantern.Shift{a, b, c, d}, 4},
		{"Staff", lantern.ShiftFilter{StaffID: ptr("S2")}, []*lantern.Shift{c, d}, 2},
		{"UnknownStaff", lantern.ShiftFilter{StaffID: ptr("S9")}, nil, 0},
		{"RangeInsideShift", lantern.ShiftFilter{From: hour(1), To: hour(2)}, []*lantern.Shift{a}, 1},
		{"RangeOverlapsTwo", lantern.ShiftFilter{From: hour(6), To: hour(10)}, []*lantern.Shift{a, c}, 2},
		{"RangeCoversShift", lantern.ShiftFilter{From: hour(20), To: hour(40)}, []*lantern.Shift{b}, 1},
		{"EndIsExclusive", lantern.ShiftFilter{From: hour(8), To: hour(9)}, []*lantern.Shift{c}, 1},
		{"StartIsInclusive", lantern.ShiftFilter{From: hour(23), To: hour(24).Add(time.Microsecond)}, []*lantern.Shift{b}, 1},
		{"RangeEndsAtStart", lantern.ShiftFilter{From: hour(20), To: hour(24)}, nil, 0},
		{"FromOnly", lantern.ShiftFilter{From: hour(30)}, []*lantern.Shift{b, d}, 2},
		{"ToOnly", lantern.ShiftFilter{To: hour(4)}, []*lantern.Shift{a}, 1},
		{"StaffAndRange", lantern.ShiftFilter{StaffID: ptr("S2"), From: hour(0), To: hour(50)}, []*lantern.Shift{c, d}, 2},
		{"Limit", lantern.ShiftFilter{Limit: 3}, []*lantern.Shift{a, b, c}, 4},
		{"OffsetAndLimit", lantern.ShiftFilter{Offset: 1, Limit: 2}, []*lantern.Shift{b, c}, 4},
		{"RangeAndPage", lantern.ShiftFilter{From: hour(6), Offset: 2}, []*lantern.Shift{c, d}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := s.FindShifts(t.Context(), tt.filter)
			must(t, err)
			var gotKeys, wantKeys []string
			for _, sh := range got {
				gotKeys = append(gotKeys, key(sh))
			}
			for _, sh := range tt.want {
				wantKeys = append(wantKeys, key(sh))
			}
			sameIDs(t, "FindShifts", gotKeys, wantKeys)
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
		})
	}
	for _, f := range []lantern.ShiftFilter{{Offset: -1}, {Limit: -1}} {
		_, _, err := s.FindShifts(t.Context(), f)
		wantCode(t, err, lantern.EINVALID)
	}
}

func testOnDuty(t *testing.T, open Opener) {
	s := open(t)
	must(t, s.UpsertStaff(t.Context(), newStaff("S1"), newStaff("S2"), newStaff("S3"), newStaff("S4")))
	must(t, s.AddShifts(t.Context(),
		shift("S1", lantern.ShiftDuty, hour(0), hour(8)),
		shift("S1", lantern.ShiftTraining, hour(24), hour(32)),
		shift("S1", lantern.ShiftCourt, hour(48), hour(52)),
		shift("S1", lantern.ShiftLeave, hour(72), hour(24*7)),
		shift("S2", lantern.ShiftSick, hour(0), hour(24*3)),
		// S3 was rostered on duty but went sick for part of it.
		shift("S3", lantern.ShiftDuty, hour(0), hour(10)),
		shift("S3", lantern.ShiftSick, hour(4), hour(48)),
	))
	tests := []struct {
		name  string
		staff string
		at    time.Time
		want  bool
	}{
		{"BeforeDuty", "S1", hour(0).Add(-micro), false},
		{"DutyStart", "S1", hour(0), true},
		{"DutyMiddle", "S1", fine(hour(4)), true},
		{"DutyLastInstant", "S1", hour(8).Add(-micro), true},
		{"DutyEnd", "S1", hour(8), false},
		{"RestDay", "S1", hour(12), false},
		{"Training", "S1", hour(24), true},
		{"Court", "S1", hour(50), true},
		{"Leave", "S1", hour(80), false},
		{"Sick", "S2", hour(4), false},
		{"DutyBeforeSickness", "S3", hour(3), true},
		{"SickDuringDuty", "S3", hour(4), false},
		{"NoRoster", "S4", hour(4), false},
		{"UnknownStaff", "S9", hour(4), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.OnDuty(t.Context(), tt.staff, tt.at)
			must(t, err)
			if got != tt.want {
				t.Errorf("OnDuty(%s, %s) = %v, want %v", tt.staff, tt.at.Format(time.RFC3339Nano), got, tt.want)
			}
		})
	}
}
