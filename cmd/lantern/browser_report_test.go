package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lantern/internal/browsertest"
)

// reportChannelAddr waits for serve to log the reporting channel's address.
func reportChannelAddr(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "reporting channel listening" {
				return line.Addr
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the reporting channel never listened; logs:\n%s", logs.String())
	return ""
}

// TestBrowserReportConversation drives the real binary in Chromium, with
// the reporting channel on its own listener: an analyst signs in with TOTP
// (which makes their report key), a member of the public sends an
// anonymous report and keeps the receipt, the analyst reads it and asks a
// question, the reporter returns with the receipt, reads the question and
// answers, and the analyst sees the answer. A partner then sends a
// referral through the portal, the analyst answers it and the partner
// reads the answer. The new pages are screenshotted and checked
// with axe-core.
func TestBrowserReportConversation(t *testing.T) {
	b := browsertest.Start(t) // skips at once when there is no browser
	bin := binary(t)
	data := t.TempDir()
	analyst := addBrowserUser(t, bin, data, "ann.analyst", "analyst", "")
	partner := addBrowserUser(t, bin, data, "pam.partner", "partner", "")
	if analyst.secret == "" {
		t.Fatal("the analyst was given no second factor")
	}
	srv := startServer(t, bin, data, "--report-http", "127.0.0.1:0", "--report-receipt-time", "50ms")
	base := srv.base
	channel := "http://" + reportChannelAddr(t, srv.logs) + "/report"

	// The analyst signs in first: the unit needs a key holder before the
	// channel takes reports.
	a := b.NewPage(t)
	signInBrowser(t, a, base, analyst, false)
	a.Go(base + "/reports")
	a.WaitFor("h1")
	if got := a.Text("main"); !strings.Contains(got, "There are no reports") {
		t.Fatalf("reports before any arrived: %q", got)
	}
	a.Screenshot("r01-reports-empty")
	a.CheckAccessibility("reports, empty")

	// The reporter sends an anonymous report and keeps the receipt.
	const what = "The sergeant at Eastgate keeps messaging a woman whose burglary he dealt with."
	r := b.NewPage(t)
	r.Go(channel + "/")
	r.WaitFor("a[href$='/new']")
	r.Click("a[href$='/new']")
	r.WaitFor("#kind")
	r.Click("#kind")
	r.Fill("#what", what)
	r.Fill("#where", "Eastgate")
	r.Screenshot("r02-channel-new")
	r.Click("form[action$='/new'] button[type=submit]")
	r.WaitFor("#receipt")
	receipt := strings.TrimSpace(r.Text("#receipt"))
	if !regexp.MustCompile(`^[0-9 -]{16,}$`).MatchString(receipt) {
		t.Fatalf("receipt %q", receipt)
	}
	r.Screenshot("r03-channel-receipt")

	// The analyst finds it in the list (metadata only), opens it and asks.
	a.Go(base + "/reports")
	a.WaitFor("table a[href^='/reports/']")
	if got := a.Text("main"); strings.Contains(got, "Eastgate") || !strings.Contains(got, "Anonymous") {
		t.Fatalf("the list shows content or no report: %q", got)
	}
	a.Screenshot("r04-reports")
	a.CheckAccessibility("reports")
	a.Click("table a[href^='/reports/']")
	a.WaitFor("#question")
	if got := a.Text("main"); !strings.Contains(got, what) || !strings.Contains(got, "No messages yet") {
		t.Fatalf("report page: %q", got)
	}
	a.Screenshot("r05-report")
	a.CheckAccessibility("report")
	reportPage := a.Location()
	// An empty question is refused in place.
	a.Click("form[action$='/ask'] button[type=submit]")
	a.WaitFor(".govuk-error-summary")
	a.CheckAccessibility("report with an error")
	const question = "Which day did he last message her?"
	a.Fill("#question", question)
	a.Click("form[action$='/ask'] button[type=submit]")
	a.WaitFor(".govuk-notification-banner--success")
	if got := a.Text("#thread ~ .govuk-inset-text"); !strings.Contains(got, question) {
		t.Fatalf("the question is not in the thread: %q", got)
	}
	a.Screenshot("r06-report-asked")

	// The reporter returns with the receipt, reads the question, answers.
	r.Go(channel + "/return")
	r.WaitFor("#receipt")
	r.Fill("#receipt", receipt)
	r.Click("form[action$='/return'] button[type=submit]")
	r.WaitFor("#answer")
	if got := r.Text("main"); !strings.Contains(got, question) {
		t.Fatalf("the reporter does not see the question: %q", got)
	}
	r.Screenshot("r07-channel-thread")
	const answer = "Last Sunday evening, after midnight."
	r.Fill("#answer", answer)
	r.Click("form[action$='/reply'] button[type=submit]")
	r.WaitFor(".govuk-notification-banner--success")
	r.Screenshot("r08-channel-answered")

	// The analyst sees the answer.
	a.Go(reportPage)
	a.WaitFor("#question")
	if got := a.Text("main"); !strings.Contains(got, answer) || !strings.Contains(got, "The reporter's answer") {
		t.Fatalf("the analyst does not see the answer: %q", got)
	}
	a.Screenshot("r09-report-answered")
	a.CheckAccessibility("report, answered")

	// The analyst records it as intelligence, then grades and shares the
	// item on the intelligence log.
	a.Fill("#summary", "A custody sergeant may be pursuing a burglary victim by message.")
	a.Click("form[action$='/intel'] button[type=submit]")
	a.WaitFor(".govuk-notification-banner--success")
	a.Go(base + "/intel")
	a.WaitFor("table a[href^='/intel/']")
	a.CheckAccessibility("intelligence log")
	a.Click("table a[href^='/intel/']")
	a.WaitFor("#source")
	// The item is sealed at rest; the analyst's session opens it.
	if got := a.Text("main"); !strings.Contains(got, "2: Untested") || !strings.Contains(got, "Grade the item before you share it") ||
		!strings.Contains(got, "A custody sergeant may be pursuing a burglary victim by message.") {
		t.Fatalf("intelligence item page: %q", got)
	}
	a.CheckAccessibility("intelligence item")
	a.Click("form[action$='/grade'] button[type=submit]")
	a.WaitFor(".govuk-error-summary")
	a.CheckAccessibility("intelligence item with an error")
	a.Click("#source-2")
	a.Click("#intelligence-C")
	a.Click("#handling")
	a.Click("form[action$='/grade'] button[type=submit]")
	a.WaitFor(".govuk-notification-banner--success")
	// Load the item again without the banner, so that the banner waited
	// for below is the sharing's own.
	a.Go(strings.Split(a.Location(), "?")[0])
	a.WaitFor("#sanitised")
	a.Fill("#sanitised", "A police officer may be contacting a crime victim for a personal purpose.")
	a.Fill("#with", "Anti-corruption unit, Force B")
	a.Click("form[action$='/share'] button[type=submit]")
	a.WaitFor(".govuk-notification-banner--success")
	if got := a.Text("main"); !strings.Contains(got, "2/C/P") || !strings.Contains(got, "Anti-corruption unit, Force B") ||
		!strings.Contains(got, "A police officer may be contacting a crime victim for a personal purpose.") {
		t.Fatalf("shared item: %q", got)
	}
	a.Screenshot("r09b-intel-shared")
	a.CheckAccessibility("intelligence item, shared")
	// A partner sends a referral through the portal and finds it listed.
	pp := b.NewPage(t)
	signInBrowser(t, pp, base, partner, false)
	pp.Go(base + "/referrals")
	pp.WaitFor("a[href='/referrals/new']")
	pp.Screenshot("r10-referrals-empty")
	pp.CheckAccessibility("referrals, empty")
	pp.Click("a[href='/referrals/new']")
	pp.WaitFor("#concern")
	pp.Click("form[action='/referrals/new'] button[type=submit]")
	pp.WaitFor(".govuk-error-summary")
	pp.Screenshot("r11-referral-errors")
	pp.CheckAccessibility("new referral with errors")
	pp.Fill("#concern", "An officer has been calling a client of ours late at night since her case closed.")
	pp.Fill("#collar-number", "4471")
	pp.Click("#consent")
	pp.Click("#safeguarding-needed")
	dates := filepath.Join(t.TempDir(), "call-dates.txt")
	if err := os.WriteFile(dates, []byte("He called on 3, 5 and 9 May, after midnight each time.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pp.Upload("#files", dates)
	pp.Click("form[action='/referrals/new'] button[type=submit]")
	pp.WaitFor(".govuk-notification-banner--success")
	if got := pp.Text("main"); !strings.Contains(got, "4471") || !strings.Contains(got, "Sent") || !strings.Contains(got, "call-dates.txt") {
		t.Fatalf("the referral: %q", got)
	}
	pp.Screenshot("r12-referral")
	pp.CheckAccessibility("referral")
	// The analyst answers it from the unit's referral pages; the partner
	// sees the answer.
	a.Go(base + "/partner-referrals")
	a.WaitFor("table a[href^='/partner-referrals/']")
	a.Screenshot("r13-unit-referrals")
	a.CheckAccessibility("unit referrals")
	a.Click("table a[href^='/partner-referrals/']")
	a.WaitFor("#message")
	if got := a.Text("#files + p + ul"); !strings.Contains(got, "call-dates.txt") || !strings.Contains(got, "sanitised copy") {
		t.Fatalf("the unit's referral lacks the file: %q", got)
	}
	a.Fill("#message", "Thank you. Could your client speak to us in confidence?")
	a.Click("form[action$='/message'] button[type=submit]")
	a.WaitFor(".govuk-notification-banner--success")
	a.Screenshot("r14-unit-referral")
	a.CheckAccessibility("unit referral")
	pp.Go(pp.Location())
	pp.WaitFor("#message")
	if got := pp.Text("main"); !strings.Contains(got, "Could your client speak to us") {
		t.Fatalf("the partner does not see the unit's message: %q", got)
	}

	pp.Go(base + "/alerts")
	pp.WaitFor("h1")
	if got := pp.Text("h1"); !strings.Contains(got, "cannot") && !strings.Contains(strings.ToLower(got), "not allowed") {
		t.Errorf("a partner opened the alert queue: %q", got)
	}

	if strings.Contains(srv.logs.String(), "Eastgate") || strings.Contains(srv.logs.String(), "midnight") {
		t.Error("report content reached the log")
	}
	t.Logf("screenshots in %s", b.Artefacts())
}
