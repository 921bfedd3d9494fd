package storetest

import (
	"testing"
	"time"

	"lantern"
)

// probe is one question to IncidentOpenAt and its answer.
type probe struct {
	at   time.Time
	open bool
}

// wantOpenAt checks IncidentOpenAt against each probe.
func wantOpenAt(t *testing.T, s lantern.Store, id string, probes ...probe) {
	t.Helper()
	for _, p := range probes {
		got, err := s.IncidentOpenAt(t.Context(), id, p.at)
		must(t, err)
		if got != p.open {
			t.Errorf("IncidentOpenAt(%s, %s) = %v, want %v", id, p.at.Format(time.RFC3339Nano), got, p.open)
		}
	}
}

// wantStatus checks an incident's current status, ClosedAt and StatusAt.
func wantStatus(t *testing.T, s lantern.Store, id, status string, closedAt *time.Time, statusAt time.Time) {
	t.Helper()
	inc := mustFindIncident(t, s, id)
	if inc.Status != status {
		t.Errorf("%s status = %q, want %q", id, inc.Status, status)
	}
	switch {
	case closedAt == nil && inc.ClosedAt != nil:
		t.Errorf("%s ClosedAt = %s, want none", id, inc.ClosedAt)
	case closedAt != nil && (inc.ClosedAt == nil || !inc.ClosedAt.Equal(norm(*closedAt))):
		t.Errorf("%s ClosedAt = %v, want %s", id, inc.ClosedAt, norm(*closedAt))
	}
	if !inc.StatusAt.Equal(norm(statusAt)) {
		t.Errorf("%s StatusAt = %s, want %s", id, inc.StatusAt, norm(statusAt))
	}
}

func change(id, status string, at time.Time) *lantern.StatusChange {
	return &lantern.StatusChange{IncidentID: id, Status: status, At: at}
}

const micro = time.Microsecond

func testStatusHistory(t *testing.T, open Opener) {
	t.Run("CreatedOpen", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		wantOpenAt(t, s, "I1",
			probe{hour(-1), false},
			probe{base().Add(-micro), false},
			probe{base(), true},
			probe{hour(1000), true},
		)
	})
	t.Run("CreatedClosed", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), fine(hour(3)))))
		wantOpenAt(t, s, "I1",
			probe{base().Add(-micro), false},
			probe{base(), true},
			probe{norm(fine(hour(3))).Add(-micro), true},
			probe{norm(fine(hour(3))), false},
			probe{hour(1000), false},
		)
	})
	t.Run("SetIncidentStatus", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))

		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, fine(hour(2)))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(fine(hour(2))), fine(hour(2)))

		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusOpen, hour(4))))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, hour(4))

		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(6))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(6)), hour(6))

		wantOpenAt(t, s, "I1",
			probe{base().Add(-micro), false},
			probe{hour(1), true},
			probe{norm(fine(hour(2))), false},
			probe{hour(3), false},
			probe{hour(4), true},
			probe{hour(5), true},
			probe{hour(6), false},
			probe{hour(100), false},
		)
	})
	t.Run("OlderChangeKeepsStatus", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(2))))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusOpen, hour(4))))

		// A closing at 3h arrives late: history only.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(3))))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, hour(4))
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(2.5), false}, probe{hour(3.5), false}, probe{hour(4), true})

		// So is a reopening at 5h, older than the closing at 6h.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(6))))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusOpen, hour(5))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(6)), hour(6))
		wantOpenAt(t, s, "I1", probe{hour(5.5), true}, probe{hour(6), false})
	})
	t.Run("SameStatusAgain", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(2))))
		// Closing a closed incident again is recorded but keeps the first ClosedAt.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(5))))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(hour(2)), hour(2))
		// The same change twice is harmless.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, hour(5))))
		wantOpenAt(t, s, "I1", probe{hour(1), true}, probe{hour(3), false}, probe{hour(6), false})
	})
	t.Run("SameInstantLastWins", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, base())))
		wantStatus(t, s, "I1", lantern.StatusClosed, ptr(base()), base())
		wantOpenAt(t, s, "I1", probe{base(), false}, probe{hour(1), false})
	})
	t.Run("SameInstantReapplied", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusClosed, base())))
		// Reopening at the same instant is not older than the latest change,
		// so it applies, and the history must agree with the current status.
		must(t, s.SetIncidentStatus(t.Context(), change("I1", lantern.StatusOpen, base())))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, base())
		wantOpenAt(t, s, "I1", probe{base(), true}, probe{hour(1), true})
	})
	t.Run("ByUpsert", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(3))))
		wantOpenAt(t, s, "I1", probe{hour(2), true}, probe{hour(3), false}, probe{hour(10), false})

		// An upsert that leaves the status alone adds nothing to the history.
		must(t, s.UpsertIncidents(t.Context(), closedIncident("I1", base(), hour(3))))
		wantOpenAt(t, s, "I1", probe{hour(10), false})

		// A reopening by upsert is dated by its StatusAt.
		must(t, s.UpsertIncidents(t.Context(), reopenedIncident("I1", base(), fine(hour(5)))))
		wantStatus(t, s, "I1", lantern.StatusOpen, nil, fine(hour(5)))
		wantOpenAt(t, s, "I1",
			probe{hour(4), false},
			probe{norm(fine(hour(5))).Add(-micro), false},
			probe{norm(fine(hour(5))), true},
			probe{hour(1000), true},
		)
	})
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertIncidents(t.Context(), newIncident("I1")))
		tests := []struct {
			name   string
			change *lantern.StatusChange
			code   string
		}{
			{"UnknownStatus", change("I1", "resolved", hour(1)), lantern.EINVALID},
			{"NoTime", change("I1", lantern.StatusClosed, time.Time{}), lantern.EINVALID},
			{"NoIncident", change("", lantern.StatusClosed, hour(1)), lantern.EINVALID},
			{"BeforeOpening", change("I1", lantern.StatusClosed, base().Add(-micro)), lantern.EINVALID},
			{"UnknownIncident", change("I9", lantern.StatusClosed, hour(1)), lantern.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, s.SetIncidentStatus(t.Context(), tt.change), tt.code)
				wantStatus(t, s, "I1", lantern.StatusOpen, nil, base())
				wantOpenAt(t, s, "I1", probe{hour(100), true})
			})
		}
		_, err := s.IncidentOpenAt(t.Context(), "I9", hour(1))
		wantCode(t, err, lantern.ENOTFOUND)
	})
}
