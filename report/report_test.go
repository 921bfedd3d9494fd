package report

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lantern"
)

const (
	knownSentence = "Sergeant Wolfram Quillfeather looked up my address after the case closed"
	knownAddress  = "198.51.100.203"
	knownName     = "Perpetua Marchbanks-Oyelaran"
	knownFile     = "evidence-from-Quillfeather.png"
)

func anonymous(what string) lantern.Report {
	return lantern.Report{Kind: lantern.ReportAnonymous, Answers: lantern.ReportAnswers{What: what, Who: "PC 4471", Position: "He used the police national computer."}}
}

func TestThreadRoundTrip(t *testing.T) {
	f := newFixture(t)
	sub, err := f.svc.Submit(t.Context(), anonymous(knownSentence), nil)
	must(t, err)
	if len(sub.Receipt) != ReceiptDigits {
		t.Fatalf("receipt %q", sub.Receipt)
	}
	th, err := f.svc.Thread(t.Context(), FormatReceipt(sub.Receipt), knownAddress)
	must(t, err)
	if th.Answers.What != knownSentence || th.ID != "" {
		t.Fatalf("reporter's thread: %+v", th)
	}
	list, n, err := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{Status: lantern.ReportReceived})
	must(t, err)
	if n != 1 {
		t.Fatalf("new reports: %d", n)
	}
	id := list[0].ID
	opened, err := f.svc.Open(f.as(t, "ann"), id)
	must(t, err)
	if opened.Answers.What != knownSentence || opened.Status != lantern.ReportInReview {
		t.Fatalf("unit's view: %+v", opened)
	}
	must(t, f.svc.Ask(f.as(t, "ann"), id, "Which day was this?"))
	th, err = f.svc.Thread(t.Context(), sub.Receipt, knownAddress)
	must(t, err)
	if len(th.Messages) != 1 || th.Messages[0].Text != "Which day was this?" || th.Messages[0].By != "" {
		t.Fatalf("reporter sees %+v", th.Messages)
	}
	must(t, f.svc.Reply(t.Context(), sub.Receipt, knownAddress, "A Tuesday in May.", nil))
	opened, err = f.svc.Open(f.as(t, "ivy"), id)
	must(t, err)
	if len(opened.Messages) != 2 || opened.Messages[1].Text != "A Tuesday in May." || opened.Messages[1].From != lantern.FromReporter {
		t.Fatalf("unit sees %+v", opened.Messages)
	}
	if !f.audit.has("report.open", lantern.AuditAllowed) || !f.audit.has("report.ask", lantern.AuditAllowed) {
		t.Errorf("audit trail lacks the unit's use:\n%s", f.audit.text())
	}
	if strings.Contains(f.audit.text(), "Tuesday") || strings.Contains(f.audit.text(), "Quillfeather") {
		t.Errorf("audit trail holds report content")
	}
	it, err := f.svc.CreateIntel(f.as(t, "ann"), id, "An officer may have misused the PNC to find a victim.")
	must(t, err)
	if it.State != lantern.IntelUngraded || it.SourceRef != "report:"+id {
		t.Errorf("intel item %+v", it)
	}
	rec, err := f.store.Report(t.Context(), id)
	must(t, err)
	if rec.Status != lantern.ReportActioned {
		t.Errorf("report status %s, want actioned", rec.Status)
	}
}

func TestUnitNeedsUnlockedKey(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	list, _, err := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	must(t, err)
	id := list[0].ID
	// The administrator has no key and may not read reports at all.
	_, err = f.svc.Open(f.as(t, "adm"), id)
	wantCode(t, err, lantern.EFORBIDDEN)
	// No principal.
	_, err = f.svc.Open(t.Context(), id)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	// Another user's session does not carry ann's key.
	ctx := lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: "ann", Role: lantern.UserAnalyst, SessionID: "s-ivy"})
	_, err = f.svc.Open(ctx, id)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	f.keyring.SignedOut("s-ann")
	_, err = f.svc.Open(f.as(t, "ann"), id)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	// Single sign-on passes no password: nothing is unlocked.
	f.keyring.SignedIn(t.Context(), "ann", "s-ann", "")
	_, err = f.svc.Open(f.as(t, "ann"), id)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	f.keyring.SignedIn(t.Context(), "ann", "s-ann", "password of ann")
	_, err = f.svc.Open(f.as(t, "ann"), id)
	must(t, err)
	// Locked-out users can do nothing.
	ctx = lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: "ann", Role: lantern.UserAnalyst, SessionID: "s-ann", LockedOut: true})
	_, err = f.svc.Open(ctx, id)
	wantCode(t, err, lantern.EFORBIDDEN)
}

