package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lantern"
)

func triage(at time.Time) lantern.AlertStateUpdate {
	return lantern.AlertStateUpdate{State: lantern.AlertTriaged, By: "ann.analyst", At: at}
}

func dismiss(at time.Time, reason string) lantern.AlertStateUpdate {
	return lantern.AlertStateUpdate{State: lantern.AlertDismissed, Reason: reason, By: "ann.analyst", At: at}
}

func escalate(at time.Time, reason string) lantern.AlertStateUpdate {
	return lantern.AlertStateUpdate{State: lantern.AlertEscalated, Reason: reason, By: "bob.investigator", At: at}
}

// toState moves a new alert to state along the shortest path.
func toState(t *testing.T, s lantern.Store, id, state string) {
	t.Helper()
	var err error
	switch state {
	case lantern.AlertTriaged:
		_, err = s.SetAlertState(t.Context(), id, triage(hour(20)))
	case lantern.AlertDismissed:
		_, err = s.SetAlertState(t.Context(), id, dismiss(hour(20), "Duty-related."))
	case lantern.AlertEscalated:
		_, err = s.SetAlertState(t.Context(), id, escalate(hour(20), "To the case team."))
	}
	must(t, err)
}

// testAlertState drives every move, allowed or not, through the store.
func testAlertState(t *testing.T, open Opener) {
	t.Run("Moves", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for _, from := range lantern.AlertStates {
			for _, to := range lantern.AlertStates {
				id := from + "-" + to
				must(t, s.SaveAlerts(t.Context(), newAlert(id, "r", "S1", "P1", 1, hour(1), hour(2))))
				toState(t, s, id, from)
				before := mustAlert(t, s, id)
				at := fine(hour(30))
				u := lantern.AlertStateUpdate{State: to, Reason: "Reason for " + to + ".", By: "carol", At: at}
				got, err := s.SetAlertState(t.Context(), id, u)
				if !lantern.AlertTransitionAllowed(from, to) {
					wantCode(t, err, lantern.ECONFLICT)
					if msg := lantern.ErrorMessage(err); !strings.Contains(msg, from) || !strings.Contains(msg, to) {
						t.Errorf("%s: message %q does not name both states", id, msg)
					}
					if got != nil {
						t.Errorf("%s: refused move returned %+v", id, got)
					}
					same(t, id+" after a refused move", mustAlert(t, s, id), before)
					continue
				}
				must(t, err)
				stored := mustAlert(t, s, id)
				same(t, id+": returned alert", got, stored)
				sameFinding(t, stored, before)
				wantHandling(t, stored, handling{to, u.Reason, "carol", ptr(norm(at)), before.RaisedAt})
				if stored.UpdatedAt.Before(before.UpdatedAt) {
					t.Errorf("%s: UpdatedAt went back from %s to %s", id, before.UpdatedAt, stored.UpdatedAt)
				}
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.SaveAlerts(t.Context(), newAlert("a1", "r", "S1", "P1", 1, hour(1), hour(2))))
		before := mustAlert(t, s, "a1")
		for _, tt := range []struct {
			name  string
			u     lantern.AlertStateUpdate
			field string
		}{
			{"DismissWithoutReason", dismiss(hour(3), ""), "reason"},
			{"DismissWithBlankReason", dismiss(hour(3), "  \n"), "reason"},
			{"EscalateWithoutReason", escalate(hour(3), ""), "reason"},
			{"UnknownState", lantern.AlertStateUpdate{State: "closed", By: "ann", At: hour(3)}, "state"},
			{"NoUser", lantern.AlertStateUpdate{State: lantern.AlertTriaged, At: hour(3)}, "by"},
			{"NoTime", lantern.AlertStateUpdate{State: lantern.AlertTriaged, By: "ann"}, "at"},
		} {
			_, err := s.SetAlertState(t.Context(), "a1", tt.u)
			wantInvalid(t, err, tt.field)
		}
		same(t, "alert after refused updates", mustAlert(t, s, "a1"), before)
	})
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.SaveAlerts(t.Context(), newAlert("a1", "r", "S1", "P1", 1, hour(1), hour(2))))
		steps := []struct {
			u    lantern.AlertStateUpdate
			code string
		}{
			{dismiss(hour(3), "Her own case."), ""},
			{escalate(hour(4), "Straight up."), lantern.ECONFLICT}, // dismissed must be reopened first
			{triage(hour(5)), ""},
			{dismiss(hour(6), "Checked again: her own case."), ""},
			{triage(hour(7)), ""},
			{escalate(hour(8), "A second report names him."), ""},
			{triage(hour(9)), lantern.ECONFLICT},
			{dismiss(hour(10), "No."), lantern.ECONFLICT},
		}
		for i, step := range steps {
			_, err := s.SetAlertState(t.Context(), "a1", step.u)
			wantCode(t, err, step.code)
			got := mustAlert(t, s, "a1")
			if step.code == "" {
				wantHandling(t, got, handling{step.u.State, step.u.Reason, step.u.By, ptr(step.u.At), got.RaisedAt})
			} else if got.StateAt == nil || got.StateAt.Equal(step.u.At) {
				t.Errorf("step %d: refused move changed the alert: %+v", i, got)
			}
		}
	})
}

