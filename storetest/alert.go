package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern"
)

func testAlert(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testAlertRoundTrip(t, open) })
	t.Run("Invalid", func(t *testing.T) { t.Parallel(); testAlertInvalid(t, open) })
	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.SaveAlerts(t.Context(), newAlert("a1", "rule_a", "S1", "P1", 1, hour(1), hour(2))))
		a, err := s.Alert(t.Context(), "a2")
		wantCode(t, err, lantern.ENOTFOUND)
		if a != nil {
			t.Errorf("Alert returned %+v with ENOTFOUND", a)
		}
		_, err = s.SetAlertState(t.Context(), "a2", triage(hour(3)))
		wantCode(t, err, lantern.ENOTFOUND)
	})
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.SaveAlerts(t.Context()))
		_, n, err := s.FindAlerts(t.Context(), lantern.AlertFilter{})
		must(t, err)
		if n != 0 {
			t.Errorf("total = %d after an empty batch, want 0", n)
		}
	})
	t.Run("Resave", func(t *testing.T) { t.Parallel(); testAlertResave(t, open) })
	t.Run("ConflictingID", func(t *testing.T) { t.Parallel(); testAlertConflictingID(t, open) })
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindAlerts(t, open) })
	t.Run("Counts", func(t *testing.T) { t.Parallel(); testAlertCounts(t, open) })
	t.Run("Scores", func(t *testing.T) { t.Parallel(); testAlertScores(t, open) })
	t.Run("State", func(t *testing.T) { t.Parallel(); testAlertState(t, open) })
	t.Run("Replay", func(t *testing.T) { t.Parallel(); testAlertReplay(t, open) })
	t.Run("LargeBatch", func(t *testing.T) { t.Parallel(); testAlertLargeBatch(t, open) })
	t.Run("Concurrency", func(t *testing.T) { t.Parallel(); testAlertConcurrency(t, open) })
}

func newAlert(id, rule, staff, key string, score float64, first, last time.Time) *lantern.Alert {
	return &lantern.Alert{
		ID:            id,
		Rule:          rule,
		StaffID:       staff,
		Key:           key,
		Severity:      lantern.SeverityMedium,
		Score:         score,
		FirstEvidence: first,
		LastEvidence:  last,
		EvidenceIDs:   []string{id + "-e1", id + "-e2"},
		Matches:       2,
		Explanation:   "Rule " + rule + " matched twice.",
	}
}

// evidence returns n distinct event ids.
func evidence(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return ids
}

// normFinding is what a store must give back for the finding a, with the
// handling fields and store times zeroed.
func normFinding(a *lantern.Alert) *lantern.Alert {
	c := *a
	c.FirstEvidence, c.LastEvidence = norm(c.FirstEvidence), norm(c.LastEvidence)
	if len(c.EvidenceIDs) == 0 {
		c.EvidenceIDs = nil
	}
	c.State, c.StateReason, c.StateBy, c.StateAt = "", "", "", nil
	c.RaisedAt, c.UpdatedAt = time.Time{}, time.Time{}
	return &c
}

// sameFinding fails the test unless got holds the finding want, and checks
// that the store stamped RaisedAt and UpdatedAt, RaisedAt first.
func sameFinding(t *testing.T, got, want *lantern.Alert) {
	t.Helper()
	if got == nil {
		t.Fatalf("alert %s: got nil", want.ID)
	}
	checkUTC(t, "alert "+got.ID, reflect.ValueOf(got))
	if got.RaisedAt.IsZero() || got.UpdatedAt.IsZero() || got.UpdatedAt.Before(got.RaisedAt) {
		t.Errorf("alert %s: RaisedAt %s, UpdatedAt %s; want both set, in that order", got.ID, got.RaisedAt, got.UpdatedAt)
	}
	same(t, "alert "+want.ID, normFinding(got), normFinding(want))
}

// handling is an alert's handling and RaisedAt, which only SetAlertState may
// change.
type handling struct {
	State, Reason, By string
	At                *time.Time
	RaisedAt          time.Time
}

func handlingOf(a *lantern.Alert) handling {
	return handling{a.State, a.StateReason, a.StateBy, a.StateAt, a.RaisedAt}
}

// wantHandling fails the test unless got's handling is want.
func wantHandling(t *testing.T, got *lantern.Alert, want handling) {
	t.Helper()
	same(t, "handling of alert "+got.ID, handlingOf(got), want)
}

