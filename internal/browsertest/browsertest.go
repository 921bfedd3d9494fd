// Package browsertest drives Debian's Chromium for Lantern's browser tests,
// through chromedp (pinned, since its API changes between versions). It
// finds the browser, starts it headless with a fresh profile, and gives
// tests a page with the few actions they use, screenshots saved as test
// artefacts, and an accessibility check with axe-core.
//
// Environment:
//
//   - LANTERN_CHROMIUM: the browser to run; otherwise chromium,
//     chromium-browser or google-chrome on PATH.
//   - LANTERN_TEST_BROWSER_REQUIRED=1: fail, rather than skip, when there is
//     no browser or no axe-core.
//   - LANTERN_TEST_ARTEFACTS: where screenshots go; a temporary directory
//     otherwise.
//   - LANTERN_AXE_JS: the path of axe-core's axe.min.js (scripts/test
//     fetches it).
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Required reports whether browser tests must run rather than skip.
func Required() bool { return os.Getenv("LANTERN_TEST_BROWSER_REQUIRED") == "1" }

// skipOrFail skips t with reason, or fails it when browser tests are
// required.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (LANTERN_TEST_BROWSER_REQUIRED=1)", reason)
	}
	t.Skip(reason)
}

// ChromiumPath returns the browser to run, or "".
func ChromiumPath() string {
	if p := os.Getenv("LANTERN_CHROMIUM"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is a running headless Chromium.
type Browser struct {
	ctx       context.Context
	artefacts string
	axe       string // axe-core's source, or ""
}

// Start starts Chromium for t and stops it when t ends. Without a browser
// it skips t (or fails it, when required).
func Start(t testing.TB) *Browser {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		skipOrFail(t, "no Chromium found: install Debian's chromium package (scripts/test does), or set LANTERN_CHROMIUM to the browser")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	b := &Browser{ctx: ctx, artefacts: os.Getenv("LANTERN_TEST_ARTEFACTS")}
	if b.artefacts == "" {
		b.artefacts = t.TempDir()
	}
	if err := os.MkdirAll(b.artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("LANTERN_AXE_JS"); p != "" {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("LANTERN_AXE_JS: %v", err)
		}
		b.axe = string(src)
	}
	return b
}

// Artefacts returns the directory screenshots are written to.
func (b *Browser) Artefacts() string { return b.artefacts }

// Page is one browser tab. Its methods fail the test on error, and each
// step has a time limit so a missing element fails quickly.
type Page struct {
	t   testing.TB
	b   *Browser
	ctx context.Context
}

// NewPage opens a tab with its own cookies (an incognito-like browser
// context), so two pages can be signed in as different users.
func (b *Browser) NewPage(t testing.TB) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return &Page{t: t, b: b, ctx: ctx}
}

// step runs actions with a time limit.
func (p *Page) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v (at %s)", what, err, p.Location())
	}
}

// Go loads url and waits for its body.
func (p *Page) Go(url string) {
	p.t.Helper()
	p.step("go to "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// Fill types text into the field sel (a CSS selector).
func (p *Page) Fill(sel, text string) {
	p.t.Helper()
	p.step("fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Click clicks the element sel.
func (p *Page) Click(sel string) {
	p.t.Helper()
	p.step("click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// Upload chooses files (paths on this machine) in the file input sel.
func (p *Page) Upload(sel string, files ...string) {
	p.t.Helper()
	p.step("upload to "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetUploadFiles(chromedp.CSS(sel), files))
}

// WaitFor waits until sel is visible.
func (p *Page) WaitFor(sel string) {
	p.t.Helper()
	p.step("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Text returns the visible text of sel.
func (p *Page) Text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v (at %s)", sel, err, p.Location())
	}
	return s
}

// Eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (p *Page) Eval(expr string, out any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate: %v", err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		p.t.Fatalf("evaluate: decode %s: %v", raw, err)
	}
}

// Location returns the page's address.
func (p *Page) Location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// Screenshot saves a full-page PNG as <artefacts>/<name>.png and returns
// its path.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(p.b.artefacts, unsafeName.ReplaceAllString(name, "-")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// Violation is one accessibility rule axe-core found broken.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, fmt.Sprint(n.Target...))
	}
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, "; "))
}

// CheckAccessibility runs axe-core on the page (WCAG 2.2 A and AA rules
// and best practices) and fails the test for any serious or critical
// violation, logging the rest. Without axe-core it skips the check (or
// fails, when required).
func (p *Page) CheckAccessibility(name string) []Violation {
	p.t.Helper()
	if p.b.axe == "" {
		if Required() {
			p.t.Fatal("LANTERN_AXE_JS is not set: scripts/test fetches axe-core (LANTERN_TEST_BROWSER_REQUIRED=1)")
		}
		p.t.Logf("%s: accessibility not checked: set LANTERN_AXE_JS to axe-core's axe.min.js", name)
		return nil
	}
	var loaded bool
	p.Eval(`(() => { if (!window.axe) { `+p.b.axe+`
} return !!window.axe })()`, &loaded)
	if !loaded {
		p.t.Fatalf("%s: axe-core did not load", name)
	}
	var vs []Violation
	p.Eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']}).then(r => r.violations)`, &vs)
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			p.t.Errorf("%s: accessibility: %s", name, v)
		} else {
			p.t.Logf("%s: accessibility (%s, not failing): %s", name, v.Impact, v)
		}
	}
	return vs
}
