package screening_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"lantern"
	"lantern/intel"
	"lantern/screening"
	"lantern/sqlite"
)

func TestProposer(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := &lantern.ScreeningResult{ID: "vs-1", StaffID: "S1001", CheckedAt: time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC),
		Check: lantern.CheckPNC, Result: lantern.ScreeningTrace, Detail: "Caution for assault, 2019."}
	items, err := db.RecordScreeningResults(ctx, nil, r)
	if err != nil || len(items) != 1 {
		t.Fatalf("record: %v %v", items, err)
	}
	propose := screening.Proposer(db)
	got, err := propose(ctx, items[0].SourceRef)
	if err != nil || len(got) != 1 || got[0].StaffID != "S1001" || got[0].Reason != "named by the PNC check of 2026-03-01" {
		t.Fatalf("proposals %+v %v", got, err)
	}
	if it, _ := db.IntelItem(ctx, items[0].ID); it.StaffID != "" {
		t.Fatalf("proposing linked the item: %+v", it)
	}
	for ref, code := range map[string]string{"screening:vs-9": lantern.ENOTFOUND, "report:r1": lantern.EINVALID, "screening:": lantern.EINVALID, "": lantern.EINVALID} {
		if _, err := propose(ctx, ref); lantern.ErrorCode(err) != code {
			t.Errorf("propose(%q): %v, want %s", ref, err, code)
		}
	}
}

// memAudit keeps audit entries in memory, for the intel service.
type memAudit struct{ entries []lantern.AuditEntry }

func (a *memAudit) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	a.entries = append(a.entries, e)
	return e, nil
}

func (a *memAudit) AuditEntries(context.Context, lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	return a.entries, nil
}

// TestFindingKeptFromItsSubject checks that an item recorded from a
// screening finding is kept from the member of staff it names before
// anyone links it, while a colleague sees it and is offered the link.
func TestFindingKeptFromItsSubject(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.UpsertStaff(ctx, &lantern.Staff{ID: "S1001", Category: "officer", Role: "response", Team: "Team 1", Gender: "female",
		StartDate: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Dana Reed"}); err != nil {
		t.Fatal(err)
	}
	items, err := db.RecordScreeningResults(ctx, nil, &lantern.ScreeningResult{ID: "vs-1", StaffID: "S1001",
		CheckedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Check: lantern.CheckPND, Result: lantern.ScreeningTrace, Detail: "Named as an associate."})
	if err != nil || len(items) != 1 {
		t.Fatalf("record: %v %v", items, err)
	}
	id := items[0].ID
	il, err := intel.NewService(intel.Config{Store: db, Audit: &memAudit{}, Staff: db,
		Proposers: map[string]func(context.Context, string) ([]intel.Proposal, error){lantern.IntelFromScreening: screening.Proposer(db)},
		Named:     map[string]func(context.Context, string) (string, error){lantern.IntelFromScreening: screening.Named(db)}})
	if err != nil {
		t.Fatal(err)
	}
	as := func(staff string) context.Context {
		return lantern.WithPrincipal(ctx, lantern.Principal{UserID: "u-" + staff, Role: lantern.UserAnalyst, StaffID: staff, SessionID: "s"})
	}
	subject, colleague := as("S1001"), as("S2002")

	if _, err := il.Get(subject, id); lantern.ErrorCode(err) != lantern.EFORBIDDEN {
		t.Errorf("the subject opened the item: %v", err)
	}
	if list, n, err := il.List(subject, lantern.IntelFilter{}); err != nil || n != 0 || len(list) != 0 {
		t.Errorf("the subject's list: %d %v %v", n, list, err)
	}
	if _, err := il.Proposals(subject, id); lantern.ErrorCode(err) != lantern.EFORBIDDEN {
		t.Errorf("the subject saw proposals: %v", err)
	}
	if _, err := il.Grade(subject, id, lantern.Grade{Source: 1, Intelligence: "A", Handling: lantern.HandlingP}); lantern.ErrorCode(err) != lantern.EFORBIDDEN {
		t.Errorf("the subject graded it: %v", err)
	}

	if _, err := il.Get(colleague, id); err != nil {
		t.Errorf("a colleague: %v", err)
	}
	if list, n, err := il.List(colleague, lantern.IntelFilter{}); err != nil || n != 1 || len(list) != 1 {
		t.Errorf("a colleague's list: %d %v %v", n, list, err)
	}
	ps, err := il.Proposals(colleague, id)
	if err != nil || len(ps) != 1 || ps[0].Staff.ID != "S1001" || ps[0].Reason != "named by the PND check of 2026-03-01" {
		t.Errorf("a colleague's proposals: %+v %v", ps, err)
	}
}