// newHandling is the handling of an alert nobody has decided on.
func newHandling(raised time.Time) handling {
	return handling{State: lantern.AlertNew, RaisedAt: raised}
}

func mustAlert(t *testing.T, s lantern.Store, id string) *lantern.Alert {
	t.Helper()
	a, err := s.Alert(t.Context(), id)
	if err != nil {
		t.Fatalf("Alert(%q): %v", id, err)
	}
	return a
}

func alertIDs(list []*lantern.Alert) []string {
	ids := []string{}
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	return ids
}

func testAlertRoundTrip(t *testing.T, open Opener) {
	full := &lantern.Alert{
		ID:            "3f9a0c1d2e4b5a67",
		Rule:          "renewed_interest_after_contact",
		StaffID:       "Ø-ñ-警察 7",
		Key:           "female, 20-30, blonde\tnear Central station — " + strings.Repeat("x", lantern.MaxAlertKeyBytes-60),
		Severity:      lantern.SeverityCritical,
		Score:         7.123456789012345,
		Signal:        true,
		FirstEvidence: fine(hour(1)),
		LastEvidence:  fine(hour(900)),
		EvidenceIDs:   evidence("E", lantern.MaxAlertEvidence),
		Matches:       1<<31 + 7,
		Explanation:   "Viewed her record 12 times in 30 days,\nfar above peers (median 0).",
	}
	minimal := newAlert("a2", "r", "S2", "", 0, hour(3), hour(3))
	minimal.EvidenceIDs, minimal.Matches = nil, 1
	tests := []struct {
		name  string
		alert *lantern.Alert
	}{{"AllFields", full}, {"RequiredFieldsOnly", minimal}, {"EmptyEvidence", func() *lantern.Alert {
		a := newAlert("a3", "r", "S3", "P3", 1, hour(1), hour(2))
		a.EvidenceIDs = []string{}
		return a
	}()}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			must(t, s.SaveAlerts(t.Context(), tt.alert))
			got := mustAlert(t, s, tt.alert.ID)
			sameFinding(t, got, tt.alert)
			wantHandling(t, got, newHandling(got.RaisedAt))
			if !got.RaisedAt.Equal(got.UpdatedAt) || !tt.alert.UpdatedAt.Equal(got.UpdatedAt) {
				t.Errorf("first save: RaisedAt %s, UpdatedAt %s stored and %s set; want all equal", got.RaisedAt, got.UpdatedAt, tt.alert.UpdatedAt)
			}
			list, n, err := s.FindAlerts(t.Context(), lantern.AlertFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("FindAlerts: %d alerts, total %d; want 1, 1", len(list), n)
			}
			same(t, "listed alert", list[0], got)
		})
	}
}

func testAlertInvalid(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*lantern.Alert)
		field  string
	}{
		{"NoID", func(a *lantern.Alert) { a.ID = "" }, "id"},
		{"NoRule", func(a *lantern.Alert) { a.Rule = "" }, "rule"},
		{"NoStaff", func(a *lantern.Alert) { a.StaffID = "" }, "staff_id"},
		{"Severity", func(a *lantern.Alert) { a.Severity = "severe" }, "severity"},
		{"NegativeScore", func(a *lantern.Alert) { a.Score = -0.5 }, "score"},
		{"Backwards", func(a *lantern.Alert) { a.LastEvidence = a.FirstEvidence.Add(-time.Second) }, "last_evidence"},
		{"TooMuchEvidence", func(a *lantern.Alert) { a.EvidenceIDs = evidence("E", lantern.MaxAlertEvidence+1) }, "evidence_ids"},
		{"NoMatches", func(a *lantern.Alert) { a.Matches = 0 }, "matches"},
		{"NoExplanation", func(a *lantern.Alert) { a.Explanation = "" }, "explanation"},
		{"DismissedWithoutReason", func(a *lantern.Alert) { a.State = lantern.AlertDismissed }, "state_reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			bad := newAlert("a2", "r", "S1", "P1", 1, hour(1), hour(2))
			tt.change(bad)
			wantInvalid(t, s.SaveAlerts(t.Context(), newAlert("a1", "r", "S1", "P1", 1, hour(1), hour(2)), bad), tt.field)
			_, n, err := s.FindAlerts(t.Context(), lantern.AlertFilter{})
			must(t, err)
			if n != 0 {
				t.Errorf("a refused batch stored %d alerts", n)
			}
		})
	}
}

