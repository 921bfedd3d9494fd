package index_test

import (
	"context"
	"sync"
	"testing"

	"lantern"
	"lantern/detect"
	"lantern/workspace"
)

// trail is an in-memory audit trail for this test.
type trail struct {
	mu sync.Mutex
	n  int64
}

func (t *trail) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	e.Seq = t.n
	return e, nil
}

func (t *trail) AuditEntries(context.Context, lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	return nil, nil
}

// checkWorkspace saves the replay's alerts and reads them back through the
// workspace, as an analyst would: the evidence of a purpose rule shows
// without purpose on the alert's timeline, and a person's view shows an
// assigned officer's access with purpose.
func checkWorkspace(t *testing.T, f *force, want logged) {
	t.Helper()
	ctx := t.Context()
	var alerts []*lantern.Alert
	for _, a := range want.alerts {
		alerts = append(alerts, &lantern.Alert{ID: a.ID, Rule: a.Rule, StaffID: a.StaffID, Key: a.Key,
			Severity: a.Severity, Score: a.Score, Signal: a.Signal, FirstEvidence: a.FirstEvidence,
			LastEvidence: a.LastEvidence, EvidenceIDs: a.EvidenceIDs, Matches: a.Matches, Explanation: a.Explanation})
	}
	if err := f.store.SaveAlerts(ctx, alerts...); err != nil {
		t.Fatal(err)
	}
	svc, err := workspace.NewFromStore(f.store, &trail{}, nil, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wctx := lantern.WithPrincipal(ctx, lantern.Principal{UserID: "u1", Role: lantern.UserAnalyst})
	var sample *detect.Alert
	for _, a := range want.alerts {
		if a.Rule == "renewed_interest_after_contact" || a.Rule == "off_duty_access" {
			sample = &a
			break
		}
	}
	if sample == nil {
		t.Fatal("no alert of a purpose rule")
	}
	d, err := svc.Alert(wctx, sample.ID)
	if err != nil {
		t.Fatal(err)
	}
	evidence := 0
	for _, e := range d.Timeline {
		if e.Evidence {
			evidence++
			if e.Purpose != lantern.PurposeNo {
				t.Errorf("evidence %s of %s shows purpose %s", e.EventID, sample.Rule, e.Purpose)
			}
		}
	}
	if evidence != len(sample.EvidenceIDs) || len(d.Missing) != 0 {
		t.Errorf("timeline shows %d of %d evidence events, missing %v", evidence, len(sample.EvidenceIDs), d.Missing)
	}
	// A person accessed by an officer with an open case of theirs.
	for _, e := range want.direct {
		if e.Kind != lantern.IndexedAccess || e.Purpose != lantern.PurposeYes || e.PersonID == "" {
			continue
		}
		v, err := svc.Person(wctx, e.PersonID, lantern.IndexPage{Limit: lantern.MaxIndexPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range v.Accesses {
			if a.EventID == e.ID {
				if a.Purpose != lantern.PurposeYes || a.Staff.ID != e.StaffID {
					t.Errorf("person view shows %+v", a)
				}
				return
			}
		}
		if v.Total <= lantern.MaxIndexPage {
			t.Fatalf("person %s's view lacks access %s", e.PersonID, e.ID)
		}
	}
	t.Error("no access with purpose to check")
}