func TestChangePasswordKeepsAccess(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	list, _, _ := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	wantCode(t, f.keyring.ChangePassword(t.Context(), "ann", "wrong", "new password"), lantern.EUNAUTHORIZED)
	must(t, f.keyring.ChangePassword(t.Context(), "ann", "password of ann", "new password of ann"))
	f.keyring.SignedOut("s-ann")
	f.keyring.SignedIn(t.Context(), "ann", "s-ann", "new password of ann")
	_, err = f.svc.Open(f.as(t, "ann"), list[0].ID)
	must(t, err)
	if f.audit.has("report.key.replace", lantern.AuditAllowed) {
		t.Errorf("a password change replaced the key")
	}
}

func TestEscrowRecovery(t *testing.T) {
	f := newFixture(t)
	const phrase = "correct horse battery staple escrow"
	wantCode(t, f.keyring.CreateEscrow(f.as(t, "ann"), phrase), lantern.EFORBIDDEN)
	must(t, f.keyring.CreateEscrow(f.as(t, "hop"), phrase))
	wantCode(t, f.keyring.CreateEscrow(f.as(t, "hop"), phrase), lantern.ECONFLICT)
	_, err := f.svc.Submit(t.Context(), anonymous(knownSentence), nil)
	must(t, err)
	list, _, _ := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	id := list[0].ID

	// Ann's password is reset by an administrator: her old key is lost and
	// signing in with the new password gives her a new pair.
	f.keyring.SignedOut("s-ann")
	f.keyring.SignedIn(t.Context(), "ann", "s-ann", "reset password")
	if !f.audit.has("report.key.replace", lantern.AuditAllowed) {
		t.Fatalf("key replacement not audited")
	}
	_, err = f.svc.Open(f.as(t, "ann"), id)
	wantCode(t, err, lantern.EFORBIDDEN)

	_, err = f.keyring.RecoverWithEscrow(f.as(t, "hop"), "wrong passphrase", "ann")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	if !f.audit.has("report.escrow.use", lantern.AuditFailed) {
		t.Errorf("failed escrow use not audited")
	}
	_, err = f.keyring.RecoverWithEscrow(f.as(t, "ann"), phrase, "ann")
	wantCode(t, err, lantern.EFORBIDDEN)
	n, err := f.keyring.RecoverWithEscrow(f.as(t, "hop"), phrase, "ann")
	must(t, err)
	if n != 1 {
		t.Errorf("recovered %d keys, want 1", n)
	}
	th, err := f.svc.Open(f.as(t, "ann"), id)
	must(t, err)
	if th.Answers.What != knownSentence {
		t.Errorf("after recovery: %+v", th.Answers)
	}
	if !f.audit.has("report.escrow.use", lantern.AuditAllowed) || strings.Contains(f.audit.text(), "Quillfeather") {
		t.Errorf("escrow use not audited, or content on the trail:\n%s", f.audit.text())
	}
}