// testAlertResave checks what saving a known alert again changes: the
// finding, with the evidence span widened, never the handling.
func testAlertResave(t *testing.T, open Opener) {
	t.Run("LaterCall", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		first := newAlert("a1", "r", "S1", "P1", 3, hour(2), hour(5))
		must(t, s.SaveAlerts(t.Context(), first))
		raised := mustAlert(t, s, "a1").RaisedAt

		// A lower score, a narrower span, and everything else different.
		again := newAlert("a1", "r", "S1", "P1", 1, hour(3), hour(4))
		again.Severity, again.Signal, again.Matches = lantern.SeverityHigh, true, 9
		again.EvidenceIDs, again.Explanation = []string{"E9"}, "Matched nine times."
		// Handling and store times passed in are ignored.
		again.State, again.StateReason, again.StateBy, again.StateAt = lantern.AlertTriaged, "x", "mallory", ptr(hour(1))
		again.RaisedAt = hour(-100)
		must(t, s.SaveAlerts(t.Context(), again))
		got := mustAlert(t, s, "a1")
		want := *again
		want.FirstEvidence, want.LastEvidence = hour(2), hour(5)
		sameFinding(t, got, &want)
		wantHandling(t, got, newHandling(raised))
		if !again.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("SaveAlerts set UpdatedAt %s, stored %s", again.UpdatedAt, got.UpdatedAt)
		}

		// A wider span widens it.
		wider := newAlert("a1", "r", "S1", "P1", 2, hour(1), hour(9))
		must(t, s.SaveAlerts(t.Context(), wider))
		sameFinding(t, mustAlert(t, s, "a1"), wider)
	})
	t.Run("SameBatch", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		// The later alert's span lies within the earlier one's.
		earlier := newAlert("a1", "r", "S1", "P1", 5, hour(1), hour(4))
		later := newAlert("a1", "r", "S1", "P1", 2, hour(2), hour(3))
		later.Explanation, later.Matches = "The later finding.", 7
		other := newAlert("a0", "r", "S1", "P2", 1, hour(1), hour(2))
		must(t, s.SaveAlerts(t.Context(), earlier, other, later))
		want := *later
		want.FirstEvidence, want.LastEvidence = hour(1), hour(4)
		sameFinding(t, mustAlert(t, s, "a1"), &want)
		sameFinding(t, mustAlert(t, s, "a0"), other)
		if !earlier.UpdatedAt.Equal(later.UpdatedAt) || earlier.UpdatedAt.IsZero() {
			t.Errorf("UpdatedAt set %s and %s on one batch", earlier.UpdatedAt, later.UpdatedAt)
		}
	})
}

// testAlertConflictingID checks that an ID stays with its rule, member of
// staff and key.
func testAlertConflictingID(t *testing.T, open Opener) {
	for _, tt := range []struct {
		name   string
		change func(*lantern.Alert)
	}{
		{"Rule", func(a *lantern.Alert) { a.Rule = "other" }},
		{"Staff", func(a *lantern.Alert) { a.StaffID = "S2" }},
		{"Key", func(a *lantern.Alert) { a.Key = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			stored := newAlert("a1", "r", "S1", "P1", 1, hour(1), hour(2))
			must(t, s.SaveAlerts(t.Context(), stored))
			clash := newAlert("a1", "r", "S1", "P1", 5, hour(0), hour(9))
			tt.change(clash)
			fresh := newAlert("a0", "r", "S1", "P2", 1, hour(1), hour(2))
			err := s.SaveAlerts(t.Context(), fresh, clash)
			wantCode(t, err, lantern.ECONFLICT)
			wantNoID(t, err, "S1")
			sameFinding(t, mustAlert(t, s, "a1"), stored)
			_, err = s.Alert(t.Context(), "a0")
			wantCode(t, err, lantern.ENOTFOUND)

			// Within one batch, for an ID not stored yet.
			x := newAlert("x1", "r", "S1", "P1", 1, hour(1), hour(2))
			y := newAlert("x1", "r", "S1", "P1", 1, hour(1), hour(2))
			tt.change(y)
			wantCode(t, s.SaveAlerts(t.Context(), x, y), lantern.ECONFLICT)
			_, err = s.Alert(t.Context(), "x1")
			wantCode(t, err, lantern.ENOTFOUND)
		})
	}
}

