package lantern_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"lantern"
)

func validAlert() *lantern.Alert {
	return &lantern.Alert{ID: "a1", Rule: "no_policing_purpose", StaffID: "S1", Key: "P1",
		Severity: lantern.SeverityHigh, Score: 4.5, FirstEvidence: t0, LastEvidence: t1,
		EvidenceIDs: []string{"E1", "E2"}, Matches: 2, Explanation: "Viewed P1 with no incident linking them."}
}

func TestAlertValidate(t *testing.T) {
	mod := func(f func(*lantern.Alert)) *lantern.Alert { a := validAlert(); f(a); return a }
	checkValidation(t, "valid", validAlert(), "")
	checkValidation(t, "no key", mod(func(a *lantern.Alert) { a.Key = "" }), "")
	checkValidation(t, "search key", mod(func(a *lantern.Alert) { a.Key = "female 20-30 blonde\nnear station" }), "")
	checkValidation(t, "signal", mod(func(a *lantern.Alert) { a.Signal = true }), "")
	checkValidation(t, "one instant", mod(func(a *lantern.Alert) { a.LastEvidence = t0 }), "")
	checkValidation(t, "no evidence", mod(func(a *lantern.Alert) { a.EvidenceIDs = nil }), "")
	checkValidation(t, "zero score", mod(func(a *lantern.Alert) { a.Score = 0 }), "")
	checkValidation(t, "critical", mod(func(a *lantern.Alert) { a.Severity = lantern.SeverityCritical }), "")
	checkValidation(t, "no id", mod(func(a *lantern.Alert) { a.ID = "" }), "id")
	checkValidation(t, "no rule", mod(func(a *lantern.Alert) { a.Rule = "" }), "rule")
	checkValidation(t, "no staff", mod(func(a *lantern.Alert) { a.StaffID = "" }), "staff_id")
	checkValidation(t, "control in key", mod(func(a *lantern.Alert) { a.Key = "P\x001" }), "key")
	checkValidation(t, "long key", mod(func(a *lantern.Alert) { a.Key = strings.Repeat("k", lantern.MaxAlertKeyBytes+1) }), "key")
	checkValidation(t, "severity", mod(func(a *lantern.Alert) { a.Severity = "urgent" }), "severity")
	checkValidation(t, "no severity", mod(func(a *lantern.Alert) { a.Severity = "" }), "severity")
	checkValidation(t, "negative score", mod(func(a *lantern.Alert) { a.Score = -1 }), "score")
	checkValidation(t, "NaN score", mod(func(a *lantern.Alert) { a.Score = math.NaN() }), "score")
	checkValidation(t, "infinite score", mod(func(a *lantern.Alert) { a.Score = math.Inf(1) }), "score")
	checkValidation(t, "no first", mod(func(a *lantern.Alert) { a.FirstEvidence = time.Time{} }), "first_evidence")
	checkValidation(t, "no last", mod(func(a *lantern.Alert) { a.LastEvidence = time.Time{} }), "last_evidence")
	checkValidation(t, "backwards", mod(func(a *lantern.Alert) { a.FirstEvidence, a.LastEvidence = t1, t0 }), "last_evidence")
	checkValidation(t, "bad evidence id", mod(func(a *lantern.Alert) { a.EvidenceIDs = []string{"E1", ""} }), "evidence_ids")
	checkValidation(t, "too much evidence", mod(func(a *lantern.Alert) {
		a.EvidenceIDs = make([]string, lantern.MaxAlertEvidence+1)
		for i := range a.EvidenceIDs {
			a.EvidenceIDs[i] = "E" + strings.Repeat("x", i)
		}
	}), "evidence_ids")
	checkValidation(t, "no matches", mod(func(a *lantern.Alert) { a.Matches = 0 }), "matches")
	checkValidation(t, "no explanation", mod(func(a *lantern.Alert) { a.Explanation = " \n" }), "explanation")
	checkValidation(t, "long explanation", mod(func(a *lantern.Alert) { a.Explanation = strings.Repeat("x", lantern.MaxExplanationBytes+1) }), "explanation")
	checkValidation(t, "bad explanation", mod(func(a *lantern.Alert) { a.Explanation = "x\xff" }), "explanation")

	// The handling is checked only once State is set.
	checkValidation(t, "new", mod(func(a *lantern.Alert) { a.State = lantern.AlertNew }), "")
	checkValidation(t, "unknown state", mod(func(a *lantern.Alert) { a.State = "closed" }), "state")
	decided := func(state, reason, by string, at *time.Time) *lantern.Alert {
		return mod(func(a *lantern.Alert) { a.State, a.StateReason, a.StateBy, a.StateAt = state, reason, by, at })
	}
	checkValidation(t, "dismissed", decided(lantern.AlertDismissed, "duty", "ann", ptr(t1)), "")
	checkValidation(t, "triaged without reason", decided(lantern.AlertTriaged, "", "ann", ptr(t1)), "")
	checkValidation(t, "dismissed without reason", decided(lantern.AlertDismissed, "  ", "ann", ptr(t1)), "state_reason")
	checkValidation(t, "escalated without reason", decided(lantern.AlertEscalated, "", "ann", ptr(t1)), "state_reason")
	checkValidation(t, "triaged by nobody", decided(lantern.AlertTriaged, "", "", ptr(t1)), "state_by")
	checkValidation(t, "triaged at no time", decided(lantern.AlertTriaged, "", "ann", nil), "state_at")
	checkValidation(t, "triaged at zero", decided(lantern.AlertTriaged, "", "ann", &time.Time{}), "state_at")
}

