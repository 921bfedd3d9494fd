package workspace_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/workspace"
)

func analyst() lantern.Principal { return principal(lantern.UserAnalyst, "S9") }

// TestQueue checks the ranking by the staff member's risk, the capacity,
// the count waiting, filters, and that signals stay out.
func TestQueue(t *testing.T) {
	e := newEnv(t, 2)
	ctx := as(principal(lantern.UserHeadOfPSD, "")) // not on the force's staff: sees every alert
	q, err := e.svc.Queue(ctx, workspace.QueueFilter{})
	must(t, err)
	// S9's A9 (16) ranks over S2's A2 (8); S1's alerts wait.
	if got := ids(q); len(got) != 2 || got[0] != "A9" || got[1] != "A2" {
		t.Fatalf("queue %v", got)
	}
	total := 3 + len(lantern.UserRoles)
	if q.Capacity != 2 || q.Matching != total || q.Waiting != total-2 {
		t.Errorf("capacity %d, matching %d, waiting %d", q.Capacity, q.Matching, q.Waiting)
	}
	if q.Items[0].Rank != 1 || q.Items[0].StaffRisk <= q.Items[1].StaffRisk || q.Items[1].Staff.Team != "B" {
		t.Errorf("items %+v", q.Items)
	}
	q, err = e.svc.Queue(ctx, workspace.QueueFilter{Team: "A", Limit: 100})
	must(t, err)
	for _, it := range q.Items {
		if it.Alert.StaffID != "S1" {
			t.Errorf("team A's queue has %s", it.Alert.ID)
		}
	}
	if len(q.Items) != 1+len(lantern.UserRoles) {
		t.Errorf("team A: %d items", len(q.Items))
	}
	q, err = e.svc.Queue(ctx, workspace.QueueFilter{Rule: "off_duty_access", StaffRole: "response"})
	must(t, err)
	if got := ids(q); len(got) != 2 || got[0] != "A2" || got[1] != "A1" {
		t.Errorf("off duty, response: %v", got)
	}
	q, err = e.svc.Queue(ctx, workspace.QueueFilter{Since: at(2.5)})
	must(t, err)
	if got := ids(q); len(got) != 1 || got[0] != "A9" {
		t.Errorf("since 2.5h: %v", got)
	}
	_, err = e.svc.Queue(ctx, workspace.QueueFilter{State: "lost"})
	if codeOf(err) != lantern.EINVALID || e.audit.last().Outcome != lantern.AuditFailed {
		t.Errorf("bad state: %v, audit %+v", err, e.audit.last())
	}
}

// TestAlertDetail checks the evidence timeline: evidence with its verdict,
// the missing evidence, the person's incident and who was assigned, and the
// roster.
func TestAlertDetail(t *testing.T) {
	e := newEnv(t, 10)
	d, err := e.svc.Alert(as(analyst()), "A1")
	must(t, err)
	if d.Staff.Name != "Alan Smith" || len(d.NextStates) != 3 || d.Risk.Score <= 0 {
		t.Errorf("detail %+v", d)
	}
	if len(d.Missing) != 1 || d.Missing[0] != "GONE" {
		t.Errorf("missing %v", d.Missing)
	}
	kinds := map[string]int{}
	for i, en := range d.Timeline {
		kinds[en.Kind]++
		if i > 0 && en.At.Before(d.Timeline[i-1].At) {
			t.Errorf("timeline out of order at %d", i)
		}
		if en.Kind == workspace.EntryAccess {
			if en.Evidence != (en.EventID == "E1") || en.Purpose != lantern.PurposeNo || !contains(en.Summary, "no link") {
				t.Errorf("access entry %+v", en)
			}
		}
		if en.Kind == workspace.EntryIncident && en.IncidentID == "I1" && en.Purpose != lantern.PurposeNo {
			t.Errorf("S1 had no part in I1, but %+v", en)
		}
	}
	if kinds[workspace.EntryAccess] != 2 || kinds[workspace.EntryIncident] != 1 || kinds[workspace.EntryShift] != 1 {
		t.Errorf("timeline kinds %v: %+v", kinds, d.Timeline)
	}
	// S2's alert shows S2's assignment to I1 as a purpose.
	d, err = e.svc.Alert(as(analyst()), "A2")
	must(t, err)
	found := false
	for _, en := range d.Timeline {
		if en.Kind == workspace.EntryAssignment && en.StaffID == "S2" && en.Purpose == lantern.PurposeYes {
			found = true
		}
	}
	if !found {
		t.Errorf("no assignment giving S2 a purpose: %+v", d.Timeline)
	}
	_, err = e.svc.Alert(as(analyst()), "nope")
	if codeOf(err) != lantern.ENOTFOUND || e.audit.last().Outcome != lantern.AuditFailed || e.audit.last().Object != "alert:nope" {
		t.Errorf("unknown alert: %v, %+v", err, e.audit.last())
	}
}

