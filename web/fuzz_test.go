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
