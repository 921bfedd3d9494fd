package screening_test

import (
	"path/filepath"
	"testing"
	"time"

	"lantern"
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
