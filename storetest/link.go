package storetest

import (
	"testing"
	"time"

	"lantern"
)

// openWithLinks returns a store holding incidents I1 and I2, people P1 and P2
// and staff S1 and S2, ready for links between them.
func openWithLinks(t *testing.T, open Opener) lantern.Store {
	t.Helper()
	s := open(t)
	must(t, s.UpsertIncidents(t.Context(), newIncident("I1"), newIncident("I2")))
	must(t, s.UpsertPersons(t.Context(), newPerson("P1"), newPerson("P2")))
	must(t, s.UpsertStaff(t.Context(), newStaff("S1"), newStaff("S2")))
	return s
}

func involvement(incident, person, part string, at time.Time) *lantern.Involvement {
	return &lantern.Involvement{IncidentID: incident, PersonID: person, Part: part, At: at}
}

func assignment(incident, staff, kind string, at time.Time, until *time.Time) *lantern.Assignment {
	return &lantern.Assignment{IncidentID: incident, StaffID: staff, Kind: kind, At: at, Until: until}
}

// sameLinks compares the links FindIncidentByID returns with want.
func sameLinks(t *testing.T, s lantern.Store, id string, involvements []*lantern.Involvement, assignments []*lantern.Assignment) {
	t.Helper()
	got := mustFindIncident(t, s, id)
	want := normIncident(&lantern.Incident{Involvements: involvements, Assignments: assignments})
	same(t, id+" involvements", got.Involvements, want.Involvements)
	same(t, id+" assignments", got.Assignments, want.Assignments)
}

func testInvolvement(t *testing.T, open Opener) {
	t.Run("AddAndFind", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		must(t, s.AddInvolvements(t.Context(),
			involvement("I1", "P2", lantern.PartVictim, hour(1)),
			involvement("I1", "P1", lantern.PartSuspect, fine(hour(2))),
			involvement("I1", "P1", lantern.PartWitness, hour(1)),
			involvement("I2", "P1", lantern.PartOther, hour(3)),
		))
		// Ordered by At, then person, then part.
		sameLinks(t, s, "I1", []*lantern.Involvement{
			involvement("I1", "P1", lantern.PartWitness, hour(1)),
			involvement("I1", "P2", lantern.PartVictim, hour(1)),
			involvement("I1", "P1", lantern.PartSuspect, fine(hour(2))),
		}, nil)
		sameLinks(t, s, "I2", []*lantern.Involvement{involvement("I2", "P1", lantern.PartOther, hour(3))}, nil)
	})
	t.Run("SameTwiceIsOne", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		first := involvement("I1", "P1", lantern.PartVictim, hour(1))
		must(t, s.AddInvolvements(t.Context(), first, involvement("I1", "P1", lantern.PartVictim, hour(2))))
		must(t, s.AddInvolvements(t.Context(), involvement("I1", "P1", lantern.PartVictim, hour(3))))
		// The first recording stands.
		sameLinks(t, s, "I1", []*lantern.Involvement{first}, nil)
	})
	t.Run("NoneIsNil", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		must(t, s.AddInvolvements(t.Context()))
		sameLinks(t, s, "I1", nil, nil)
	})

	t.Run("Rejected", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name string
			bad  *lantern.Involvement
			code string
		}{
			{"UnknownIncident", involvement("I9", "P1", lantern.PartVictim, hour(1)), lantern.ENOTFOUND},
			{"UnknownPerson", involvement("I1", "P9", lantern.PartVictim, hour(1)), lantern.ENOTFOUND},
			{"UnknownPart", involvement("I1", "P1", "bystander", hour(1)), lantern.EINVALID},
			{"NoPerson", involvement("I1", "", lantern.PartVictim, hour(1)), lantern.EINVALID},
			{"NoTime", involvement("I1", "P1", lantern.PartVictim, time.Time{}), lantern.EINVALID},
		}
		// A rejected batch must leave the store as it was, so the cases share one.
		s := openWithLinks(t, open)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.AddInvolvements(t.Context(),
					involvement("I1", "P1", lantern.PartWitness, hour(1)),
					involvement("I2", "P2", lantern.PartVictim, hour(1)),
					tt.bad,
				)
				wantCode(t, err, tt.code)
				wantNoID(t, err, "P9")
				sameLinks(t, s, "I1", nil, nil)
				sameLinks(t, s, "I2", nil, nil)
			})
		}
	})
}