// TestChangeAlertFeedsDismissalRate checks decisions: who made them, the
// state machine, and that a dismissal shows in the rule's rate.
func TestChangeAlertFeedsDismissalRate(t *testing.T) {
	e := newEnv(t, 10)
	ctx := as(analyst())
	a, err := e.svc.ChangeAlert(ctx, "A1", lantern.AlertStateUpdate{State: lantern.AlertDismissed, Reason: "Checked: lawful enquiry", By: "someone else"})
	must(t, err)
	if a.State != lantern.AlertDismissed || a.StateBy != "u-analyst" || a.StateAt == nil || !a.StateAt.Equal(at(100)) {
		t.Errorf("changed alert %+v", a)
	}
	_, err = e.svc.ChangeAlert(ctx, "A2", lantern.AlertStateUpdate{State: lantern.AlertDismissed})
	if codeOf(err) != lantern.EINVALID {
		t.Errorf("dismissal without a reason: %v", err)
	}
	_, err = e.svc.ChangeAlert(ctx, "A2", lantern.AlertStateUpdate{State: lantern.AlertEscalated, Reason: "to the case team"})
	must(t, err)
	_, err = e.svc.ChangeAlert(ctx, "A2", lantern.AlertStateUpdate{State: lantern.AlertTriaged})
	if codeOf(err) != lantern.ECONFLICT {
		t.Errorf("reopening an escalated alert: %v", err)
	}
	rules, err := e.svc.Rules(ctx)
	must(t, err)
	seen := false
	for _, r := range rules {
		if r.Name == "off_duty_access" {
			seen = true
			if r.Counts.Dismissed != 1 || r.Counts.Escalated != 1 || r.DismissalRate != 0.5 {
				t.Errorf("off_duty_access %+v", r)
			}
			if r.Fixtures.Passed == 0 || r.Fixtures.Failed != 0 {
				t.Errorf("off_duty_access fixtures %+v", r.Fixtures)
			}
		}
		if r.Description == "" {
			t.Errorf("rule %s has no description", r.Name)
		}
	}
	if !seen {
		t.Error("off_duty_access is not listed")
	}
}

// TestStaffProfile checks the profile's timeline and that its risk series
// ends at the ranking's score.
func TestStaffProfile(t *testing.T) {
	e := newEnv(t, 10)
	p, err := e.svc.StaffProfile(as(analyst()), "S1")
	must(t, err)
	if p.Staff.ID != "S1" || len(p.Timeline) != 1+len(lantern.UserRoles) {
		t.Fatalf("profile %+v", p)
	}
	for i, en := range p.Timeline {
		if en.Kind != workspace.ProfileAlert || en.Alert == nil || en.Alert.StaffID != "S1" {
			t.Errorf("entry %+v", en)
		}
		if i > 0 && en.At.After(p.Timeline[i-1].At) {
			t.Error("timeline not newest first")
		}
	}
	if len(p.Series) == 0 {
		t.Fatal("no risk series")
	}
	lastPoint := p.Series[len(p.Series)-1]
	if math.Abs(lastPoint.Score-p.Risk.Score) > 1e-9 {
		t.Errorf("series ends at %g, ranking says %g", lastPoint.Score, p.Risk.Score)
	}
	_, err = e.svc.StaffProfile(as(analyst()), "S404")
	if codeOf(err) != lantern.ENOTFOUND {
		t.Errorf("unknown staff: %v", err)
	}
}

// TestRiskSeriesMatchesRanking checks the series formula against
// detect.Risk on every day, for alerts of several rules that decay.
func TestRiskSeriesMatchesRanking(t *testing.T) {
	var alerts []*lantern.Alert
	var scores []lantern.AlertScore
	for i, r := range []string{"a", "a", "b", "a", "c"} {
		last := t0.Add(time.Duration(i*9) * 24 * time.Hour)
		a := &lantern.Alert{ID: string(rune('A' + i)), Rule: r, StaffID: "S1", Score: float64(i + 1),
			FirstEvidence: last, LastEvidence: last, State: lantern.AlertNew}
		alerts = append(alerts, a)
		scores = append(scores, lantern.AlertScore{ID: a.ID, Rule: r, StaffID: "S1", Score: a.Score, LastEvidence: last})
	}
	dismissed := &lantern.Alert{ID: "Z", Rule: "z", StaffID: "S1", Score: 100, FirstEvidence: t0, LastEvidence: t0, State: lantern.AlertDismissed}
	series := workspace.RiskSeries(append(alerts, dismissed), 30*24*time.Hour, time.Time{})
	if len(series) != 37 {
		t.Fatalf("%d points", len(series))
	}
	// On each day an alert's evidence ends, the series (at the end of that
	// day) equals a ranking of the alerts so far taken a day later.
	for i := range alerts {
		end := alerts[i].LastEvidence.Add(24 * time.Hour)
		r := detect.RiskOf(append(scores[:i+1:i+1], lantern.AlertScore{ID: "T", Rule: "tick", StaffID: "S0", LastEvidence: end}), 30*24*time.Hour)
		want := r.Score("S1").Score
		got := series[i*9].Score
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("day %d: series %g, ranking %g", i*9, got, want)
		}
	}
}

