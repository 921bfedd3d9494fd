package storetest

import (
	"strings"
	"testing"
	"time"

	"lantern"
)

func testStaff(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testStaffRoundTrip(t, open) })
	t.Run("Replace", func(t *testing.T) { t.Parallel(); testStaffReplace(t, open) })
	t.Run("Invalid", func(t *testing.T) { t.Parallel(); testStaffInvalid(t, open) })
	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertStaff(t.Context(), newStaff("S1")))
		_, err := s.FindStaffByID(t.Context(), "S2")
		wantCode(t, err, lantern.ENOTFOUND)
		wantNoID(t, err, "S2")
	})
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		must(t, open(t).UpsertStaff(t.Context()))
	})
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindStaff(t, open) })
}

func testStaffRoundTrip(t *testing.T, open Opener) {
	tests := []struct {
		name  string
		staff *lantern.Staff
	}{
		{"AllFields", fullStaff("S1")},
		{"RequiredFieldsOnly", newStaff("S2")},
		{"Before1970", func() *lantern.Staff {
			s := newStaff("S3")
			s.StartDate = time.Date(1965, time.July, 1, 6, 0, 0, 999, time.UTC)
			return s
		}()},
		{"LatestInstant", func() *lantern.Staff {
			s := newStaff("S4")
			s.LeftDate = ptr(time.Date(2199, time.December, 31, 23, 59, 59, 999999999, time.UTC))
			return s
		}()},
		{"UnicodeID", newStaff("Ø-ñ-警察 7")},
		{"LongestID", newStaff(strings.Repeat("x", lantern.MaxIDLen))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			want := normStaff(tt.staff)
			must(t, s.UpsertStaff(t.Context(), tt.staff))

			got, err := s.FindStaffByID(t.Context(), want.ID)
			must(t, err)
			sameStaff(t, got, want)
			if !tt.staff.UpdatedAt.Equal(got.UpdatedAt) {
				t.Errorf("UpsertStaff set UpdatedAt %s, stored %s", tt.staff.UpdatedAt, got.UpdatedAt)
			}

			list, n, err := s.FindStaff(t.Context(), lantern.StaffFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("FindStaff: %d staff, total %d; want 1, 1", len(list), n)
			}
			sameStaff(t, list[0], want)
		})
	}
}

func testStaffReplace(t *testing.T, open Opener) {
	t.Run("LaterCall", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertStaff(t.Context(), fullStaff("S1"), newStaff("S2")))
		repl := newStaff("S1")
		repl.Role = lantern.RoleDetective
		repl.Team = "CID"
		must(t, s.UpsertStaff(t.Context(), repl))

		got, err := s.FindStaffByID(t.Context(), "S1")
		must(t, err)
		sameStaff(t, got, repl)
		_, n, err := s.FindStaff(t.Context(), lantern.StaffFilter{})
		must(t, err)
		if n != 2 {
			t.Errorf("total = %d, want 2", n)
		}
	})
	t.Run("SameBatch", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		last := fullStaff("S1")
		must(t, s.UpsertStaff(t.Context(), newStaff("S1"), last))
		got, err := s.FindStaffByID(t.Context(), "S1")
		must(t, err)
		sameStaff(t, got, last)
	})
}

func testStaffInvalid(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*lantern.Staff)
		field  string
	}{
		{"EmptyID", func(s *lantern.Staff) { s.ID = "" }, "id"},
		{"LongID", func(s *lantern.Staff) { s.ID = strings.Repeat("x", lantern.MaxIDLen+1) }, "id"},
		{"ControlInID", func(s *lantern.Staff) { s.ID = "S\n3" }, "id"},
		{"UnknownCategory", func(s *lantern.Staff) { s.Category = "contractor" }, "category"},
		{"RoleNotToken", func(s *lantern.Staff) { s.Role = "Response Team" }, "role"},
		{"TeamSpaces", func(s *lantern.Staff) { s.Team = " A " }, "team"},
		{"UnknownGender", func(s *lantern.Staff) { s.Gender = "" }, "gender"},
		{"NoStartDate", func(s *lantern.Staff) { s.StartDate = time.Time{} }, "start_date"},
		{"StartDateTooEarly", func(s *lantern.Staff) { s.StartDate = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC) }, "start_date"},
		{"LeftBeforeStart", func(s *lantern.Staff) { s.LeftDate = ptr(s.StartDate.Add(-time.Microsecond)) }, "left_date"},
	}
	// A rejected batch must leave the store as it was, so the cases share one.
	s := open(t)
	before := newStaff("S0")
	must(t, s.UpsertStaff(t.Context(), before))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := newStaff("S3")
			tt.change(bad)
			changed := fullStaff("S0")
			err := s.UpsertStaff(t.Context(), newStaff("S1"), changed, bad, newStaff("S2"))
			wantInvalid(t, err, tt.field)

			// Nothing in the batch was written.
			list, n, err := s.FindStaff(t.Context(), lantern.StaffFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("after a rejected batch: %q total %d, want only S0", staffIDs(list), n)
			}
			sameStaff(t, list[0], before)
		})
	}
}

