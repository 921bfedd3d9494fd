package intake_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lantern"
	"lantern/ingest"
	"lantern/intake"
)

func screeningLine(id, staff, check, result, detail string) string {
	line := fmt.Sprintf(`{"id":%q,"staff_id":%q,"checked_at":"2026-03-01T10:15:00Z","check":%q,"result":%q`, id, staff, check, result)
	if detail != "" {
		line += fmt.Sprintf(`,"detail":%q`, detail)
	}
	return line + "}"
}

// screeningItems returns the intelligence items recorded from screening.
func screeningItems(t *testing.T, st lantern.IntelService) []*lantern.IntelItem {
	t.Helper()
	var out []*lantern.IntelItem
	all, _, err := st.FindIntelItems(context.Background(), lantern.IntelFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range all {
		if it.Source == lantern.IntelFromScreening {
			out = append(out, it)
		}
	}
	return out
}

// TestScreeningIntake sends screening results: every good one is stored,
// each finding becomes one unlinked intelligence item on the audit trail,
// bad rows and unknown staff go to quarantine with their line, field and
// reason, and neither sending again nor replaying the log after a crash or
// from nothing makes a second item.
func TestScreeningIntake(t *testing.T) {
	dir := t.TempDir()
	r := openRig(t, dir)
	checkCounts(t, r.submit(t, ingest.KindStaff, staffLines), 2, 0, 0)
	body := strings.Join([]string{
		screeningLine("v1", "S1", "pnc", "no_trace", ""),
		screeningLine("v2", "S1", "financial", "trace", "County court judgment, 2026-01-12."),
		screeningLine("v3", "S2", "social_media", "possible_trace", "Account may belong to her: contact with a victim."),
		screeningLine("v1", "S1", "pnc", "no_trace", ""),
		screeningLine("v4", "S1", "tarot", "trace", ""),
		screeningLine("v5", "S99", "pnd", "trace", "Named in an intelligence report."),
		`{"id":"v6","staff_id":"S1","checked_at":"2026-03-01 10:15:00","check":"pnc","result":"no_trace"}`,
	}, "\n")
	sum := r.submit(t, ingest.KindScreening, body)
	checkCounts(t, sum, 3, 1, 3)
	want := []struct {
		line         int
		field, cause string
	}{{5, "check", `check "tarot" is not one of`}, {6, "staff_id", "unknown staff id"}, {7, "checked_at", "no zone offset"}}
	for i, w := range want {
		e := sum.Errors[i]
		if e.Line != w.line || e.Field != w.field || !strings.Contains(e.Reason, w.cause) {
			t.Errorf("error %d: %+v, want line %d field %s reason %q", i, e, w.line, w.field, w.cause)
		}
	}
	rows, n, err := r.store.FindRejections(context.Background(), lantern.RejectionFilter{})
	if err != nil || n != 3 {
		t.Fatalf("quarantine: %d rows, %v", n, err)
	}
	for _, row := range rows {
		if row.Kind != "screening" || row.Source != "screening.jsonl" {
			t.Errorf("quarantined row %+v", row)
		}
	}
	results, n, err := r.store.FindScreeningResults(context.Background(), lantern.ScreeningFilter{})
	if err != nil || n != 3 {
		t.Fatalf("stored results: %d, %v", n, err)
	}
	if results[0].StaffID == "" || results[0].CheckedAt.IsZero() {
		t.Fatalf("result %+v", results[0])
	}

	items := screeningItems(t, r.store)
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	refs := map[string]*lantern.IntelItem{}
	for _, it := range items {
		refs[it.SourceRef] = it
		if it.StaffID != "" || it.State != lantern.IntelUngraded || it.CreatedBy != lantern.ScreeningActor {
			t.Errorf("item %+v", it)
		}
	}
	if refs["screening:v2"] == nil || refs["screening:v3"] == nil {
		t.Fatalf("items from %v", refs)
	}
	if s := refs["screening:v2"].Summary; s != "A trace on the financial check of 2026-03-01 (10:15 UTC) naming staff S1. County court judgment, 2026-01-12." {
		t.Errorf("summary %q", s)
	}
	entries, err := r.store.AuditEntries(context.Background(), lantern.AuditQuery{Action: "intel.create", UserID: lantern.ScreeningActor})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}

	// Sent again: all duplicates. After a crash the log is replayed from the
	// snapshot taken before the results, and nothing is created twice.
	r.close(t)
	r = openRig(t, dir)
	checkCounts(t, r.submit(t, ingest.KindScreening, screeningLine("v7", "S2", "nfib", "trace", "Reported to Action Fraud as a victim.")), 1, 0, 0)
	r.crash(t)
	r = openRig(t, dir)
	checkCounts(t, r.submit(t, ingest.KindScreening, body), 0, 4, 3)
	if items := screeningItems(t, r.store); len(items) != 3 {
		t.Fatalf("after crash and resend: %d items, want 3", len(items))
	}
	r.close(t)

	// A store rebuilt from the log alone gets each item once.
	if err := os.Remove(filepath.Join(dir, "lantern.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "intake.ids")); err != nil {
		t.Fatal(err)
	}
	r = openRig(t, dir)
	defer r.close(t)
	if items := screeningItems(t, r.store); len(items) != 3 {
		t.Fatalf("rebuilt: %d items, want 3", len(items))
	}
	if _, n, _ := r.store.FindScreeningResults(context.Background(), lantern.ScreeningFilter{}); n != 4 {
		t.Fatalf("rebuilt: %d results, want 4", n)
	}
}

// TestScreeningFindingsSealed checks that intake hands the store the seal
// Config.SealIntel gives, so a finding's item is written sealed, and that
// without a seal (no unit member has a key yet) the finding is still
// stored, in clear, with a warning, rather than lost.
func TestScreeningFindingsSealed(t *testing.T) {
	dir := t.TempDir()
	var sealedTexts []string
	available := true
	r := openRig(t, dir, func(c *intake.Config) {
		c.SealIntel = func(context.Context) (lantern.IntelSeal, error) {
			if !available {
				return nil, lantern.Errorf(lantern.EUNAVAILABLE, "no unit member holds a key")
			}
			return func(it *lantern.IntelItem) error {
				sealedTexts = append(sealedTexts, it.Summary)
				it.Sealed = &lantern.SealedIntelText{Summary: []byte("sealed " + it.SourceRef)}
				it.Summary, it.Sanitised = "", ""
				return nil
			}, nil
		}
	})
	defer r.close(t)
	checkCounts(t, r.submit(t, ingest.KindStaff, staffLines), 2, 0, 0)
	checkCounts(t, r.submit(t, ingest.KindScreening, screeningLine("v1", "S1", "financial", "trace", "Undeclared second job.")), 1, 0, 0)
	items := screeningItems(t, r.store)
	if len(items) != 1 || items[0].Summary != "" || items[0].Sealed == nil || string(items[0].Sealed.Summary) != "sealed screening:v1" {
		t.Fatalf("items %+v", items)
	}
	if len(sealedTexts) != 1 || !strings.Contains(sealedTexts[0], "Undeclared second job.") {
		t.Errorf("sealed %q", sealedTexts)
	}

	available = false
	checkCounts(t, r.submit(t, ingest.KindScreening, screeningLine("v2", "S2", "pnd", "trace", "Named as an associate.")), 1, 0, 0)
	items = screeningItems(t, r.store)
	var clear *lantern.IntelItem
	for _, it := range items {
		if it.SourceRef == "screening:v2" {
			clear = it
		}
	}
	if clear == nil || clear.Sealed != nil || !strings.Contains(clear.Summary, "Named as an associate.") {
		t.Errorf("without a seal: %+v", clear)
	}
}
