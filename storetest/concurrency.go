package storetest

import (
	"fmt"
	"sync"
	"testing"

	"lantern"
)

func testConcurrency(t *testing.T, open Opener) {
	const writers, each = 6, 20
	t.Run("DistinctRecords", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				if err := writeBatch(t, s, fmt.Sprintf("w%d-", w), each); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			})
			wg.Go(func() {
				if _, _, err := s.FindStaff(t.Context(), lantern.StaffFilter{Limit: 5}); err != nil {
					t.Errorf("reader %d: %v", w, err)
				}
			})
		}
		wg.Wait()
		wantTotals(t, s, writers*each)
	})
	t.Run("SameRecords", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				// Each writer visits the records in a different order, the
				// pattern that deadlocks a store locking rows as it goes.
				staff := make([]*lantern.Staff, each)
				for i := range each {
					staff[i] = newStaff(fmt.Sprintf("shared-%03d", (i+w*7)%each))
				}
				if err := s.UpsertStaff(t.Context(), staff...); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
				if err := writeBatch(t, s, "shared-", each); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			})
		}
		wg.Wait()
		wantTotals(t, s, each)
	})
	t.Run("Rejections", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		batches := make([][]*lantern.Rejection, writers)
		var wg sync.WaitGroup
		for w := range writers {
			batches[w] = make([]*lantern.Rejection, each)
			for i := range each {
				batches[w][i] = rejection(fmt.Sprintf("w%d.csv", w), "call", i+1)
			}
			wg.Go(func() {
				if err := s.AddRejections(t.Context(), batches[w]...); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			})
		}
		wg.Wait()
		// Every row got an ID of its own, ascending within its batch.
		seen := map[int64]bool{}
		for w, batch := range batches {
			for i, r := range batch {
				if seen[r.ID] || i > 0 && r.ID <= batch[i-1].ID {
					t.Fatalf("writer %d row %d: ID %d repeated or out of order", w, i, r.ID)
				}
				seen[r.ID] = true
			}
		}
		_, n, err := s.FindRejections(t.Context(), lantern.RejectionFilter{})
		must(t, err)
		if n != writers*each {
			t.Errorf("total = %d, want %d", n, writers*each)
		}
	})
}

// writeBatch writes n staff, people and incidents whose IDs start with prefix,
// links them and rosters the staff.
func writeBatch(t *testing.T, s lantern.Store, prefix string, n int) error {
	ctx := t.Context()
	var (
		staff        []*lantern.Staff
		persons      []*lantern.Person
		incidents    []*lantern.Incident
		involvements []*lantern.Involvement
		assignments  []*lantern.Assignment
		shifts       []*lantern.Shift
	)
	for i := range n {
		id := fmt.Sprintf("%s%03d", prefix, i)
		staff = append(staff, newStaff(id))
		persons = append(persons, &lantern.Person{ID: id, Gender: lantern.GenderMale, Flags: []string{lantern.FlagChild}, PhoneHashes: []string{id}})
		incidents = append(incidents, newIncident(id))
		involvements = append(involvements, involvement(id, id, lantern.PartVictim, hour(1)))
		assignments = append(assignments, assignment(id, id, lantern.AssignmentAttended, hour(1), nil))
		shifts = append(shifts, shift(id, lantern.ShiftDuty, hour(0), hour(8)))
	}
	if err := s.UpsertStaff(ctx, staff...); err != nil {
		return fmt.Errorf("UpsertStaff: %w", err)
	}
	if err := s.UpsertPersons(ctx, persons...); err != nil {
		return fmt.Errorf("UpsertPersons: %w", err)
	}
	if err := s.UpsertIncidents(ctx, incidents...); err != nil {
		return fmt.Errorf("UpsertIncidents: %w", err)
	}
	if err := s.AddInvolvements(ctx, involvements...); err != nil {
		return fmt.Errorf("AddInvolvements: %w", err)
	}
	if err := s.AddAssignments(ctx, assignments...); err != nil {
		return fmt.Errorf("AddAssignments: %w", err)
	}
	if err := s.AddShifts(ctx, shifts...); err != nil {
		return fmt.Errorf("AddShifts: %w", err)
	}
	return s.SetIncidentStatus(ctx, change(incidents[0].ID, lantern.StatusClosed, hour(2)))
}

// wantTotals checks that the store holds n records of each kind that
// writeBatch writes.
func wantTotals(t *testing.T, s lantern.Store, n int) {
	t.Helper()
	ctx := t.Context()
	_, staff, err := s.FindStaff(ctx, lantern.StaffFilter{})
	must(t, err)
	_, persons, err := s.FindPersons(ctx, lantern.PersonFilter{Flag: ptr(lantern.FlagChild)})
	must(t, err)
	_, incidents, err := s.FindIncidents(ctx, lantern.IncidentFilter{})
	must(t, err)
	_, shifts, err := s.FindShifts(ctx, lantern.ShiftFilter{})
	must(t, err)
	if staff != n || persons != n || incidents != n || shifts != n {
		t.Errorf("totals: %d staff, %d people, %d incidents, %d shifts; want %d of each", staff, persons, incidents, shifts, n)
	}
}
