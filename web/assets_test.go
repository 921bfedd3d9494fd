package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/workspace"
)

// TestVendoredAssetsMatchManifest checks every embedded vendored file
// against the SHA-256 that scripts/fetch-assets recorded, and that nothing
// is embedded that the manifest does not list.
func TestVendoredAssetsMatchManifest(t *testing.T) {
	f, err := assetFS.Open("assets/vendor/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad manifest line %q", sc.Text())
		}
		want[name] = sum
	}
	if len(want) < 5 {
		t.Fatalf("manifest lists %d files", len(want))
	}
	seen := 0
	err = fs.WalkDir(assetFS, "assets/vendor", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "assets/vendor/SHA256SUMS" {
			return err
		}
		name := strings.TrimPrefix(p, "assets/vendor/")
		b, err := fs.ReadFile(assetFS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if w, ok := want[name]; !ok {
			t.Errorf("%s is embedded but not in the manifest", name)
		} else if w != hex.EncodeToString(sum[:]) {
			t.Errorf("%s does not match the manifest: run scripts/fetch-assets", name)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("manifest lists %d files, %d embedded", len(want), seen)
	}
}

func TestAssetsAreServedWithLongCache(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.assets.url("vendor/govuk-frontend/govuk-frontend.min.css")
	r := get(t, s.Handler(), u)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("%s: %d %v", u, r.StatusCode, r.Header)
	}
	r = get(t, s.Handler(), "/assets/lantern.js")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("unversioned: %d %v", r.StatusCode, r.Header)
	}
	for _, p := range []string{"/assets/vendor/SHA256SUMS", "/assets/nothing.js", "/assets/../server.go", "/assets/vendor/../../server.go"} {
		if r := get(t, s.Handler(), p); r.StatusCode == 200 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

var (
	scriptTag   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineEvent = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleAttr   = regexp.MustCompile(`(?i)\sstyle\s*=`)
)

// TestPagesNeedNoInlineScript renders every main page and checks the
// strict policy holds: scripts only from files, no event handler or style
// attributes, and the CSP header allows nothing but 'self'.
func TestPagesNeedNoInlineScript(t *testing.T) {
	e := newTestEnv(t)
	analyst := e.signIn(e.addUser("ann.analyst", lantern.UserAnalyst, "S9"))
	auditor := e.signIn(e.addUser("audrey.auditor", lantern.UserAuditor, "S6"))
	anon := e.client()
	pages := []struct {
		c    *client
		path string
	}{
		{anon, "/signin"}, {analyst, "/"}, {analyst, "/alerts"}, {analyst, "/alerts/A2"}, {analyst, "/staff/S2"},
		{analyst, "/people/P1"}, {analyst, "/rules"}, {analyst, "/intake"}, {auditor, "/audit?verify=true"}, {anon, "/status"},
		{analyst, "/alerts/A1"},
	}
	for _, p := range pages {
		r := p.c.get(p.path)
		if r.Status != 200 && p.path != "/alerts/A1" {
			t.Errorf("%s: %d", p.path, r.Status)
			continue
		}
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", p.path, csp)
		}
		for _, m := range scriptTag.FindAllStringSubmatch(r.Body, -1) {
			if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
				t.Errorf("%s: inline script %q", p.path, m[0])
			}
		}
		if inlineEvent.MatchString(r.Body) || styleAttr.MatchString(r.Body) {
			t.Errorf("%s: inline handler or style attribute", p.path)
		}
		if !strings.Contains(r.Body, `class="govuk-skip-link"`) || !strings.Contains(r.Body, "<h1") {
			t.Errorf("%s: no skip link or heading", p.path)
		}
	}
	if !strings.Contains(auditor.get("/audit?verify=true").Body, "The trail is intact") {
		t.Error("the audit page does not say the trail is intact")
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

func TestRiskChartGolden(t *testing.T) {
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var series []workspace.RiskPoint
	for i, v := range []float64{0, 0, 3.5, 3.2, 3, 9.25, 8.7, 8.1, 8.1, 2} {
		series = append(series, workspace.RiskPoint{Day: d.AddDate(0, 0, i), Score: v})
	}
	c := newRiskChart(series)
	got := string(c.SVG)
	const golden = "testdata/risk_chart.svg"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("chart differs from %s (run with -update after checking it)", golden)
	}
	if !strings.Contains(c.Summary, "highest 9.2") && !strings.Contains(c.Summary, "highest 9.3") {
		t.Errorf("summary %q", c.Summary)
	}
	// The table keeps the days the score changed, and the first and last.
	if len(c.Rows) != 8 {
		t.Errorf("%d rows: %+v", len(c.Rows), c.Rows)
	}
	if empty := newRiskChart(nil); empty.SVG != "" || empty.Summary == "" {
		t.Errorf("empty chart %+v", empty)
	}
	if one := newRiskChart(series[:1]); !strings.Contains(string(one.SVG), "<circle") {
		t.Error("a single day draws no point")
	}
}