func TestGrantToNewColleague(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	list, _, _ := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	f.roles["new"] = lantern.UserAnalyst
	f.keyring.SignedIn(t.Context(), "new", "s-new", "password of new")
	_, err = f.svc.Open(f.as(t, "new"), list[0].ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	n, err := f.keyring.Grant(f.as(t, "ann"), "new")
	must(t, err)
	if n != 1 {
		t.Errorf("granted %d", n)
	}
	_, err = f.svc.Open(f.as(t, "new"), list[0].ID)
	must(t, err)
}

func TestIdentityDisclosure(t *testing.T) {
	f := newFixture(t)
	r := lantern.Report{Kind: lantern.ReportConfidential, Answers: lantern.ReportAnswers{What: "He asked her out at the scene."},
		Identity: &lantern.ReporterIdentity{Name: knownName, Contact: "07700 900123"}}
	_, err := f.svc.Submit(t.Context(), r, nil)
	must(t, err)
	list, _, _ := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	id := list[0].ID
	th, err := f.svc.Open(f.as(t, "ann"), id)
	must(t, err)
	if th.Kind != lantern.ReportConfidential {
		t.Errorf("kind %s", th.Kind)
	}
	_, err = f.svc.Identity(f.as(t, "ann"), id)
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = f.svc.RequestDisclosure(f.as(t, "hop"), id, "x")
	wantCode(t, err, lantern.EFORBIDDEN)
	d, err := f.svc.RequestDisclosure(f.as(t, "ann"), id, "We need to take a witness statement.")
	must(t, err)
	_, err = f.svc.DecideDisclosure(f.as(t, "ivy"), d.ID, true, "")
	wantCode(t, err, lantern.EFORBIDDEN)
	// Approving needs the head of PSD's unlocked key.
	f.keyring.SignedOut("s-hop")
	_, err = f.svc.DecideDisclosure(f.as(t, "hop"), d.ID, true, "")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	f.keyring.SignedIn(t.Context(), "hop", "s-hop", "password of hop")
	got, err := f.svc.DecideDisclosure(f.as(t, "hop"), d.ID, true, "Approved for the statement.")
	must(t, err)
	if got.State != lantern.DisclosureApproved {
		t.Fatalf("state %s", got.State)
	}
	who, err := f.svc.Identity(f.as(t, "ann"), id)
	must(t, err)
	if who.Name != knownName {
		t.Errorf("identity %+v", who)
	}
	// Ivy, who did not ask, still cannot see it.
	_, err = f.svc.Identity(f.as(t, "ivy"), id)
	wantCode(t, err, lantern.EFORBIDDEN)
	for _, a := range []string{"report.disclosure.request", "report.disclosure.approve", "report.identity.view"} {
		if !f.audit.has(a, lantern.AuditAllowed) {
			t.Errorf("%s not audited", a)
		}
	}
	if !f.audit.has("report.identity.view", lantern.AuditDenied) || !f.audit.has("report.disclosure.decide", lantern.AuditDenied) {
		t.Errorf("refusals not audited:\n%s", f.audit.text())
	}
	if strings.Contains(f.audit.text(), knownName) {
		t.Errorf("identity on the audit trail")
	}
	// An anonymous report has nothing to disclose.
	_, err = f.svc.Submit(t.Context(), anonymous("y happened"), nil)
	must(t, err)
	list, _, _ = f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{Status: lantern.ReportReceived})
	_, err = f.svc.RequestDisclosure(f.as(t, "ann"), list[0].ID, "why")
	wantCode(t, err, lantern.EINVALID)
}

func TestSubmitNeedsRecipients(t *testing.T) {
	f := newFixture(t)
	// A service over a fresh store where nobody has a key yet.
	g := newFixture(t)
	for _, u := range []string{"ann", "ivy", "hop"} {
		g.keyring.SignedOut("s-" + u)
	}
	st := g.store
	recs, err := st.KeyRecipients(t.Context())
	must(t, err)
	if len(recs) != 3 {
		t.Fatalf("recipients: %d", len(recs))
	}
	empty := emptyStore(t)
	svc, err := NewService(Config{Store: empty, Keyring: NewKeyring(KeyringConfig{Store: empty, WorkFactor: testWorkFactor}), Receipts: f.svc.cfg.Receipts})
	must(t, err)
	_, err = svc.Submit(t.Context(), anonymous("x"), nil)
	wantCode(t, err, lantern.EUNAVAILABLE)
	// Without a head of PSD or escrow, confidential reports are refused
	// (nobody could ever disclose the identity) but anonymous ones are not.
	ctx := t.Context()
	kr := NewKeyring(KeyringConfig{Store: empty, Audit: &memAudit{}, WorkFactor: testWorkFactor})
	_, err = kr.Enrol(ctx, "ann", lantern.UserAnalyst, "pw")
	must(t, err)
	_, err = svc.Submit(ctx, lantern.Report{Kind: lantern.ReportConfidential, Answers: lantern.ReportAnswers{What: "x"}, Identity: &lantern.ReporterIdentity{Name: "a", Contact: "b"}}, nil)
	wantCode(t, err, lantern.EINVALID)
	_, err = svc.Submit(ctx, anonymous("x"), nil)
	must(t, err)
}