// alertFixture saves a spread of alerts: two members of staff, three rules,
// keys, signals, every state, and scores with ties.
//
//	id  rule  staff key  score signal first last  state
//	a1  r1    S1    P1   5     no     1h    10h   new
//	a2  r1    S1    P2   5     no     2h    3h    triaged
//	a3  r2    S1    ""   2     yes    4h    20h   new
//	a4  r2    S2    P1   9     no     5h    6h    dismissed
//	a5  r3    S2    P1   1     yes    30h   40h   escalated
//	a6  r1    S2    ""   5     no     7h    8h    new
func alertFixture(t *testing.T, s lantern.Store) {
	t.Helper()
	a3 := newAlert("a3", "r2", "S1", "", 2, hour(4), hour(20))
	a3.Signal = true
	a5 := newAlert("a5", "r3", "S2", "P1", 1, hour(30), hour(40))
	a5.Signal = true
	must(t, s.SaveAlerts(t.Context(),
		newAlert("a6", "r1", "S2", "", 5, hour(7), hour(8)),
		newAlert("a1", "r1", "S1", "P1", 5, hour(1), hour(10)),
		newAlert("a2", "r1", "S1", "P2", 5, hour(2), hour(3)),
		a3,
		newAlert("a4", "r2", "S2", "P1", 9, hour(5), hour(6)),
		a5,
	))
	for id, u := range map[string]lantern.AlertStateUpdate{
		"a2": triage(hour(50)),
		"a4": dismiss(hour(50), "Her own case."),
		"a5": escalate(hour(50), "Passed to the case team."),
	} {
		_, err := s.SetAlertState(t.Context(), id, u)
		must(t, err)
	}
}

func testFindAlerts(t *testing.T, open Opener) {
	s := open(t)
	alertFixture(t, s)
	tests := []struct {
		name   string
		filter lantern.AlertFilter
		want   []string
		total  int
	}{
		{"All", lantern.AlertFilter{}, []string{"a4", "a1", "a2", "a6", "a3", "a5"}, 6},
		{"Latest", lantern.AlertFilter{Order: lantern.AlertOrderLatest}, []string{"a5", "a3", "a1", "a6", "a4", "a2"}, 6},
		{"ScoreByName", lantern.AlertFilter{Order: lantern.AlertOrderScore}, []string{"a4", "a1", "a2", "a6", "a3", "a5"}, 6},
		{"Staff", lantern.AlertFilter{StaffID: ptr("S1")}, []string{"a1", "a2", "a3"}, 3},
		{"Rule", lantern.AlertFilter{Rule: ptr("r2")}, []string{"a4", "a3"}, 2},
		{"Key", lantern.AlertFilter{Key: ptr("P1")}, []string{"a4", "a1", "a5"}, 3},
		{"NoKey", lantern.AlertFilter{Key: ptr("")}, []string{"a6", "a3"}, 2},
		{"UnknownKey", lantern.AlertFilter{Key: ptr("P9")}, []string{}, 0},
		{"OneState", lantern.AlertFilter{States: []string{lantern.AlertNew}}, []string{"a1", "a6", "a3"}, 3},
		{"Queue", lantern.AlertFilter{States: []string{lantern.AlertNew, lantern.AlertTriaged}, Signal: ptr(false)}, []string{"a1", "a2", "a6"}, 3},
		{"Signals", lantern.AlertFilter{Signal: ptr(true)}, []string{"a3", "a5"}, 2},
		{"Since", lantern.AlertFilter{Since: hour(10)}, []string{"a1", "a3", "a5"}, 3},
		{"Until", lantern.AlertFilter{Until: hour(5)}, []string{"a1", "a2", "a3"}, 3},
		{"Window", lantern.AlertFilter{Since: hour(6), Until: hour(7)}, []string{"a4", "a1", "a3"}, 3},
		{"Combined", lantern.AlertFilter{StaffID: ptr("S2"), Rule: ptr("r1"), Key: ptr(""), States: []string{lantern.AlertNew}, Signal: ptr(false), Since: hour(8), Until: hour(7)}, []string{}, 0},
		{"CombinedMatch", lantern.AlertFilter{StaffID: ptr("S2"), Rule: ptr("r1"), Key: ptr(""), States: []string{lantern.AlertNew}, Signal: ptr(false), Since: hour(8), Until: hour(7).Add(time.Microsecond)}, []string{"a6"}, 1},
		{"Page", lantern.AlertFilter{Offset: 1, Limit: 3}, []string{"a1", "a2", "a6"}, 6},
		{"PageLatest", lantern.AlertFilter{Order: lantern.AlertOrderLatest, Offset: 4, Limit: 5}, []string{"a4", "a2"}, 6},
		{"PastTheEnd", lantern.AlertFilter{Offset: 6}, []string{}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, n, err := s.FindAlerts(t.Context(), tt.filter)
			must(t, err)
			sameIDs(t, tt.name, alertIDs(list), tt.want)
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
			for _, a := range list {
				same(t, "listed alert", a, mustAlert(t, s, a.ID))
			}
		})
	}
	for _, tt := range []struct {
		name   string
		filter lantern.AlertFilter
		field  string
	}{
		{"BadState", lantern.AlertFilter{States: []string{"open"}}, "states"},
		{"BadOrder", lantern.AlertFilter{Order: "random"}, "order"},
		{"NegativeOffset", lantern.AlertFilter{Offset: -1}, "offset"},
		{"NegativeLimit", lantern.AlertFilter{Limit: -1}, "limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.FindAlerts(t.Context(), tt.filter)
			wantInvalid(t, err, tt.field)
		})
	}
}