// testAlertReplay checks that saving the same findings again, as replaying
// the event log does, never undoes an analyst's decision.
func testAlertReplay(t *testing.T, open Opener) {
	s := open(t)
	findings := func(score float64) []*lantern.Alert {
		return []*lantern.Alert{
			newAlert("a1", "r1", "S1", "P1", score, hour(1), hour(2)),
			newAlert("a2", "r1", "S1", "P2", score, hour(1), hour(3)),
			newAlert("a3", "r2", "S2", "", score, hour(2), hour(4)),
			newAlert("a4", "r2", "S2", "P1", score, hour(3), hour(5)),
		}
	}
	must(t, s.SaveAlerts(t.Context(), findings(1)...))
	toState(t, s, "a1", lantern.AlertTriaged)
	toState(t, s, "a2", lantern.AlertDismissed)
	toState(t, s, "a3", lantern.AlertEscalated)
	want := map[string]handling{}
	for _, a := range findings(0) {
		want[a.ID] = handlingOf(mustAlert(t, s, a.ID))
	}

	check := func(what string, score float64) {
		t.Helper()
		for _, a := range findings(score) {
			got := mustAlert(t, s, a.ID)
			wantHandling(t, got, want[a.ID])
			sameFinding(t, got, a)
		}
		list, n, err := s.FindAlerts(t.Context(), lantern.AlertFilter{States: []string{lantern.AlertDismissed}})
		must(t, err)
		if n != 1 || list[0].ID != "a2" {
			t.Errorf("%s: dismissed alerts %q, want [a2]", what, alertIDs(list))
		}
	}
	// The same findings, as a batch and then one by one, and then with a new
	// score: the handling stays.
	must(t, s.SaveAlerts(t.Context(), findings(1)...))
	check("replayed batch", 1)
	for _, a := range findings(1) {
		must(t, s.SaveAlerts(t.Context(), a))
	}
	check("replayed one by one", 1)
	must(t, s.SaveAlerts(t.Context(), findings(3)...))
	check("rescored", 3)
}

// testAlertConcurrency saves overlapping batches in different orders while
// analysts change states: no save may fail or undo a decision.
func testAlertConcurrency(t *testing.T, open Opener) {
	const writers, alerts, rounds = 4, 30, 5
	s := open(t)
	batch := func(w, round int) []*lantern.Alert {
		list := make([]*lantern.Alert, alerts)
		for i := range list {
			n := (i + w*11) % alerts
			list[i] = newAlert(fmt.Sprintf("a%02d", n), "r", fmt.Sprintf("S%d", n%3), "", float64(round), hour(1), hour(float64(2+round)))
		}
		return list
	}
	must(t, s.SaveAlerts(t.Context(), batch(0, 0)...))
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for round := range rounds {
				if err := s.SaveAlerts(t.Context(), batch(w, round)...); err != nil {
					t.Errorf("writer %d round %d: %v", w, round, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 15 {
			u := dismiss(hour(50), "Duty-related.")
			if i >= 10 {
				u = escalate(hour(50), "To the case team.")
			}
			if _, err := s.SetAlertState(t.Context(), fmt.Sprintf("a%02d", i), u); err != nil {
				t.Errorf("analyst, alert %d: %v", i, err)
			}
		}
	})
	wg.Wait()
	counts, err := s.AlertCounts(t.Context())
	must(t, err)
	same(t, "counts", counts, []lantern.RuleAlertCounts{{Rule: "r", Total: alerts, New: alerts - 15, Dismissed: 10, Escalated: 5}})
	for i := range alerts {
		if got := mustAlert(t, s, fmt.Sprintf("a%02d", i)); !got.LastEvidence.Equal(hour(2 + rounds - 1)) {
			t.Errorf("alert %d: LastEvidence %s, want the latest round's", i, got.LastEvidence)
		}
	}
}
