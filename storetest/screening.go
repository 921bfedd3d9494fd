package storetest

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"lantern"
)

// testScreening checks that screening results are stored once, that each new
// finding becomes exactly one ungraded item on the audit trail, and that
// results can be listed and counted for coverage.
func testScreening(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	clear := &lantern.ScreeningResult{ID: "sc-1", StaffID: "S1", CheckedAt: hour(1), Check: lantern.CheckPNC, Result: lantern.ScreeningNoTrace, Reference: "PNC/24/1"}
	trace := &lantern.ScreeningResult{ID: "sc-2", StaffID: "S2", CheckedAt: hour(2), Check: lantern.CheckFinancial, Result: lantern.ScreeningTrace,
		Detail: "County court judgment of £4,200 registered 2024-01-12."}
	possible := &lantern.ScreeningResult{ID: "sc-3", StaffID: "S1", CheckedAt: hour(26), Check: lantern.CheckPND, Result: lantern.ScreeningPossibleTrace}
	created, err := s.RecordScreeningResults(ctx, nil, clear, trace, possible)
	must(t, err)
	if len(created) != 2 {
		t.Fatalf("created %d items, want 2", len(created))
	}
	for i, r := range []*lantern.ScreeningResult{trace, possible} {
		it := created[i]
		if it.ID <= 0 || r.IntelID != it.ID || it.Source != lantern.IntelFromScreening || it.SourceRef != "screening:"+r.ID ||
			it.State != lantern.IntelUngraded || it.StaffID != "" || it.CreatedBy != lantern.ScreeningActor || it.Summary != r.IntelSummary() {
			t.Errorf("item from %s: %+v", r.ID, it)
		}
		stored, err := s.IntelItem(ctx, it.ID)
		must(t, err)
		same(t, "stored item", stored, it)
	}
	if clear.IntelID != 0 {
		t.Errorf("no trace became item %d", clear.IntelID)
	}

	// Again, with one new result: only the new finding makes an item.
	fresh := &lantern.ScreeningResult{ID: "sc-4", StaffID: "S3", CheckedAt: hour(3), Check: lantern.CheckOther, Result: lantern.ScreeningTrace, Detail: "Land registry: second property undeclared."}
	again := *trace
	again.Detail = "changed"
	created, err = s.RecordScreeningResults(ctx, nil, clear, &again, possible, fresh)
	must(t, err)
	if len(created) != 1 || created[0].SourceRef != "screening:sc-4" {
		t.Fatalf("second batch created %+v", created)
	}
	items, n, err := s.FindIntelItems(ctx, lantern.IntelFilter{SourceRef: "screening:sc-2"})
	must(t, err)
	if n != 1 || len(items) != 1 {
		t.Errorf("items from sc-2: %d", n)
	}
	got, err := s.ScreeningResult(ctx, "sc-2")
	must(t, err)
	want := *trace
	want.CheckedAt = norm(want.CheckedAt)
	same(t, "result", got, &want)
	_, err = s.ScreeningResult(ctx, "nope")
	wantCode(t, err, lantern.ENOTFOUND)

	// The trail holds one intel.create per item, by the system, and is sound.
	entries, err := s.AuditEntries(ctx, lantern.AuditQuery{Action: "intel.create"})
	must(t, err)
	if len(entries) != 3 {
		t.Fatalf("intel.create entries: %d, want 3", len(entries))
	}
	for _, e := range entries {
		if e.UserID != lantern.ScreeningActor || e.Outcome != lantern.AuditAllowed {
			t.Errorf("entry %+v", e)
		}
	}
	if entries[0].Object != "intel:"+strconv.FormatInt(trace.IntelID, 10) {
		t.Errorf("first entry names %s, want item %d", entries[0].Object, trace.IntelID)
	}
	v, err := lantern.VerifyAudit(ctx, s, 0)
	must(t, err)
	if !v.OK() || v.Checked != 3 {
		t.Errorf("trail %+v", v)
	}

	// A bad result stores nothing of its batch.
	bad := &lantern.ScreeningResult{ID: "sc-5", StaffID: "S4", CheckedAt: hour(4), Check: "astrology", Result: lantern.ScreeningTrace}
	ok := &lantern.ScreeningResult{ID: "sc-6", StaffID: "S4", CheckedAt: hour(4), Check: lantern.CheckNFIB, Result: lantern.ScreeningTrace}
	_, err = s.RecordScreeningResults(ctx, nil, ok, bad)
	wantInvalid(t, err, "check")
	_, err = s.ScreeningResult(ctx, "sc-6")
	wantCode(t, err, lantern.ENOTFOUND)

	list, n, err := s.FindScreeningResults(ctx, lantern.ScreeningFilter{})
	must(t, err)
	if n != 4 || len(list) != 4 || list[0].ID != "sc-3" || list[3].ID != "sc-1" {
		t.Errorf("all results: %d %v", n, resultIDs(list))
	}
	list, n, err = s.FindScreeningResults(ctx, lantern.ScreeningFilter{StaffID: "S1", Findings: true})
	must(t, err)
	if n != 1 || list[0].ID != "sc-3" {
		t.Errorf("S1's findings: %d %v", n, resultIDs(list))
	}
	list, n, err = s.FindScreeningResults(ctx, lantern.ScreeningFilter{Since: hour(2), Until: hour(26), Limit: 1})
	must(t, err)
	if n != 2 || len(list) != 1 || list[0].ID != "sc-4" {
		t.Errorf("window: %d %v", n, resultIDs(list))
	}
	list, _, err = s.FindScreeningResults(ctx, lantern.ScreeningFilter{Check: lantern.CheckPNC})
	must(t, err)
	if len(list) != 1 || list[0].ID != "sc-1" || list[0].Reference != "PNC/24/1" {
		t.Errorf("PNC results: %v", resultIDs(list))
	}
	_, _, err = s.FindScreeningResults(ctx, lantern.ScreeningFilter{Limit: -1})
	wantCode(t, err, lantern.EINVALID)

	// Coverage: results, staff checked and findings per check.
	clear2 := &lantern.ScreeningResult{ID: "sc-7", StaffID: "S2", CheckedAt: hour(5), Check: lantern.CheckPNC, Result: lantern.ScreeningNoTrace}
	clear3 := &lantern.ScreeningResult{ID: "sc-8", StaffID: "S1", CheckedAt: hour(6), Check: lantern.CheckPNC, Result: lantern.ScreeningNoTrace}
	_, err = s.RecordScreeningResults(ctx, nil, clear2, clear3)
	must(t, err)
	cov, err := s.ScreeningCoverage(ctx, hour(0), time.Time{})
	must(t, err)
	same(t, "coverage", cov, []lantern.ScreeningCoverage{
		{Check: lantern.CheckPNC, Results: 3, Staff: 2, Findings: 0, Last: hour(6)},
		{Check: lantern.CheckPND, Results: 1, Staff: 1, Findings: 1, Last: hour(26)},
		{Check: lantern.CheckFinancial, Results: 1, Staff: 1, Findings: 1, Last: hour(2)},
		{Check: lantern.CheckOther, Results: 1, Staff: 1, Findings: 1, Last: hour(3)},
	})
	cov, err = s.ScreeningCoverage(ctx, hour(1.5), hour(24))
	must(t, err)
	same(t, "coverage in a window", cov, []lantern.ScreeningCoverage{
		{Check: lantern.CheckPNC, Results: 2, Staff: 2, Findings: 0, Last: hour(6)},
		{Check: lantern.CheckFinancial, Results: 1, Staff: 1, Findings: 1, Last: hour(2)},
		{Check: lantern.CheckOther, Results: 1, Staff: 1, Findings: 1, Last: hour(3)},
	})

	// With a seal, the item's text is stored sealed with its keys, in the
	// same transaction, and nothing of it in clear.
	sealedFinding := &lantern.ScreeningResult{ID: "sc-9", StaffID: "S2", CheckedAt: hour(4), Check: lantern.CheckNFIB, Result: lantern.ScreeningTrace,
		Detail: "Named in a fraud report."}
	var sealedText string
	seal := func(it *lantern.IntelItem) error {
		sealedText = it.Summary
		it.Sealed = &lantern.SealedIntelText{Summary: []byte("sealed:" + it.SourceRef), Keys: []lantern.IntelKey{intelKey("ann")}}
		it.Summary, it.Sanitised = "", ""
		return nil
	}
	created, err = s.RecordScreeningResults(ctx, seal, sealedFinding)
	must(t, err)
	if len(created) != 1 || sealedText != sealedFinding.IntelSummary() {
		t.Fatalf("sealed batch created %+v, sealed %q", created, sealedText)
	}
	stored, err := s.IntelItem(ctx, created[0].ID)
	must(t, err)
	if stored.Summary != "" || stored.Sealed == nil || string(stored.Sealed.Summary) != "sealed:screening:sc-9" || stored.SourceRef != "screening:sc-9" {
		t.Errorf("sealed finding stored as %+v", stored)
	}
	if _, err := s.IntelKey(ctx, created[0].ID, "ann"); err != nil {
		t.Errorf("the sealed finding's key: %v", err)
	}
	unsealable := &lantern.ScreeningResult{ID: "sc-10", StaffID: "S2", CheckedAt: hour(5), Check: lantern.CheckPNC, Result: lantern.ScreeningTrace}
	_, err = s.RecordScreeningResults(ctx, func(*lantern.IntelItem) error { return lantern.Errorf(lantern.EUNAVAILABLE, "no keys") }, unsealable)
	wantCode(t, err, lantern.EUNAVAILABLE)
	wantCode(t, func() error { _, err := s.ScreeningResult(ctx, "sc-10"); return err }(), lantern.ENOTFOUND)
}

