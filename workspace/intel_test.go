package workspace_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/intel"
	"lantern/workspace"
)

func TestIntelWeight(t *testing.T) {
	for _, c := range []struct {
		g    *lantern.Grade
		want float64
	}{
		{nil, 0},
		{&lantern.Grade{Source: 1, Intelligence: "A", Handling: "P"}, 10},
		{&lantern.Grade{Source: 2, Intelligence: "B", Handling: "C", Conditions: "x"}, 4.8},
		{&lantern.Grade{Source: 3, Intelligence: "D", Handling: "P"}, 0.9},
		{&lantern.Grade{Source: 1, Intelligence: "E", Handling: "P"}, 0},
	} {
		if got := workspace.IntelWeight(c.g); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%v: %v, want %v", c.g, got, c.want)
		}
	}
	// Source 1 / intelligence A weighs most; every step down weighs less.
	prev := math.Inf(1)
	for _, g := range []lantern.Grade{{Source: 1, Intelligence: "A"}, {Source: 1, Intelligence: "B"}, {Source: 2, Intelligence: "B"}, {Source: 2, Intelligence: "C"}, {Source: 3, Intelligence: "C"}} {
		w := workspace.IntelWeight(&g)
		if w >= prev {
			t.Errorf("%v weighs %v, not less than the grade before (%v)", g, w, prev)
		}
		prev = w
	}
}

// TestEscalationMakesLinkedIntel escalates an alert and follows the
// intelligence item it makes: on the subject's profile, weighing nothing
// until graded, then raising the subject's risk in the profile and the
// queue; never shown to the subject.
func TestEscalationMakesLinkedIntel(t *testing.T) {
	e := newEnv(t, 10)
	ctx := as(analyst())
	before, err := e.svc.StaffProfile(ctx, "S2")
	must(t, err)
	_, err = e.svc.ChangeAlert(ctx, "A2", lantern.AlertStateUpdate{State: lantern.AlertEscalated, Reason: "to the case team"})
	must(t, err)
	if a := e.audit.last(); a.Action != "intel.create" || a.Outcome != lantern.AuditAllowed || !contains(a.Detail, "alert:A2") || !contains(a.Detail, "staff:S2") {
		t.Fatalf("last audit entry %+v", a)
	}
	items, _, err := e.store.FindIntelItems(t.Context(), lantern.IntelFilter{SourceRef: "alert:A2"})
	must(t, err)
	if len(items) != 1 || items[0].State != lantern.IntelUngraded || items[0].StaffID != "S2" || items[0].LinkedBy != "u-analyst" || items[0].Source != lantern.IntelFromAlert {
		t.Fatalf("items %+v", items)
	}
	it := items[0]

	p, err := e.svc.StaffProfile(ctx, "S2")
	must(t, err)
	var entry *workspace.ProfileEntry
	for i := range p.Timeline {
		if p.Timeline[i].Kind == workspace.ProfileIntel {
			entry = &p.Timeline[i]
		}
	}
	if entry == nil || entry.State != lantern.IntelUngraded || entry.Weight != 0 {
		t.Fatalf("timeline %+v", p.Timeline)
	}
	if p.Risk.Score != before.Risk.Score {
		t.Errorf("an ungraded item changed the risk: %v -> %v", before.Risk.Score, p.Risk.Score)
	}

	// Graded 1/A, it adds its weight, decayed from when it was recorded.
	_, err = e.store.GradeIntelItem(t.Context(), it.ID, lantern.Grading{Grade: lantern.Grade{Source: 1, Intelligence: "A", Handling: "P"}, By: "u-analyst", At: at(100)})
	must(t, err)
	after, err := e.svc.StaffProfile(ctx, "S2")
	must(t, err)
	if after.Risk.Score <= p.Risk.Score+1 || after.Risk.Score > p.Risk.Score+workspace.MaxIntelWeight+1e-9 {
		t.Errorf("graded 1/A: risk %v -> %v", p.Risk.Score, after.Risk.Score)
	}
	if !contains(after.Risk.Explanation, workspace.IntelRule) {
		t.Errorf("explanation %q does not name intelligence", after.Risk.Explanation)
	}
	if n := len(after.Series); n == 0 || math.Abs(after.Series[n-1].Score-after.Risk.Score) > 1e-6 {
		t.Errorf("series ends %v, risk %v", after.Series, after.Risk.Score)
	}
	q, err := e.svc.Queue(as(principal(lantern.UserInvestigator, "S8")), workspace.QueueFilter{State: lantern.AlertEscalated})
	must(t, err)
	if len(q.Items) != 1 || math.Abs(q.Items[0].StaffRisk-after.Risk.Score) > 1e-9 {
		t.Errorf("queue %+v, want S2 at %v", q.Items, after.Risk.Score)
	}

	// Self-exclusion: a user whose staff record is S2 sees neither the
	// profile nor the item.
	subject := principal(lantern.UserAnalyst, "S2")
	if _, err := e.svc.StaffProfile(as(subject), "S2"); codeOf(err) != lantern.EFORBIDDEN {
		t.Errorf("own profile: %v", err)
	}
	il, err := intel.NewService(intel.Config{Store: e.store, Audit: e.audit, Staff: e.store})
	must(t, err)
	if _, err := il.Get(as(subject), it.ID); codeOf(err) != lantern.EFORBIDDEN {
		t.Errorf("own item: %v", err)
	}
	list, _, err := il.List(as(subject), lantern.IntelFilter{})
	must(t, err)
	for _, x := range list {
		if x.StaffID == "S2" {
			t.Errorf("the subject was listed an item about them: %+v", x)
		}
	}
	if got, _, err := il.List(as(analyst()), lantern.IntelFilter{}); err != nil || len(got) != 1 {
		t.Errorf("a colleague's list: %v %v", got, err)
	}
}