func testAlertCounts(t *testing.T, open Opener) {
	s := open(t)
	counts, err := s.AlertCounts(t.Context())
	must(t, err)
	if len(counts) != 0 {
		t.Errorf("an empty store counts %+v", counts)
	}
	alertFixture(t, s)
	counts, err = s.AlertCounts(t.Context())
	must(t, err)
	same(t, "counts", counts, []lantern.RuleAlertCounts{
		{Rule: "r1", Total: 3, New: 2, Triaged: 1},
		{Rule: "r2", Total: 2, New: 1, Dismissed: 1, Signals: 1},
		{Rule: "r3", Total: 1, Escalated: 1, Signals: 1},
	})
}

func testAlertScores(t *testing.T, open Opener) {
	s := open(t)
	scores, err := s.AlertScores(t.Context())
	must(t, err)
	if len(scores) != 0 {
		t.Errorf("an empty store scores %+v", scores)
	}
	alertFixture(t, s)
	// A tie on staff and last evidence is broken by ID.
	must(t, s.SaveAlerts(t.Context(), newAlert("a0", "r3", "S1", "P3", 0.5, hour(2), hour(3))))
	scores, err = s.AlertScores(t.Context())
	must(t, err)
	same(t, "scores", scores, []lantern.AlertScore{
		{ID: "a0", Rule: "r3", StaffID: "S1", Score: 0.5, LastEvidence: hour(3)},
		{ID: "a2", Rule: "r1", StaffID: "S1", Score: 5, LastEvidence: hour(3)},
		{ID: "a1", Rule: "r1", StaffID: "S1", Score: 5, LastEvidence: hour(10)},
		{ID: "a3", Rule: "r2", StaffID: "S1", Score: 2, LastEvidence: hour(20), Signal: true},
		{ID: "a6", Rule: "r1", StaffID: "S2", Score: 5, LastEvidence: hour(8)},
		{ID: "a5", Rule: "r3", StaffID: "S2", Score: 1, LastEvidence: hour(40), Signal: true},
	})
}

func testAlertLargeBatch(t *testing.T, open Opener) {
	s := open(t)
	const n = 2000
	batch := make([]*lantern.Alert, n)
	for i := range batch {
		a := newAlert(fmt.Sprintf("a%05d", i), fmt.Sprintf("rule_%d", i%7), fmt.Sprintf("S%d", i%97), fmt.Sprintf("P%d", i%301),
			float64(i%13)/4, fine(hour(float64(i))), fine(hour(float64(i)+float64(i%5)/10)))
		a.EvidenceIDs = evidence(a.ID, i%(lantern.MaxAlertEvidence+1))
		a.Signal = i%3 == 0
		batch[i] = a
	}
	must(t, s.SaveAlerts(t.Context(), batch...))
	list, total, err := s.FindAlerts(t.Context(), lantern.AlertFilter{Order: lantern.AlertOrderLatest})
	must(t, err)
	if total != n || len(list) != n {
		t.Fatalf("FindAlerts: %d alerts, total %d; want %d", len(list), total, n)
	}
	for i, got := range list {
		sameFinding(t, got, batch[n-1-i])
	}
	// Saving them all again, in another order, changes no finding.
	slices.Reverse(batch)
	must(t, s.SaveAlerts(t.Context(), batch...))
	again, _, err := s.FindAlerts(t.Context(), lantern.AlertFilter{Order: lantern.AlertOrderLatest})
	must(t, err)
	for i, got := range again {
		sameFinding(t, got, list[i])
		wantHandling(t, got, handlingOf(list[i]))
	}
}