func TestAlertStateUpdateValidate(t *testing.T) {
	valid := func() *lantern.AlertStateUpdate {
		return &lantern.AlertStateUpdate{State: lantern.AlertDismissed, Reason: "Duty-related: the officer's own case.", By: "ann.analyst", At: t1}
	}
	mod := func(f func(*lantern.AlertStateUpdate)) *lantern.AlertStateUpdate { u := valid(); f(u); return u }
	checkValidation(t, "valid", valid(), "")
	checkValidation(t, "triage without reason", mod(func(u *lantern.AlertStateUpdate) { u.State, u.Reason = lantern.AlertTriaged, "" }), "")
	checkValidation(t, "state", mod(func(u *lantern.AlertStateUpdate) { u.State = "closed" }), "state")
	checkValidation(t, "no state", mod(func(u *lantern.AlertStateUpdate) { u.State = "" }), "state")
	checkValidation(t, "dismiss without reason", mod(func(u *lantern.AlertStateUpdate) { u.Reason = "" }), "reason")
	checkValidation(t, "escalate without reason", mod(func(u *lantern.AlertStateUpdate) { u.State, u.Reason = lantern.AlertEscalated, "\t" }), "reason")
	checkValidation(t, "long reason", mod(func(u *lantern.AlertStateUpdate) { u.Reason = strings.Repeat("r", lantern.MaxStateReasonBytes+1) }), "reason")
	checkValidation(t, "control in reason", mod(func(u *lantern.AlertStateUpdate) { u.Reason = "a\x1bb" }), "reason")
	checkValidation(t, "no user", mod(func(u *lantern.AlertStateUpdate) { u.By = "" }), "by")
	checkValidation(t, "no time", mod(func(u *lantern.AlertStateUpdate) { u.At = time.Time{} }), "at")
}

func TestAlertFilterValidate(t *testing.T) {
	checkValidation(t, "empty", &lantern.AlertFilter{}, "")
	checkValidation(t, "states", &lantern.AlertFilter{States: []string{lantern.AlertNew, lantern.AlertTriaged}, Order: lantern.AlertOrderLatest}, "")
	checkValidation(t, "bad state", &lantern.AlertFilter{States: []string{lantern.AlertNew, "open"}}, "states")
	checkValidation(t, "bad order", &lantern.AlertFilter{Order: "random"}, "order")
	checkValidation(t, "offset", &lantern.AlertFilter{Offset: -1}, "offset")
	checkValidation(t, "limit", &lantern.AlertFilter{Limit: -1}, "limit")
}