// TestPersonView checks who accessed a person, newest first, with the
// verdicts, and that no telephone number leaves the service.
func TestPersonView(t *testing.T) {
	e := newEnv(t, 10)
	v, err := e.svc.Person(as(analyst()), "P1", lantern.IndexPage{})
	must(t, err)
	if v.Total != 3 || len(v.Accesses) != 3 || v.Accesses[0].EventID != "E2" || v.Accesses[1].Staff.Name != "Alan Smith" {
		t.Fatalf("view %+v", v)
	}
	if v.Accesses[0].Purpose != lantern.PurposeYes || v.Accesses[1].Purpose != lantern.PurposeNo {
		t.Errorf("verdicts %+v", v.Accesses)
	}
	b, _ := json.Marshal(v)
	if contains(string(b), "secrethash1") || contains(string(b), "phone") {
		t.Errorf("person view carries numbers: %s", b)
	}
	if e.audit.last().Object != "person:P1" {
		t.Errorf("audit %+v", e.audit.last())
	}
	_, err = e.svc.Person(as(analyst()), "P1", lantern.IndexPage{Offset: -1})
	if codeOf(err) != lantern.EINVALID {
		t.Errorf("bad page: %v", err)
	}
}

// TestIntakeAndAuditSearch checks the intake summary keeps tokens and rows
// out, and that an auditor's search finds who looked and is itself audited.
func TestIntakeAndAuditSearch(t *testing.T) {
	e := newEnv(t, 10)
	ctx := t.Context()
	must(t, e.store.CreateSource(ctx, &lantern.Source{Name: "rms", Scope: lantern.ScopeIngest, TokenHash: make([]byte, 32), CreatedAt: t0}))
	must(t, e.store.AddRejections(ctx, &lantern.Rejection{Source: "f.jsonl", Kind: "access", Format: "jsonl", Line: 3,
		Reason: "bad time", Raw: []byte("secret row"), State: lantern.RejectionOpen, ReceivedAt: t0}))
	in, err := e.svc.Intake(as(analyst()))
	must(t, err)
	if len(in.Sources) != 1 || in.Quarantine[lantern.RejectionOpen] != 1 || len(in.Latest) != 1 || len(in.Rates) != 1 || in.Rates[0].LastDay != 3 {
		t.Errorf("intake %+v", in)
	}
	b, _ := json.Marshal(in)
	if contains(string(b), "secret row") || contains(string(b), "token") {
		t.Errorf("intake summary leaks: %s", b)
	}

	_, err = e.svc.Alert(as(analyst()), "A1")
	must(t, err)
	auditor := as(principal(lantern.UserAuditor, ""))
	found, err := e.svc.AuditSearch(auditor, lantern.AuditQuery{Object: "alert:A1"})
	must(t, err)
	if len(found) != 1 || found[0].UserID != "u-analyst" {
		t.Errorf("who looked at A1: %+v", found)
	}
	if last := e.audit.last(); last.Action != string(lantern.ActViewAudit) || last.UserID != "u-auditor" || !contains(last.Detail, "object=alert:A1") {
		t.Errorf("the search was not audited: %+v", last)
	}
}

// TestInvalidIDs checks that an id the trail cannot hold is refused as
// EINVALID and audited once, under a placeholder object.
func TestInvalidIDs(t *testing.T) {
	e := newEnv(t, 10)
	ctx := as(analyst())
	bad := " bad\x01id"
	for name, call := range map[string]func() error{
		"Alert": func() error { _, err := e.svc.Alert(ctx, bad); return err },
		"ChangeAlert": func() error {
			_, err := e.svc.ChangeAlert(ctx, bad, lantern.AlertStateUpdate{State: "triaged"})
			return err
		},
		"StaffProfile": func() error { _, err := e.svc.StaffProfile(ctx, bad); return err },
		"Person":       func() error { _, err := e.svc.Person(ctx, bad, lantern.IndexPage{}); return err },
	} {
		before := e.audit.len()
		if err := call(); codeOf(err) != lantern.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
		last := e.audit.last()
		if e.audit.len()-before != 1 || last.Outcome != lantern.AuditFailed || lantern.ValidateID("object", last.Object) != nil {
			t.Errorf("%s: audit %+v", name, last)
		}
	}
}
