package lantern_test

import (
	"strings"
	"testing"
	"time"

	"lantern"
)

func validScreening() *lantern.ScreeningResult {
	return &lantern.ScreeningResult{ID: "vs-1", StaffID: "S1001", CheckedAt: time.Date(2026, 3, 1, 23, 40, 0, 0, time.UTC),
		Check: lantern.CheckPNC, Result: lantern.ScreeningTrace, Detail: "Caution for assault, 2019; not declared.", Reference: "PNC/26/7"}
}

func TestScreeningResultValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(r *lantern.ScreeningResult)
		field  string
	}{
		{"valid", func(*lantern.ScreeningResult) {}, ""},
		{"no trace without detail", func(r *lantern.ScreeningResult) { r.Result, r.Detail = lantern.ScreeningNoTrace, "" }, ""},
		{"other no trace without detail", func(r *lantern.ScreeningResult) {
			r.Check, r.Result, r.Detail = lantern.CheckOther, lantern.ScreeningNoTrace, ""
		}, ""},
		{"no id", func(r *lantern.ScreeningResult) { r.ID = "" }, "id"},
		{"no staff", func(r *lantern.ScreeningResult) { r.StaffID = "" }, "staff_id"},
		{"no time", func(r *lantern.ScreeningResult) { r.CheckedAt = time.Time{} }, "checked_at"},
		{"unknown check", func(r *lantern.ScreeningResult) { r.Check = "tarot" }, "check"},
		{"unknown result", func(r *lantern.ScreeningResult) { r.Result = "match" }, "result"},
		{"long detail", func(r *lantern.ScreeningResult) { r.Detail = strings.Repeat("x", lantern.MaxScreeningDetail+1) }, "detail"},
		{"control in detail", func(r *lantern.ScreeningResult) { r.Detail = "a\x00b" }, "detail"},
		{"other finding without detail", func(r *lantern.ScreeningResult) { r.Check, r.Detail = lantern.CheckOther, " \n" }, "detail"},
		{"bad reference", func(r *lantern.ScreeningResult) { r.Reference = " R" }, "reference"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := validScreening()
			tt.change(r)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) != tt.field {
				t.Fatalf("got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestScreeningIntelItem(t *testing.T) {
	r := validScreening()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	it := r.IntelItem(now)
	if err := it.Validate(); err != nil {
		t.Fatal(err)
	}
	want := "A trace on the PNC check of 2026-03-01 (23:40 UTC) naming staff S1001. Caution for assault, 2019; not declared. (check reference PNC/26/7)"
	if it.Summary != want || it.SourceRef != "screening:vs-1" || it.Source != lantern.IntelFromScreening ||
		it.State != lantern.IntelUngraded || it.StaffID != "" || it.CreatedBy != lantern.ScreeningActor || !it.CreatedAt.Equal(now) {
		t.Fatalf("item %+v", it)
	}
	r.Result, r.Check, r.Detail, r.Reference = lantern.ScreeningPossibleTrace, lantern.CheckSocialMedia, "", ""
	if s := r.IntelSummary(); s != "A possible trace on the social media check of 2026-03-01 (23:40 UTC) naming staff S1001." {
		t.Fatalf("summary %q", s)
	}
	if !r.Finding() {
		t.Error("a possible trace is a finding")
	}
	r.Result = lantern.ScreeningNoTrace
	if r.Finding() {
		t.Error("no trace is a finding")
	}
	it.ID = 42
	e := r.ScreeningAudit(it, now)
	if err := e.Validate(); err != nil || e.Action != "intel.create" || e.Object != "intel:42" || e.UserID != lantern.ScreeningActor {
		t.Fatalf("audit entry %+v: %v", e, err)
	}
}

func TestSortScreeningCoverage(t *testing.T) {
	cs := []lantern.ScreeningCoverage{{Check: lantern.CheckOther}, {Check: lantern.CheckFinancial}, {Check: lantern.CheckPNC}}
	lantern.SortScreeningCoverage(cs)
	if cs[0].Check != lantern.CheckPNC || cs[1].Check != lantern.CheckFinancial || cs[2].Check != lantern.CheckOther {
		t.Fatalf("order %+v", cs)
	}
}