// specTransitions is the alert state machine as the unit works it, written
// out independently of the package's table so that the tests check one
// against the other.
var specTransitions = map[[2]string]bool{
	{lantern.AlertNew, lantern.AlertTriaged}:       true,
	{lantern.AlertNew, lantern.AlertDismissed}:     true,
	{lantern.AlertNew, lantern.AlertEscalated}:     true,
	{lantern.AlertTriaged, lantern.AlertDismissed}: true,
	{lantern.AlertTriaged, lantern.AlertEscalated}: true,
	{lantern.AlertDismissed, lantern.AlertTriaged}: true,
}

func TestAlertTransitionTable(t *testing.T) {
	states := append(slices.Clone(lantern.AlertStates), "", "closed")
	for _, from := range states {
		for _, to := range states {
			want := specTransitions[[2]string{from, to}]
			if got := lantern.AlertTransitionAllowed(from, to); got != want {
				t.Errorf("AlertTransitionAllowed(%q, %q) = %v, want %v", from, to, got, want)
			}
			if got := slices.Contains(lantern.AlertNextStates(from), to); got != want {
				t.Errorf("AlertNextStates(%q) = %v: contains %q is %v, want %v", from, lantern.AlertNextStates(from), to, got, want)
			}
		}
	}
	// AlertNextStates hands out a copy.
	next := lantern.AlertNextStates(lantern.AlertNew)
	next[0] = lantern.AlertNew
	if lantern.AlertTransitionAllowed(lantern.AlertNew, lantern.AlertNew) {
		t.Error("changing what AlertNextStates returned changed the state machine")
	}
}

// TestAlertStateGraph checks the shape of the state machine: every state can
// be reached from new, escalation from every state but escalated itself, and
// nothing leaves escalated or returns to new.
func TestAlertStateGraph(t *testing.T) {
	reach := func(from string) map[string]bool {
		seen := map[string]bool{from: true}
		for queue := []string{from}; len(queue) > 0; queue = queue[1:] {
			for _, next := range lantern.AlertNextStates(queue[0]) {
				if !seen[next] {
					seen[next] = true
					queue = append(queue, next)
				}
			}
		}
		return seen
	}
	for _, s := range lantern.AlertStates {
		if !reach(lantern.AlertNew)[s] {
			t.Errorf("%s cannot be reached from new", s)
		}
		if !reach(s)[lantern.AlertEscalated] {
			t.Errorf("escalated cannot be reached from %s", s)
		}
		if slices.Contains(lantern.AlertNextStates(s), lantern.AlertNew) {
			t.Errorf("%s can go back to new", s)
		}
	}
	if next := lantern.AlertNextStates(lantern.AlertEscalated); len(next) != 0 {
		t.Errorf("escalated can move to %v", next)
	}
}

