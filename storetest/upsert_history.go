package storetest

import (
	"slices"
	"testing"
	"time"

	"lantern"
)

// testUpsertHistory checks the status history UpsertIncidents writes from
// each record's StatusAt, and that replaying records changes nothing.
func testUpsertHistory(t *testing.T, open Opener) {
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(3))))
		must(t, s.UpsertIncidents(t.Context(), reopenedIncident("I1", base(), hour(5))))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, hour(5))
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(4), false}, probe{hour(5), true})

		// Closed again later: ClosedAt and StatusAt move with it.
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(8))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(8)), hour(8))
		wantOpenAt(t, s, "I1", probe{hour(4), false}, probe{hour(7), true}, probe{hour(8), false})
	})
	t.Run("CreatedReopened", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		// First seen after a reopening at 5h: a closing at 3h is older.
		must(t, s.UpsertIncidents(t.Context(), reopenedIncident("I1", base(), hour(5))))
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(3))))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, hour(5))
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(3), false}, probe{hour(5), true})
	})
	t.Run("OpenWithoutStatusAtIsLate", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(3))))
		// An open record with no StatusAt dates from its opening, before the
		// closing: it is a late copy of the first record, not a reopening.
		late := newIncident("I1")
		late.Area = "east"
		must(t, s.UpsertIncidents(t.Context(), late))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(3)), hour(3))
		if got := mustFindIncident(t, s, "I1"); got.Area != "east" || got.Type != lantern.IncidentTheft {
			t.Errorf("late record: area %q type %q, want its other fields stored", got.Area, got.Type)
		}
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(3), false}, probe{hour(100), false})
	})
	t.Run("LateRecord", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(2))))
		must(t, s.UpsertIncidents(t.Context(), reopenedIncident("I1", base(), hour(4))))

		// A closing at 3h arrives after the reopening at 4h: the history
		// gains it, the current status does not, the other fields do.
		late := closedIncident("I1", base(), hour(3))
		late.Type, late.Area = lantern.IncidentBurglary, "west"
		must(t, s.UpsertIncidents(t.Context(), late))
		want := reopenedIncident("I1", base(), hour(4))
		want.Type, want.Area = lantern.IncidentBurglary, "west"
		sameIncident(t, mustFindIncident(t, s, "I1"), want)
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(2.5), false}, probe{hour(3.5), false}, probe{hour(4), true})

		// So is a reopening older than a closing set by SetIncidentStatus.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(6))))
		must(t, s.UpsertIncidents(t.Context(), reopenedIncident("I1", base(), hour(5))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(6)), hour(6))
		wantOpenAt(t, s, "I1", probe{hour(5.5), true}, probe{hour(6), false})
	})
	t.Run("SetIncidentStatusSetsStatusAt", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(2))))
		// The record the source sends next agrees with the change: nothing new.
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(2))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(2)), hour(2))
		// The first record, sent again, does not reopen it.
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(2)), hour(2))
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(2), false}, probe{hour(100), false})
	})
	t.Run("Replay", func(t *testing.T) { t.Parallel(); testUpsertReplay(t, open) })
}

// replaySequence is a day of incident records as a source might send them:
// openings, closings, reopenings dated by StatusAt, late records, repeats and
// changes at one instant.
func replaySequence() []*lantern.Incident {
	closedLate := closedIncident("I1", base(), hour(3))
	closedLate.Area = "south"
	return []*lantern.Incident{
		newIncident("I1"),
		closedIncident("I2", hour(1), hour(1)),
		closedIncident("I1", base(), hour(2)),
		reopenedIncident("I1", base(), fine(hour(4))),
		closedLate, // late: the reopening at 4h stands
		reopenedIncident("I2", hour(1), hour(2)),
		closedIncident("I1", base(), hour(6)),
		closedIncident("I1", base(), hour(6)),   // a repeat
		reopenedIncident("I1", base(), hour(6)), // reopened at the instant it closed
		reopenedIncident("I1", base(), hour(5)), // late
		closedIncident("I2", hour(1), hour(7)),
		newIncident("I3"),
	}
}

// history is what a store says about incidents: each as stored, UpdatedAt
// aside, and IncidentOpenAt around every instant of interest.
type history struct {
	incidents []*lantern.Incident
	open      map[string][]bool
}

// readHistory reads the history of ids from s, probing IncidentOpenAt at and
// a microsecond before each of instants.
func readHistory(t *testing.T, s lantern.Store, ids []string, instants []time.Time) history {
	t.Helper()
	h := history{open: map[string][]bool{}}
	for _, id := range ids {
		inc := mustFindIncident(t, s, id)
		inc.UpdatedAt = time.Time{}
		h.incidents = append(h.incidents, inc)
		for _, at := range instants {
			for _, d := range []time.Duration{-micro, 0} {
				open, err := s.IncidentOpenAt(t.Context(), id, norm(at).Add(d))
				must(t, err)
				h.open[id] = append(h.open[id], open)
			}
		}
	}
	return h
}

// sameHistory fails the test unless got and want agree.
func sameHistory(t *testing.T, what string, got, want history) {
	t.Helper()
	same(t, what+": incidents", got.incidents, want.incidents)
	for id, w := range want.open {
		if !slices.Equal(got.open[id], w) {
			t.Errorf("%s: IncidentOpenAt answers for %s:\ngot  %v\nwant %v", what, id, got.open[id], w)
		}
	}
}

func testUpsertReplay(t *testing.T, open Opener) {
	ids := []string{"I1", "I2", "I3"}
	// Every instant the sequence names, and one long after.
	instants := []time.Time{hour(0), hour(1), hour(2), hour(3), fine(hour(4)), hour(5), hour(6), hour(7), hour(100)}
	// Each call gets records of its own: upserts set UpdatedAt on them.
	oneByOne := func(s lantern.Store) {
		for _, inc := range replaySequence() {
			must(t, s.UpsertIncidents(t.Context(), inc))
		}
	}

	s := open(t)
	oneByOne(s)
	first := readHistory(t, s, ids, instants)

	// The answers the sequence was written to give.
	wantStatus(t, s, "I1", lantern.StatusOpen, nil, hour(6))
	wantStatus(t, s, "I2", lantern.StatusClosed, ptr(hour(7)), hour(7))
	wantStatus(t, s, "I3", lantern.StatusOpen, nil, base())
	wantOpenAt(t, s, "I1",
		probe{base(), true},
		probe{hour(2), false},
		probe{hour(3.5), false},
		probe{norm(fine(hour(4))), true},
		probe{hour(5.5), true},
		probe{hour(6), true}, // the reopening at 6h was recorded after the closing
	)
	wantOpenAt(t, s, "I2", probe{hour(1), false}, probe{hour(2), true}, probe{hour(7), false})

	// Replayed into the same store, record by record or in one batch, the
	// sequence changes nothing.
	oneByOne(s)
	sameHistory(t, "replayed one by one", readHistory(t, s, ids, instants), first)
	must(t, s.UpsertIncidents(t.Context(), replaySequence()...))
	sameHistory(t, "replayed as a batch", readHistory(t, s, ids, instants), first)

	// A fresh store given the sequence as one batch says the same.
	fresh := open(t)
	must(t, fresh.UpsertIncidents(t.Context(), replaySequence()...))
	sameHistory(t, "fresh store, one batch", readHistory(t, fresh, ids, instants), first)
}
