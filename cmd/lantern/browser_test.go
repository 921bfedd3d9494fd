package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"lantern/internal/browsertest"
)

// browserUser is a user `lantern user add` created, with what it printed.
type browserUser struct {
	name, password, secret string
}

var (
	browserPasswordLine = regexp.MustCompile(`(?m)^Initial password.*\n\n  (\S+)$`)
	browserSecretLine   = regexp.MustCompile(`(?m)^  secret: (\S+)$`)
)

func addBrowserUser(t *testing.T, bin, data, name, role, staff string) browserUser {
	t.Helper()
	args := []string{"user", "add", name, "--role", role, "--data-dir", data}
	if staff != "" {
		args = append(args, "--staff", staff)
	}
	out := runBinary(t, bin, args...)
	u := browserUser{name: name}
	if m := browserPasswordLine.FindStringSubmatch(out); m != nil {
		u.password = m[1]
	}
	if m := browserSecretLine.FindStringSubmatch(out); m != nil {
		u.secret = m[1]
	}
	if u.password == "" {
		t.Fatalf("no password in %q", out)
	}
	return u
}

// signInBrowser signs u in through the pages, with a code computed from the
// printed secret.
func signInBrowser(t *testing.T, p *browsertest.Page, base string, u browserUser, shots bool) {
	t.Helper()
	p.Go(base + "/signin")
	if shots {
		p.Screenshot("01-signin")
		p.CheckAccessibility("sign-in")
	}
	p.Fill("#username", u.name)
	p.Fill("#password", u.password)
	p.Click("form[action='/signin'] button[type=submit]")
	if u.secret != "" {
		p.WaitFor("#code")
		if shots {
			p.Screenshot("02-signin-code")
			p.CheckAccessibility("security code")
		}
		code, err := totp.GenerateCodeCustom(u.secret, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		p.Fill("#code", code)
		p.Click("form[action='/signin/code'] button[type=submit]")
	}
	p.WaitFor("form[action='/signout']")
}

// TestBrowserWorkspace drives the real binary in Chromium: a small
// simulated force is ingested and detected, users are added with `lantern
// user add`, and an analyst signs in with TOTP, triages an alert, opens a
// staff profile and a person view; an auditor finds the analyst's views on
// the trail; an administrator sees the rules with the reload button. Each
// main page is screenshotted and checked with axe-core.
func TestBrowserWorkspace(t *testing.T) {
	start := time.Now()
	step := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }
	b := browsertest.Start(t) // skips at once when there is no browser
	step("browser started")
	bin := binary(t)
	step("binary built")
	data, force := t.TempDir(), filepath.Join(t.TempDir(), "force")
	runBinary(t, bin, "simulate", "--staff", "120", "--days", "30", "--seed", "7", "--offenders", "0.05", "--out", force)
	step("force simulated")
	runBinary(t, bin, "ingest", "--data-dir", data, force)
	step("force ingested")
	analyst := addBrowserUser(t, bin, data, "ann.analyst", "analyst", "")
	auditor := addBrowserUser(t, bin, data, "audrey.auditor", "auditor", "")
	admin := addBrowserUser(t, bin, data, "adam.admin", "administrator", "")
	if analyst.secret == "" || auditor.secret == "" {
		t.Fatal("unit users were given no second factor")
	}
	step("users added")
	srv := startServer(t, bin, data)
	base := srv.base
	step("server ready")
	waitForAlerts(t, base)
	step("detection and index caught up")

	p := b.NewPage(t)
	signInBrowser(t, p, base, analyst, true)
	step("analyst signed in")
	if h := p.Text("h1"); !strings.Contains(h, "workspace") {
		t.Fatalf("home heading %q", h)
	}
	var scripted struct {
		GOVUK bool `json:"govuk"`
		HTMX  bool `json:"htmx"`
	}
	p.Eval(`({govuk: document.body.classList.contains('govuk-frontend-supported'), htmx: typeof htmx === 'object'})`, &scripted)
	if !scripted.GOVUK || !scripted.HTMX {
		t.Errorf("page scripts did not run under the CSP: %+v", scripted)
	}
	p.Screenshot("03-home-analyst")
	p.CheckAccessibility("home")

	// The queue, and an alert from it.
	p.Go(base + "/alerts")
	p.WaitFor("#queue-results table")
	p.Screenshot("04-queue")
	p.CheckAccessibility("queue")
	var alertHref string
	p.Eval(`document.querySelector("#queue-results tbody a[href^='/alerts/']").getAttribute('href')`, &alertHref)
	p.Click("#queue-results tbody a[href^='/alerts/']")
	p.WaitFor("#alert-actions")
	p.Screenshot("05-alert")
	p.CheckAccessibility("alert")

	// Triage it: htmx posts the form and swaps the actions panel in place.
	p.Click("#alert-actions form[action$='/triage'] button")
	p.WaitFor("#alert-actions .govuk-notification-banner--success")
	if got := p.Text("#alert-actions"); !strings.Contains(got, "The alert is now triaged") {
		t.Fatalf("after triage: %q", got)
	}
	if loc := p.Location(); !strings.HasSuffix(loc, alertHref) {
		t.Errorf("htmx triage left the page: %s", loc)
	}
	p.Screenshot("06-alert-triaged")
	// Dismissing without a reason is refused with an error message in place.
	p.Click("#alert-actions form[action$='/dismiss'] button[type=submit]:not([formaction])")
	p.WaitFor("#alert-actions .govuk-error-message")
	p.CheckAccessibility("alert with an error")

	// The staff profile, with its chart and the table behind it.
	p.Click("dl a[href^='/staff/']")
	p.WaitFor("svg.lantern-chart")
	if h := p.Text("h1"); h == "" {
		t.Fatal("staff profile has no heading")
	}
	p.Screenshot("07-staff-profile")
	p.CheckAccessibility("staff profile")

	// A person view, from the alert's evidence.
	p.Go(base + alertHref)
	var personHref string
	p.Eval(`(document.querySelector("table a[href^='/people/']") || {getAttribute: () => ''}).getAttribute('href')`, &personHref)
	if personHref == "" {
		t.Fatalf("the alert's timeline links no person: %s", p.Text("main"))
	}
	p.Go(base + personHref)
	p.WaitFor("h1")
	if got := p.Text("main"); !strings.Contains(got, "Who accessed this person's records") || !strings.Contains(got, "Policing purpose") {
		t.Fatalf("person view: %q", got)
	}
	p.Screenshot("08-person")
	p.CheckAccessibility("person view")

	for i, page := range []string{"rules", "intake", "status"} {
		p.Go(base + "/" + page)
		p.WaitFor("h1")
		p.Screenshot(fmt.Sprintf("%02d-%s", 9+i, page))
		p.CheckAccessibility(page)
	}

	// The auditor finds the analyst's view of the alert on the trail.
	a := b.NewPage(t)
	signInBrowser(t, a, base, auditor, false)
	a.Go(base + "/audit?object=alert:" + strings.TrimPrefix(alertHref, "/alerts/"))
	a.WaitFor("h1")
	if got := a.Text("main"); !strings.Contains(got, "alerts.change") || !strings.Contains(got, "alerts.view") {
		t.Errorf("audit search for the alert: %q", got)
	}
	a.Click("form input[name=verify] ~ button")
	a.WaitFor("[role=status]")
	if got := a.Text("[role=status]"); !strings.Contains(got, "intact") {
		t.Errorf("trail verification: %q", got)
	}
	a.Screenshot("12-audit")
	a.CheckAccessibility("audit")
	a.Go(base + alertHref)
	a.WaitFor("h1")
	if got := a.Text("h1"); !strings.Contains(got, "cannot see") {
		t.Errorf("an auditor opened an alert: %q", got)
	}

	// The administrator runs the rules but reads no alert.
	ad := b.NewPage(t)
	signInBrowser(t, ad, base, admin, false)
	ad.Go(base + "/rules")
	ad.WaitFor("form[action='/rules/reload'] button")
	ad.Click("form[action='/rules/reload'] button")
	ad.WaitFor(".govuk-notification-banner--success")
	ad.Screenshot("13-rules-reloaded")
	ad.CheckAccessibility("rules, reloaded")
	step("done")
	t.Logf("screenshots in %s", b.Artefacts())
}

// waitForAlerts waits until detection has raised alerts and has caught up
// with the event log, and the event index has caught up too, reading the
// server's metrics.
func waitForAlerts(t *testing.T, base string) {
	t.Helper()
	metric := func(body, name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			return -1
		}
		var v float64
		fmt.Sscanf(m[1], "%g", &v)
		return v
	}
	deadline := time.Now().Add(90 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/metrics"); err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body := string(b)
			saved, pending := metric(body, "lantern_detect_alerts_saved_total"), metric(body, "lantern_detect_pending_messages")
			detected, indexed := metric(body, "lantern_detect_processed_seq"), metric(body, "lantern_index_processed_seq")
			last = fmt.Sprintf("alerts %v, pending %v, detected to %v, indexed to %v", saved, pending, detected, indexed)
			if saved > 0 && pending == 0 && detected > 0 && indexed >= detected {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("detection and the index did not catch up in time: %s", last)
}