// TestAlertStateMachine applies random sequences of analysts' decisions,
// valid and not, to one alert and checks every step against the spec: an
// allowed, valid move happens exactly as asked; anything else is refused with
// the right code and changes nothing; and whatever happened, the alert is
// valid, in a defined state, has a reason if dismissed or escalated, and never
// leaves escalated once there.
func TestAlertStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := validAlert()
		a.State = lantern.AlertNew
		finding := findingJSON(t, a)
		at := t1
		everEscalated := false

		t.Repeat(map[string]func(*rapid.T){
			"decide": func(t *rapid.T) {
				u := lantern.AlertStateUpdate{
					State:  rapid.SampledFrom([]string{lantern.AlertNew, lantern.AlertTriaged, lantern.AlertDismissed, lantern.AlertEscalated, "closed", ""}).Draw(t, "state"),
					Reason: rapid.SampledFrom([]string{"", " ", "Her own case: a welfare visit.", "Passed to the case team.", "x\x00y"}).Draw(t, "reason"),
					By:     rapid.SampledFrom([]string{"ann.analyst", "bob.investigator", ""}).Draw(t, "by"),
				}
				at = at.Add(time.Duration(rapid.IntRange(1, 600).Draw(t, "minutes")) * time.Minute)
				if rapid.IntRange(0, 9).Draw(t, "zero_time") > 0 {
					u.At = at
				}
				before := *a
				err := a.Transition(u)

				valid := slices.Contains(lantern.AlertStates, u.State) && u.By != "" && !u.At.IsZero() &&
					!strings.Contains(u.Reason, "\x00") &&
					!((u.State == lantern.AlertDismissed || u.State == lantern.AlertEscalated) && strings.TrimSpace(u.Reason) == "")
				allowed := specTransitions[[2]string{before.State, u.State}]
				switch {
				case !valid:
					wantAlertCode(t, err, lantern.EINVALID)
				case !allowed:
					wantAlertCode(t, err, lantern.ECONFLICT)
					if msg := lantern.ErrorMessage(err); !strings.Contains(msg, before.State) || !strings.Contains(msg, u.State) {
						t.Fatalf("conflict message %q does not name %s and %s", msg, before.State, u.State)
					}
				default:
					if err != nil {
						t.Fatalf("%s -> %s refused: %v", before.State, u.State, err)
					}
					if a.State != u.State || a.StateReason != u.Reason || a.StateBy != u.By || a.StateAt == nil || !a.StateAt.Equal(u.At) {
						t.Fatalf("after %s -> %s: state %q reason %q by %q at %v, want %+v", before.State, u.State, a.State, a.StateReason, a.StateBy, a.StateAt, u)
					}
				}
				if err != nil && !sameHandling(&before, a) {
					t.Fatalf("a refused decision changed the alert: before %+v, after %+v", before, *a)
				}
				if got := findingJSON(t, a); got != finding {
					t.Fatalf("a decision changed the finding:\n%s\nwant\n%s", got, finding)
				}
			},
			"": func(t *rapid.T) {
				if err := a.Validate(); err != nil {
					t.Fatalf("alert in state %s is invalid: %v", a.State, err)
				}
				if !slices.Contains(lantern.AlertStates, a.State) {
					t.Fatalf("undefined state %q", a.State)
				}
				if everEscalated && a.State != lantern.AlertEscalated {
					t.Fatalf("left escalated for %s", a.State)
				}
				everEscalated = everEscalated || a.State == lantern.AlertEscalated
				if (a.State == lantern.AlertDismissed || a.State == lantern.AlertEscalated) && strings.TrimSpace(a.StateReason) == "" {
					t.Fatalf("%s without a reason", a.State)
				}
				if a.State != lantern.AlertNew && (a.StateBy == "" || a.StateAt == nil) {
					t.Fatalf("%s without who or when", a.State)
				}
			},
		})
	})
}

func wantAlertCode(t *rapid.T, err error, code string) {
	t.Helper()
	if got := lantern.ErrorCode(err); got != code {
		t.Fatalf("error code %q, want %q (%v)", got, code, err)
	}
}

// sameHandling reports whether a and b agree on every handling field.
func sameHandling(a, b *lantern.Alert) bool {
	return a.State == b.State && a.StateReason == b.StateReason && a.StateBy == b.StateBy &&
		(a.StateAt == nil) == (b.StateAt == nil) && (a.StateAt == nil || a.StateAt.Equal(*b.StateAt))
}

// findingJSON encodes the alert without its handling fields.
func findingJSON(t *rapid.T, a *lantern.Alert) string {
	c := *a
	c.State, c.StateReason, c.StateBy, c.StateAt = "", "", "", nil
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDismissalRate(t *testing.T) {
	for _, tt := range []struct {
		c    lantern.RuleAlertCounts
		want float64
	}{
		{lantern.RuleAlertCounts{}, 0},
		{lantern.RuleAlertCounts{Total: 5, New: 4, Triaged: 1}, 0},
		{lantern.RuleAlertCounts{Total: 4, Dismissed: 3, Escalated: 1}, 0.75},
		{lantern.RuleAlertCounts{Total: 9, New: 5, Dismissed: 2, Escalated: 2}, 0.5},
	} {
		if got := tt.c.DismissalRate(); got != tt.want {
			t.Errorf("%+v: DismissalRate = %v, want %v", tt.c, got, tt.want)
		}
	}
}
