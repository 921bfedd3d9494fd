package storetest

import (
	"testing"
	"time"

	"lantern"
)

func testIncident(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testIncidentRoundTrip(t, open) })
	t.Run("Replace", func(t *testing.T) { t.Parallel(); testIncidentReplace(t, open) })
	t.Run("Invalid", func(t *testing.T) { t.Parallel(); testIncidentInvalid(t, open) })
	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		_, err := s.FindIncidentByID(t.Context(), "I2")
		wantCode(t, err, lantern.ENOTFOUND)
	})
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		must(t, open(t).UpsertIncidents(t.Context()))
	})
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindIncidents(t, open) })
}

func testIncidentRoundTrip(t *testing.T, open Opener) {
	tests := []struct {
		name     string
		incident *lantern.Incident
	}{
		{"Open", &lantern.Incident{ID: "I1", Type: lantern.IncidentDomesticAbuse, Status: lantern.StatusOpen, OpenedAt: fine(base()), Area: "north"}},
		{"Closed", &lantern.Incident{ID: "I2", Type: lantern.IncidentBurglary, Status: lantern.StatusClosed, OpenedAt: fine(hour(1)), ClosedAt: ptr(fine(hour(30))), Area: "south"}},
		{"ClosedAtOpening", closedIncident("I3", hour(2), hour(2))},
		{"ClosedWithStatusAt", &lantern.Incident{ID: "I6", Type: lantern.IncidentTheft, Status: lantern.StatusClosed, OpenedAt: base(), ClosedAt: ptr(fine(hour(4))), StatusAt: fine(hour(4))}},
		{"Reopened", reopenedIncident("I7", fine(base()), fine(hour(50)))},
		{"RequiredFieldsOnly", newIncident("I4")},
		{"LinksIgnored", func() *lantern.Incident {
			i := newIncident("I5")
			// Links are written by AddInvolvements and AddAssignments only.
			i.Involvements = []*lantern.Involvement{{IncidentID: "I5", PersonID: "P1", Part: lantern.PartVictim, At: base()}}
			i.Assignments = []*lantern.Assignment{{IncidentID: "I5", StaffID: "S1", Kind: lantern.AssignmentAssigned, At: base()}}
			return i
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			want := normIncident(tt.incident)
			want.Involvements, want.Assignments = nil, nil
			must(t, s.UpsertIncidents(t.Context(), tt.incident))

			got, err := s.FindIncidentByID(t.Context(), want.ID)
			must(t, err)
			sameIncident(t, got, want)
			if !tt.incident.UpdatedAt.Equal(got.UpdatedAt) {
				t.Errorf("UpsertIncidents set UpdatedAt %s, stored %s", tt.incident.UpdatedAt, got.UpdatedAt)
			}

			list, n, err := s.FindIncidents(t.Context(), lantern.IncidentFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("FindIncidents: %d incidents, total %d; want 1, 1", len(list), n)
			}
			sameIncident(t, list[0], want)
		})
	}
}

func testIncidentReplace(t *testing.T, open Opener) {
	s := open(t)
	must(t, s.UpsertIncidents(t.Context(),
		&lantern.Incident{ID: "I1", Type: lantern.IncidentTheft, Status: lantern.StatusOpen, OpenedAt: base(), Area: "north"},
		newIncident("I2"),
	))
	repl := closedIncident("I1", hour(-1), hour(5))
	must(t, s.UpsertIncidents(t.Context(), repl))
	sameIncident(t, mustFindIncident(t, s, "I1"), repl)
	sameIncident(t, mustFindIncident(t, s, "I2"), newIncident("I2"))

	// Reopening, after the closing, clears ClosedAt.
	reopened := reopenedIncident("I1", hour(-1), hour(6))
	must(t, s.UpsertIncidents(t.Context(), reopened))
	sameIncident(t, mustFindIncident(t, s, "I1"), reopened)
}

func testIncidentInvalid(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*lantern.Incident)
		field  string
	}{
		{"EmptyID", func(i *lantern.Incident) { i.ID = "" }, "id"},
		{"TypeNotToken", func(i *lantern.Incident) { i.Type = "Theft" }, "type"},
		{"UnknownStatus", func(i *lantern.Incident) { i.Status = "pending" }, "status"},
		{"NoOpenedAt", func(i *lantern.Incident) { i.OpenedAt = time.Time{} }, "opened_at"},
		{"ClosedWithoutClosedAt", func(i *lantern.Incident) { i.Status = lantern.StatusClosed }, "closed_at"},
		{"OpenWithClosedAt", func(i *lantern.Incident) { i.ClosedAt = ptr(hour(1)) }, "closed_at"},
		{"ClosedBeforeOpened", func(i *lantern.Incident) {
			i.Status, i.ClosedAt = lantern.StatusClosed, ptr(i.OpenedAt.Add(-time.Second))
		}, "closed_at"},
		{"StatusBeforeOpened", func(i *lantern.Incident) { i.StatusAt = i.OpenedAt.Add(-time.Microsecond) }, "status_at"},
		{"StatusAtIsNotClosedAt", func(i *lantern.Incident) {
			i.Status, i.ClosedAt, i.StatusAt = lantern.StatusClosed, ptr(hour(1)), hour(2)
		}, "status_at"},
	}
	// A rejected batch must leave the store as it was, so the cases share one.
	s := open(t)
	before := newIncident("I0")
	must(t, s.UpsertIncidents(t.Context(), before))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := newIncident("I3")
			tt.change(bad)
			err := s.UpsertIncidents(t.Context(), newIncident("I1"), closedIncident("I0", base(), hour(1)), bad)
			wantInvalid(t, err, tt.field)

			list, n, err := s.FindIncidents(t.Context(), lantern.IncidentFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("after a rejected batch: %q total %d, want only I0", incidentIDs(list), n)
			}
			sameIncident(t, list[0], before)
			// Nor was the closing in the rejected batch recorded in the history.
			isOpen, err := s.IncidentOpenAt(t.Context(), "I0", hour(2))
			must(t, err)
			if !isOpen {
				t.Error("I0 closed by a rejected batch")
			}
		})
	}
}