func testFindStaff(t *testing.T, open Opener) {
	s := open(t)
	seed := []*lantern.Staff{
		{ID: "b1", Role: lantern.RoleDetective, Team: "t2", Area: "north"},
		{ID: "A2", Role: lantern.RoleResponse, Team: "t2", Area: "south"},
		{ID: "C-1", Role: lantern.RolePCSO, Team: "t1", Area: "south"},
		{ID: "A1", Role: lantern.RoleResponse, Team: "t1", Area: "north"},
		{ID: "B1", Role: lantern.RoleDetective, Team: "t1", Area: "north"},
	}
	for _, st := range seed {
		st.Category, st.Gender, st.StartDate = lantern.CategoryOfficer, lantern.GenderMale, base()
	}
	if _, n, err := s.FindStaff(t.Context(), lantern.StaffFilter{}); err != nil || n != 0 {
		t.Fatalf("empty store: total %d, error %v", n, err)
	}
	must(t, s.UpsertStaff(t.Context(), seed...))

	// IDs are ordered byte-wise: upper case before lower case.
	all := []string{"A1", "A2", "B1", "C-1", "b1"}
	tests := []struct {
		name   string
		filter lantern.StaffFilter
		want   []string
		total  int
	}{
		{"All", lantern.StaffFilter{}, all, 5},
		{"ID", lantern.StaffFilter{ID: ptr("B1")}, []string{"B1"}, 1},
		{"IDIsCaseSensitive", lantern.StaffFilter{ID: ptr("a1")}, []string{}, 0},
		{"Role", lantern.StaffFilter{Role: ptr(lantern.RoleResponse)}, []string{"A1", "A2"}, 2},
		{"Team", lantern.StaffFilter{Team: ptr("t1")}, []string{"A1", "B1", "C-1"}, 3},
		{"Area", lantern.StaffFilter{Area: ptr("south")}, []string{"A2", "C-1"}, 2},
		{"RoleAndArea", lantern.StaffFilter{Role: ptr(lantern.RoleDetective), Area: ptr("north")}, []string{"B1", "b1"}, 2},
		{"AllFields", lantern.StaffFilter{ID: ptr("b1"), Role: ptr(lantern.RoleDetective), Team: ptr("t2"), Area: ptr("north")}, []string{"b1"}, 1},
		{"NoMatch", lantern.StaffFilter{Role: ptr(lantern.RoleCustody)}, []string{}, 0},
		{"Limit", lantern.StaffFilter{Limit: 2}, []string{"A1", "A2"}, 5},
		{"Offset", lantern.StaffFilter{Offset: 3}, []string{"C-1", "b1"}, 5},
		{"OffsetAndLimit", lantern.StaffFilter{Offset: 1, Limit: 2}, []string{"A2", "B1"}, 5},
		{"OffsetPastEnd", lantern.StaffFilter{Offset: 9}, []string{}, 5},
		{"LimitPastEnd", lantern.StaffFilter{Offset: 4, Limit: 9}, []string{"b1"}, 5},
		{"FilterAndPage", lantern.StaffFilter{Team: ptr("t1"), Offset: 1, Limit: 1}, []string{"B1"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, n, err := s.FindStaff(t.Context(), tt.filter)
			must(t, err)
			sameIDs(t, "FindStaff", staffIDs(list), tt.want)
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
		})
	}
	for _, f := range []lantern.StaffFilter{{Offset: -1}, {Limit: -1}} {
		_, _, err := s.FindStaff(t.Context(), f)
		wantCode(t, err, lantern.EINVALID)
	}
}