// searchDir fails the test if any file under dir contains any of needles.
func searchDir(t *testing.T, dir string, needles ...string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(n))) {
				t.Errorf("%s holds %q in clear", p, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestNothingReadableAtRest(t *testing.T) {
	f := newFixture(t)
	must(t, f.keyring.CreateEscrow(f.as(t, "hop"), "an escrow passphrase long enough"))
	r := lantern.Report{Kind: lantern.ReportConfidential, Answers: lantern.ReportAnswers{What: knownSentence, Who: "Sergeant Quillfeather"},
		Identity: &lantern.ReporterIdentity{Name: knownName, Contact: "perpetua@example.org"}}
	sub, err := f.svc.Submit(t.Context(), r, []Upload{{Name: knownFile, Data: pngWithText(t, "Author", knownName)}})
	must(t, err)
	_, err = f.svc.Thread(t.Context(), "0000 0000 0000 0000", knownAddress+":50123")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	must(t, f.svc.Reply(t.Context(), sub.Receipt, knownAddress+":50123", knownSentence+" again", nil))
	list, _, _ := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	must(t, f.svc.Ask(f.as(t, "ann"), list[0].ID, "Did Quillfeather say anything?"))
	recordIntel(t, f, list[0].ID)
	must(t, f.store.Close())
	n := searchDir(t, f.dir, knownSentence, "Quillfeather", knownAddress, knownName, knownFile, "perpetua@example.org", sub.Receipt, FormatReceipt(sub.Receipt))
	if n == 0 {
		t.Fatal("no files searched")
	}
	// A positive control: the kind is metadata, stored in clear.
	b, err := os.ReadFile(filepath.Join(f.dir, "lantern.db"))
	must(t, err)
	if !bytes.Contains(b, []byte("confidential")) {
		t.Errorf("the search did not find the report's kind, which is stored in clear")
	}
}

// recordIntel records the report as intelligence in the known sentence, a
// referral-like item from no one signed in, grades and shares one with
// sanitised text naming Quillfeather, so that the at-rest searches cover
// the intelligence log too.
func recordIntel(t *testing.T, f *fixture, reportID string) {
	t.Helper()
	ann := f.as(t, "ann")
	it, err := f.svc.CreateIntel(ann, reportID, "Intelligence: "+knownSentence)
	must(t, err)
	must(t, f.intel.CreateIntelItem(t.Context(), &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:1",
		Summary: knownName + " says " + knownSentence, CreatedBy: "partner", CreatedAt: time.Now()}))
	_, err = f.intel.GradeIntelItem(ann, it.ID, lantern.Grading{Grade: lantern.Grade{Source: 2, Intelligence: "B", Handling: lantern.HandlingP}, By: "ann", At: time.Now()})
	must(t, err)
	_, err = f.intel.ShareIntelItem(ann, it.ID, lantern.Sharing{Sanitised: "Sergeant Quillfeather may have misused the PNC.", With: "ACU", By: "ann", At: time.Now()})
	must(t, err)
	got, err := f.intel.IntelItem(ann, it.ID)
	must(t, err)
	if got.State != lantern.IntelShared || !strings.Contains(got.Sanitised, "Quillfeather") {
		t.Fatalf("intelligence item not recorded: %+v", got)
	}
}

func TestReceiptFailuresLookAlike(t *testing.T) {
	f := newFixture(t)
	// The floor must exceed the slow hash, which the race detector and a
	// busy machine stretch: measure it here.
	var hash time.Duration
	for range 3 {
		start := time.Now()
		f.svc.cfg.Receipts.derive("1234123412341234")
		hash = max(hash, time.Since(start))
	}
	floor := max(150*time.Millisecond, 4*hash+100*time.Millisecond)
	slack := 2*hash + 250*time.Millisecond
	f.svc.cfg.ReceiptTime = floor
	f.svc.cfg.Limiter = NewLimiter(1000, 1000, time.Minute)
	sub, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	wrongDigit := sub.Receipt[:15] + string('0'+(sub.Receipt[15]-'0'+1)%10)
	cases := map[string]string{
		"near miss":     wrongDigit,
		"random":        "1234567812345678",
		"too short":     "1234",
		"letters":       "abcdabcdabcdabcd",
		"empty":         "",
		"overlong junk": strings.Repeat("9", 500),
	}
	var msgs []string
	durations := map[string]time.Duration{}
	for name, receipt := range cases {
		start := time.Now()
		_, err := f.svc.Thread(t.Context(), receipt, "client")
		durations[name] = time.Since(start)
		wantCode(t, err, lantern.EUNAUTHORIZED)
		msgs = append(msgs, lantern.ErrorMessage(err))
	}
	start := time.Now()
	_, err = f.svc.Thread(t.Context(), sub.Receipt, "client")
	must(t, err)
	durations["valid"] = time.Since(start)
	for _, m := range msgs {
		if m != msgs[0] {
			t.Errorf("messages differ: %q and %q", m, msgs[0])
		}
	}
	for name, d := range durations {
		if d < floor || d > floor+slack {
			t.Errorf("%s took %s, want %s plus at most %s", name, d, floor, slack)
		}
		t.Logf("%-14s %s", name, d.Round(time.Millisecond))
	}
}

func TestReceiptRateLimit(t *testing.T) {
	f := newFixture(t)
	f.svc.cfg.ReceiptTime = time.Millisecond
	f.svc.cfg.Limiter = NewLimiter(3, 7, time.Minute)
	sub, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	for range 3 {
		_, err := f.svc.Thread(t.Context(), "1111222233334444", "10.0.0.1:1")
		wantCode(t, err, lantern.EUNAUTHORIZED)
	}
	// Even the right receipt is refused now, with the same answer as a
	// wrong one would get: the limit is decided before the receipt is read.
	_, err = f.svc.Thread(t.Context(), sub.Receipt, "10.0.0.1:1")
	if err != ErrTooManyAttempts {
		t.Fatalf("limited client got %v", err)
	}
	_, err = f.svc.Thread(t.Context(), "1111222233334444", "10.0.0.1:1")
	if err != ErrTooManyAttempts {
		t.Fatalf("limited client got %v", err)
	}
	// Another client is not limited by the first.
	_, err = f.svc.Thread(t.Context(), sub.Receipt, "10.0.0.2:1")
	must(t, err)
	// Successes do not count; failures from many clients reach the global
	// limit.
	for i := range 4 {
		_, err := f.svc.Thread(t.Context(), "1111222233334444", "10.0.1."+string(rune('0'+i))+":1")
		wantCode(t, err, lantern.EUNAUTHORIZED)
	}
	_, err = f.svc.Thread(t.Context(), sub.Receipt, "10.0.9.9:1")
	if err != ErrTooManyAttempts {
		t.Fatalf("global limit not applied: %v", err)
	}
	// The limiter keeps no address: only keyed hashes.
	f.svc.cfg.Limiter.mu.Lock()
	defer f.svc.cfg.Limiter.mu.Unlock()
	if len(f.svc.cfg.Limiter.counts) != 6 {
		t.Errorf("counts for %d clients, want 6", len(f.svc.cfg.Limiter.counts))
	}
}

// TestReceiptRateLimitConcurrent sends many wrong receipts from one client
// at once: no more than the limit are checked.
func TestReceiptRateLimitConcurrent(t *testing.T) {
	f := newFixture(t)
	f.svc.cfg.ReceiptTime = time.Millisecond
	f.svc.cfg.Limiter = NewLimiter(3, 1000, time.Minute)
	var mu sync.Mutex
	checked, limited := 0, 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := f.svc.Thread(t.Context(), "5555666677778888", "10.9.9.9")
			mu.Lock()
			defer mu.Unlock()
			if err == ErrTooManyAttempts {
				limited++
			} else {
				checked++
			}
		})
	}
	wg.Wait()
	if checked != 3 || limited != 17 {
		t.Errorf("%d checked and %d limited, want 3 and 17", checked, limited)
	}
}

