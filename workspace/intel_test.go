package workspace_test

import (
	"math"
	"testing"

	"lantern"
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