// testScreeningConcurrent records the same findings from several goroutines
// at once, as two intake processes sharing a database might: each becomes
// exactly one item, and the trail stays one sound chain.
func testScreeningConcurrent(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	batch := func() []*lantern.ScreeningResult {
		var rs []*lantern.ScreeningResult
		for i := range 20 {
			result := lantern.ScreeningNoTrace
			if i%4 == 0 {
				result = lantern.ScreeningTrace
			}
			rs = append(rs, &lantern.ScreeningResult{ID: "c-" + strconv.Itoa(i), StaffID: "S" + strconv.Itoa(i%5), CheckedAt: hour(float64(i)),
				Check: lantern.CheckPND, Result: result, Detail: "Named in an intelligence report."})
		}
		return rs
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	created := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := s.RecordScreeningResults(ctx, nil, batch()...)
			errs <- err
			created <- len(items)
		}()
	}
	wg.Wait()
	close(errs)
	close(created)
	for err := range errs {
		must(t, err)
	}
	total := 0
	for n := range created {
		total += n
	}
	_, n, err := s.FindIntelItems(ctx, lantern.IntelFilter{})
	must(t, err)
	if total != 5 || n != 5 {
		t.Errorf("created %d items (%d stored), want 5", total, n)
	}
	v, err := lantern.VerifyAudit(ctx, s, 0)
	must(t, err)
	if !v.OK() || v.Checked != 5 {
		t.Errorf("trail %+v", v)
	}
}

func resultIDs(list []*lantern.ScreeningResult) []string {
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}