func TestRevokedAndChangedRolesGetNoNewReports(t *testing.T) {
	f := newFixture(t)
	must(t, f.keyring.Revoke(t.Context(), lantern.Principal{UserID: "adm", Role: lantern.UserAdministrator}, "ann"))
	wantCode(t, f.keyring.Revoke(t.Context(), lantern.Principal{UserID: "adm"}, "ann"), lantern.ENOTFOUND)
	if !f.audit.has("report.key.revoke", lantern.AuditAllowed) {
		t.Errorf("revoke not audited")
	}
	f.roles["ivy"] = lantern.UserAdministrator
	_, err := f.svc.Submit(t.Context(), anonymous("x happened"), nil)
	must(t, err)
	list, _, err := f.svc.ListReports(f.as(t, "hop"), lantern.ReportFilter{})
	must(t, err)
	for _, u := range []string{"ann", "ivy"} {
		if _, err := f.store.ReportKey(t.Context(), list[0].ID, u, lantern.KeyContent); lantern.ErrorCode(err) != lantern.ENOTFOUND {
			t.Errorf("%s got the new report's key: %v", u, err)
		}
	}
	if _, err := f.store.ReportKey(t.Context(), list[0].ID, "hop", lantern.KeyContent); err != nil {
		t.Errorf("hop lacks the key: %v", err)
	}
	// Ann's session was forgotten with her key.
	_, err = f.svc.Open(f.as(t, "ann"), list[0].ID)
	wantCode(t, err, lantern.EUNAUTHORIZED)
}