func testAssignment(t *testing.T, open Opener) {
	t.Run("AddAndFind", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		must(t, s.AddAssignments(t.Context()))
		sameLinks(t, s, "I1", nil, nil)
		must(t, s.AddAssignments(t.Context(),
			assignment("I1", "S2", lantern.AssignmentAttended, hour(1), nil),
			assignment("I1", "S1", lantern.AssignmentAssigned, fine(hour(2)), ptr(fine(hour(9)))),
			assignment("I1", "S1", lantern.AssignmentAttended, hour(1), ptr(hour(1))),
			assignment("I2", "S1", lantern.AssignmentAssigned, hour(1), nil),
		))
		// Ordered by At, then staff, then kind.
		sameLinks(t, s, "I1", nil, []*lantern.Assignment{
			assignment("I1", "S1", lantern.AssignmentAttended, hour(1), ptr(hour(1))),
			assignment("I1", "S2", lantern.AssignmentAttended, hour(1), nil),
			assignment("I1", "S1", lantern.AssignmentAssigned, fine(hour(2)), ptr(fine(hour(9)))),
		})
		sameLinks(t, s, "I2", nil, []*lantern.Assignment{assignment("I2", "S1", lantern.AssignmentAssigned, hour(1), nil)})
	})
	t.Run("SameKeyReplacesUntil", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		must(t, s.AddAssignments(t.Context(), assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), nil)))
		must(t, s.AddAssignments(t.Context(), assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), ptr(hour(8)))))
		sameLinks(t, s, "I1", nil, []*lantern.Assignment{assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), ptr(hour(8)))})

		// A later recording without Until clears it; in one batch the last wins.
		must(t, s.AddAssignments(t.Context(),
			assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), ptr(hour(4))),
			assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), nil),
		))
		sameLinks(t, s, "I1", nil, []*lantern.Assignment{assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), nil)})
	})
	t.Run("OtherTimeIsAnother", func(t *testing.T) {
		t.Parallel()
		s := openWithLinks(t, open)
		must(t, s.AddAssignments(t.Context(), assignment("I1", "S1", lantern.AssignmentAttended, hour(1), ptr(hour(2)))))
		must(t, s.AddAssignments(t.Context(), assignment("I1", "S1", lantern.AssignmentAttended, hour(5), nil)))
		sameLinks(t, s, "I1", nil, []*lantern.Assignment{
			assignment("I1", "S1", lantern.AssignmentAttended, hour(1), ptr(hour(2))),
			assignment("I1", "S1", lantern.AssignmentAttended, hour(5), nil),
		})
	})

	t.Run("Rejected", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name string
			bad  *lantern.Assignment
			code string
		}{
			{"UnknownIncident", assignment("I9", "S1", lantern.AssignmentAssigned, hour(1), nil), lantern.ENOTFOUND},
			{"UnknownStaff", assignment("I1", "S9", lantern.AssignmentAssigned, hour(1), nil), lantern.ENOTFOUND},
			{"UnknownKind", assignment("I1", "S1", "supervised", hour(1), nil), lantern.EINVALID},
			{"NoStaff", assignment("I1", "", lantern.AssignmentAssigned, hour(1), nil), lantern.EINVALID},
			{"UntilBeforeAt", assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), ptr(hour(0.5))), lantern.EINVALID},
		}
		// A rejected batch must leave the store as it was, so the cases share one.
		s := openWithLinks(t, open)
		must(t, s.AddAssignments(t.Context(), assignment("I1", "S2", lantern.AssignmentAssigned, hour(1), nil)))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.AddAssignments(t.Context(),
					assignment("I1", "S1", lantern.AssignmentAssigned, hour(1), nil),
					assignment("I1", "S2", lantern.AssignmentAssigned, hour(1), ptr(hour(3))),
					assignment("I2", "S2", lantern.AssignmentAttended, hour(1), nil),
					tt.bad,
				)
				wantCode(t, err, tt.code)
				wantNoID(t, err, "S9")
				sameLinks(t, s, "I1", nil, []*lantern.Assignment{assignment("I1", "S2", lantern.AssignmentAssigned, hour(1), nil)})
				sameLinks(t, s, "I2", nil, nil)
			})
		}
	})
}
