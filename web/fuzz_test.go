package web

import (
	"net/url"
	"strings"
	"testing"

	"lantern"
)

// FuzzSafeNext checks that no sign-in "next" value can send the browser
// off the site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/alerts", "//evil.example", "/\\evil", "https://x", "/signin", "", "/a?b=c#d", "/\t/evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		u, err := url.Parse(got)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}

// FuzzQueryForms checks the queue's and the audit trail's query parsers:
// any query string gives a filter or field errors, never a panic, and a
// date accepted is a real one.
func FuzzQueryForms(f *testing.F) {
	for _, s := range []string{"rule=x&state=new&since=2026-03-01&until=2026-03-02&limit=5", "state=bogus", "since=2026-02-30", "limit=-1", "since=2026-03-01T00:00:00Z", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		qf, _, errs := queueFilter(q)
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("error without field or message: %+v", e)
			}
		}
		if qf.Limit < 0 || qf.Limit > maxListLimit {
			t.Fatalf("limit %d", qf.Limit)
		}
		if _, _, err := personPage(q); err == nil {
			p, _, _ := personPage(q)
			if p.Offset < 0 || p.Limit != personPageSize {
				t.Fatalf("page %+v", p)
			}
		}
	})
}

// FuzzReportFilter checks the reports list's query parser: any query
// string gives a filter with a known status and a limit in range, or a
// field error, never a panic.
func FuzzReportFilter(f *testing.F) {
	for _, s := range []string{"", "status=closed", "status=nonsense", "limit=0", "limit=1000", "limit=-1&status=received", "limit=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := reportFilter(q)
		if err != nil {
			return
		}
		if got.Limit < 1 || got.Limit > maxListLimit {
			t.Fatalf("limit %d from %q", got.Limit, raw)
		}
		if got.Status != "" && lantern.ValidateOneOf("status", got.Status, lantern.ReportStates...) != nil {
			t.Fatalf("status %q from %q", got.Status, raw)
		}
	})
}

// FuzzIntelFilter: the intelligence log's query string gives a valid
// filter or a clear error.
func FuzzIntelFilter(f *testing.F) {
	for _, s := range []string{"", "state=graded", "state=bogus", "limit=5&offset=10", "limit=0", "offset=-1", "limit=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := intelFilter(q)
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID {
				t.Fatalf("error %v from %q", err, raw)
			}
			return
		}
		if got.Limit < 1 || got.Limit > maxListLimit || got.Offset < 0 {
			t.Fatalf("limit %d offset %d from %q", got.Limit, got.Offset, raw)
		}
		if got.State != "" && lantern.ValidateOneOf("state", got.State, lantern.IntelStates...) != nil {
			t.Fatalf("state %q from %q", got.State, raw)
		}
	})
}

// FuzzFormGrade: a grading form gives a grade or a clear error, and a
// grade it gives either validates or is refused by Validate with EINVALID.
func FuzzFormGrade(f *testing.F) {
	f.Add("2", "B", "C", "not outside the force")
	f.Add("1", "A", "P", "ignored")
	f.Add("", "", "", "")
	f.Add("x", "Z", "Q", "")
	f.Fuzz(func(t *testing.T, source, intelligence, handling, conditions string) {
		g, err := formGrade(source, intelligence, handling, conditions)
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID {
				t.Fatalf("error %v", err)
			}
			return
		}
		if err := g.Validate(); err != nil && lantern.ErrorCode(err) != lantern.EINVALID {
			t.Fatalf("Validate: %v", err)
		}
		if g.Handling == lantern.HandlingP && g.Conditions != "" {
			t.Fatalf("P with conditions %q", g.Conditions)
		}
	})
}