func testFindIncidents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	if _, n, err := s.FindIncidents(ctx, lantern.IncidentFilter{}); err != nil || n != 0 {
		t.Fatalf("empty store: total %d, error %v", n, err)
	}
	must(t, s.UpsertStaff(ctx, newStaff("S1"), newStaff("S2"), newStaff("S3")))
	must(t, s.UpsertPersons(ctx, newPerson("P1"), newPerson("P2"), newPerson("P3")))
	i4 := newIncident("I4")
	i4.Type = lantern.IncidentDomesticAbuse
	must(t, s.UpsertIncidents(ctx,
		newIncident("I1"),
		closedIncident("I2", base(), hour(1)),
		&lantern.Incident{ID: "I3", Type: lantern.IncidentTheft, Status: lantern.StatusClosed, OpenedAt: base(), ClosedAt: ptr(hour(2))},
		i4,
	))
	must(t, s.AddInvolvements(ctx,
		&lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: lantern.PartVictim, At: base()},
		&lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: lantern.PartWitness, At: base()},
		&lantern.Involvement{IncidentID: "I3", PersonID: "P1", Part: lantern.PartWitness, At: base()},
		&lantern.Involvement{IncidentID: "I3", PersonID: "P2", Part: lantern.PartSuspect, At: base()},
	))
	must(t, s.AddAssignments(ctx,
		&lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: lantern.AssignmentAssigned, At: base()},
		&lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: lantern.AssignmentAttended, At: base()},
		&lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: lantern.AssignmentAttended, At: hour(1)},
		&lantern.Assignment{IncidentID: "I2", StaffID: "S1", Kind: lantern.AssignmentAttended, At: base()},
		&lantern.Assignment{IncidentID: "I4", StaffID: "S2", Kind: lantern.AssignmentAssigned, At: base()},
	))

	tests := []struct {
		name   string
		filter lantern.IncidentFilter
		want   []string
		total  int
	}{
		{"All", lantern.IncidentFilter{}, []string{"I1", "I2", "I3", "I4"}, 4},
		{"ID", lantern.IncidentFilter{ID: ptr("I2")}, []string{"I2"}, 1},
		{"Type", lantern.IncidentFilter{Type: ptr(lantern.IncidentTheft)}, []string{"I1", "I3"}, 2},
		{"Status", lantern.IncidentFilter{Status: ptr(lantern.StatusClosed)}, []string{"I2", "I3"}, 2},
		{"Person", lantern.IncidentFilter{PersonID: ptr("P1")}, []string{"I1", "I3"}, 2},
		{"OtherPerson", lantern.IncidentFilter{PersonID: ptr("P2")}, []string{"I3"}, 1},
		{"UninvolvedPerson", lantern.IncidentFilter{PersonID: ptr("P3")}, []string{}, 0},
		{"Staff", lantern.IncidentFilter{StaffID: ptr("S1")}, []string{"I1", "I2"}, 2},
		{"OtherStaff", lantern.IncidentFilter{StaffID: ptr("S2")}, []string{"I4"}, 1},
		{"UnassignedStaff", lantern.IncidentFilter{StaffID: ptr("S3")}, []string{}, 0},
		{"TypeAndStatus", lantern.IncidentFilter{Type: ptr(lantern.IncidentTheft), Status: ptr(lantern.StatusOpen)}, []string{"I1"}, 1},
		{"PersonAndStaff", lantern.IncidentFilter{PersonID: ptr("P1"), StaffID: ptr("S1")}, []string{"I1"}, 1},
		{"PersonAndStatus", lantern.IncidentFilter{PersonID: ptr("P1"), Status: ptr(lantern.StatusClosed)}, []string{"I3"}, 1},
		{"Limit", lantern.IncidentFilter{Limit: 1}, []string{"I1"}, 4},
		{"Offset", lantern.IncidentFilter{Offset: 3}, []string{"I4"}, 4},
		{"StaffAndPage", lantern.IncidentFilter{StaffID: ptr("S1"), Offset: 1, Limit: 1}, []string{"I2"}, 2},
		{"OffsetPastEnd", lantern.IncidentFilter{PersonID: ptr("P1"), Offset: 2}, []string{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, n, err := s.FindIncidents(ctx, tt.filter)
			must(t, err)
			sameIDs(t, "FindIncidents", incidentIDs(list), tt.want)
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
			for _, inc := range list {
				if inc.Involvements != nil || inc.Assignments != nil {
					t.Errorf("FindIncidents filled the links of %s", inc.ID)
				}
			}
		})
	}
	for _, f := range []lantern.IncidentFilter{{Offset: -1}, {Limit: -1}} {
		_, _, err := s.FindIncidents(ctx, f)
		wantCode(t, err, lantern.EINVALID)
	}
}