// TestRiskScoresCountIntelInEventTime checks that graded, linked items
// count in the ranking every consumer uses, and that an item recorded after
// the newest evidence counts as of that evidence: it neither moves the
// ranking's clock (ageing everyone's alerts) nor is aged itself.
func TestRiskScoresCountIntelInEventTime(t *testing.T) {
	e := newEnv(t, 10)
	ctx := t.Context()
	alertsOnly, err := e.store.AlertScores(ctx)
	must(t, err)
	before := detect.RiskOf(alertsOnly, workspace.DefaultHalfLife)
	if before.Now().IsZero() {
		t.Fatal("the test force has no alerts")
	}

	record := func(staff string, created time.Time, g *lantern.Grade) int64 {
		it := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:r-" + staff, Summary: "A concern.",
			State: lantern.IntelUngraded, CreatedBy: "u-analyst", CreatedAt: created}
		must(t, e.store.CreateIntelItem(ctx, it))
		_, err := e.store.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: staff, By: "u-analyst", At: created})
		must(t, err)
		if g != nil {
			_, err = e.store.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: *g, By: "u-analyst", At: created})
			must(t, err)
		}
		return it.ID
	}
	late := before.Now().AddDate(2, 0, 0) // recorded long after the newest event
	early := before.Now().Add(-24 * time.Hour)
	lateID := record("S9", late, &lantern.Grade{Source: 1, Intelligence: "A", Handling: "P"})
	earlyID := record("S8", early, &lantern.Grade{Source: 2, Intelligence: "B", Handling: "P"})
	record("S7", late, nil) // ungraded: weighs nothing

	scores, err := workspace.RiskScores(ctx, e.store, e.store)
	must(t, err)
	if len(scores) != len(alertsOnly)+2 {
		t.Fatalf("%d scores, want the %d alerts and 2 graded items", len(scores), len(alertsOnly))
	}
	byID := map[string]lantern.AlertScore{}
	for _, s := range scores {
		byID[s.ID] = s
	}
	lateScore, earlyScore := byID["intel:"+strconv.FormatInt(lateID, 10)], byID["intel:"+strconv.FormatInt(earlyID, 10)]
	if !lateScore.LastEvidence.Equal(before.Now()) || lateScore.Score != workspace.MaxIntelWeight || lateScore.StaffID != "S9" || lateScore.Rule != workspace.IntelRule {
		t.Errorf("late item scored %+v, want weight %v as of %v", lateScore, workspace.MaxIntelWeight, before.Now())
	}
	if !earlyScore.LastEvidence.Equal(early) || math.Abs(earlyScore.Score-4.8) > 1e-9 {
		t.Errorf("early item scored %+v, want 4.8 as of %v", earlyScore, early)
	}

	after := detect.RiskOf(scores, workspace.DefaultHalfLife)
	if !after.Now().Equal(before.Now()) {
		t.Errorf("the ranking's clock moved from %v to %v", before.Now(), after.Now())
	}
	for _, sr := range before.Ranked(0) {
		if sr.StaffID == "S9" || sr.StaffID == "S8" {
			continue
		}
		if got := after.Score(sr.StaffID).Score; math.Abs(got-sr.Score) > 1e-9 {
			t.Errorf("%s: %v without intelligence, %v with it", sr.StaffID, sr.Score, got)
		}
	}
	if got := after.Score("S9").Score; math.Abs(got-(before.Score("S9").Score+workspace.MaxIntelWeight)) > 1e-6 {
		t.Errorf("S9: %v, want %v plus the undecayed item", got, before.Score("S9").Score)
	}

	// Without an intelligence log the scores are the alerts'.
	plain, err := workspace.RiskScores(ctx, e.store, nil)
	must(t, err)
	if len(plain) != len(alertsOnly) {
		t.Errorf("%d scores without a log, want %d", len(plain), len(alertsOnly))
	}
}
