package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"lantern"
)

// systemItem is an item recorded with no one signed in, as a referral or
// an intake does.
func systemItem(summary string) *lantern.IntelItem {
	return &lantern.IntelItem{Source: lantern.IntelFromScreening, SourceRef: "screening:7", Summary: summary,
		CreatedBy: "system", CreatedAt: time.Date(2026, 11, 3, 9, 30, 0, 123456789, time.UTC)}
}

var grade2B = lantern.Grade{Source: 2, Intelligence: "B", Handling: lantern.HandlingP}

func TestIntelSealRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	it := systemItem(knownSentence)
	must(t, f.intel.CreateIntelItem(ctx, it)) // no principal: public keys only
	if it.ID == 0 || it.State != lantern.IntelUngraded || it.Summary != knownSentence {
		t.Fatalf("created %+v", it)
	}

	// The store holds sealed text only, padded to a block, and a wrap for
	// each of the unit's recipients.
	raw, err := f.store.IntelItem(ctx, it.ID)
	must(t, err)
	if raw.Summary != "" || raw.Sanitised != "" || raw.Sealed == nil || raw.Sealed.Sanitised != nil {
		t.Fatalf("stored in clear: %+v", raw)
	}
	if n := len(raw.Sealed.Summary) - 24 - 16; n <= 0 || n%textBlock != 0 {
		t.Errorf("sealed summary of %d bytes is not padded to %d-byte blocks", len(raw.Sealed.Summary), textBlock)
	}
	if bytes.Contains(raw.Sealed.Summary, []byte("Quillfeather")) {
		t.Fatal("sealed summary holds the text")
	}
	for _, u := range []string{"ann", "ivy", "hop"} {
		if _, err := f.store.IntelKey(ctx, it.ID, u); err != nil {
			t.Errorf("no key for %s: %v", u, err)
		}
	}
	if _, err := f.store.IntelKey(ctx, it.ID, "adm"); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Errorf("the administrator got the item's key: %v", err)
	}

	ann := f.as(t, "ann")
	got, err := f.intel.IntelItem(ann, it.ID)
	must(t, err)
	if got.Summary != knownSentence || got.Unreadable != "" || got.Sealed != nil {
		t.Fatalf("analyst read %+v", got)
	}
	graded, err := f.intel.GradeIntelItem(ann, it.ID, lantern.Grading{Grade: grade2B, By: "ann", At: time.Now()})
	must(t, err)
	if graded.Summary != knownSentence || graded.State != lantern.IntelGraded {
		t.Fatalf("graded %+v", graded)
	}
	const sanitised = "An officer may have looked up a member of the public without a policing purpose."
	shared, err := f.intel.ShareIntelItem(ann, it.ID, lantern.Sharing{Sanitised: sanitised, With: "ACU", By: "ann", At: time.Now()})
	must(t, err)
	if shared.Sanitised != sanitised || shared.State != lantern.IntelShared {
		t.Fatalf("shared %+v", shared)
	}
	raw, err = f.store.IntelItem(ctx, it.ID)
	must(t, err)
	if raw.Sanitised != "" || len(raw.Sealed.Sanitised) == 0 {
		t.Fatalf("sanitised text stored in clear: %+v", raw)
	}
	list, n, err := f.intel.FindIntelItems(f.as(t, "ivy"), lantern.IntelFilter{})
	must(t, err)
	if n != 1 || list[0].Summary != knownSentence || list[0].Sanitised != sanitised {
		t.Fatalf("investigator's list: %d %+v", n, list)
	}
}

func TestIntelFromReportIsSealed(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(t.Context(), anonymous(knownSentence), nil)
	must(t, err)
	reports, _, err := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	must(t, err)
	it, err := f.svc.CreateIntel(f.as(t, "ann"), reports[0].ID, knownSentence)
	must(t, err)
	raw, err := f.store.IntelItem(t.Context(), it.ID)
	must(t, err)
	if raw.Summary != "" || raw.Sealed == nil {
		t.Fatalf("an item recorded from a report is stored in clear: %+v", raw)
	}
}

func TestIntelUnreadableWithoutKey(t *testing.T) {
	f := newFixture(t)
	it := systemItem(knownSentence)
	must(t, f.intel.CreateIntelItem(t.Context(), it))
	_, err := f.intel.LinkIntelStaff(t.Context(), it.ID, lantern.StaffLink{StaffID: "S1", By: "ann", At: time.Now()})
	must(t, err)
	_, err = f.intel.GradeIntelItem(f.as(t, "ann"), it.ID, lantern.Grading{Grade: grade2B, By: "ann", At: time.Now()})
	must(t, err)

	f.roles["new"] = lantern.UserAnalyst
	f.keyring.SignedIn(t.Context(), "new", "s-new", "password of new")
	sso := lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: "ivy", Role: lantern.UserInvestigator, SessionID: "sso"})
	partner := lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: "ann", Role: lantern.UserPartner, SessionID: "s-ann"})
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"no principal", t.Context(), IntelSignIn},
		{"single sign-on session", sso, IntelSignIn},
		{"role that does not read", partner, IntelSignIn},
		{"colleague who joined later", f.as(t, "new"), IntelNotForYou},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.intel.IntelItem(c.ctx, it.ID)
			must(t, err)
			if got.Summary != "" || got.Unreadable != c.want {
				t.Errorf("got summary %q, unreadable %q; want %q", got.Summary, got.Unreadable, c.want)
			}
			// Metadata stays readable: the risk score needs it.
			list, n, err := f.intel.FindIntelItems(c.ctx, lantern.IntelFilter{StaffID: "S1"})
			must(t, err)
			if n != 1 || list[0].Grade == nil || list[0].StaffID != "S1" || list[0].CreatedAt.IsZero() || list[0].Summary != "" {
				t.Errorf("list: %d %+v", n, list)
			}
		})
	}
	_, err = f.intel.ShareIntelItem(sso, it.ID, lantern.Sharing{Sanitised: "x", With: "ACU", By: "ivy", At: time.Now()})
	wantCode(t, err, lantern.EUNAUTHORIZED)
	_, err = f.intel.ShareIntelItem(f.as(t, "new"), it.ID, lantern.Sharing{Sanitised: "x", With: "ACU", By: "new", At: time.Now()})
	wantCode(t, err, lantern.EFORBIDDEN)

	// A colleague grants the newcomer the unit's keys, as for reports.
	n, err := f.keyring.Grant(f.as(t, "ann"), "new")
	must(t, err)
	if n != 1 {
		t.Errorf("granted %d keys, want 1", n)
	}
	got, err := f.intel.IntelItem(f.as(t, "new"), it.ID)
	must(t, err)
	if got.Summary != knownSentence {
		t.Errorf("after the grant: %+v", got)
	}
}

func TestIntelEscrowRecoveryAndRevoke(t *testing.T) {
	f := newFixture(t)
	const phrase = "correct horse battery staple escrow"
	must(t, f.keyring.CreateEscrow(f.as(t, "hop"), phrase))
	it := systemItem(knownSentence)
	must(t, f.intel.CreateIntelItem(t.Context(), it))
	if _, err := f.store.IntelKey(t.Context(), it.ID, lantern.EscrowRecipient); err != nil {
		t.Fatalf("no escrow wrap: %v", err)
	}

	// Ann's password is reset: her new key does not open her old wrap.
	f.keyring.SignedOut("s-ann")
	f.keyring.SignedIn(t.Context(), "ann", "s-ann", "reset password")
	got, err := f.intel.IntelItem(f.as(t, "ann"), it.ID)
	must(t, err)
	if got.Unreadable != IntelOldKey {
		t.Fatalf("with a replaced key: %+v", got)
	}
	n, err := f.keyring.RecoverWithEscrow(f.as(t, "hop"), phrase, "ann")
	must(t, err)
	if n != 1 {
		t.Errorf("recovered %d keys, want 1", n)
	}
	if got, err = f.intel.IntelItem(f.as(t, "ann"), it.ID); err != nil || got.Summary != knownSentence {
		t.Fatalf("after recovery: %+v %v", got, err)
	}
	if !f.audit.has("report.escrow.use", lantern.AuditAllowed) || strings.Contains(f.audit.text(), "Quillfeather") {
		t.Errorf("recovery not audited, or text on the trail:\n%s", f.audit.text())
	}

	must(t, f.keyring.Revoke(t.Context(), lantern.Principal{UserID: "adm", Role: lantern.UserAdministrator}, "ivy"))
	if keys, err := f.store.RecipientIntelKeys(t.Context(), "ivy"); err != nil || len(keys) != 0 {
		t.Errorf("after revoke ivy holds %d item keys (%v)", len(keys), err)
	}
	f.roles["ivy"] = lantern.UserAdministrator
	next := systemItem("a second item")
	must(t, f.intel.CreateIntelItem(t.Context(), next))
	if _, err := f.store.IntelKey(t.Context(), next.ID, "ivy"); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Errorf("a revoked user got a new item's key: %v", err)
	}
}

func TestIntelNeedsRecipients(t *testing.T) {
	st := emptyStore(t)
	kr := NewKeyring(KeyringConfig{Store: st, Audit: &memAudit{}, WorkFactor: testWorkFactor})
	in, err := NewSealedIntel(IntelConfig{Store: st, Keyring: kr})
	must(t, err)
	wantCode(t, in.CreateIntelItem(t.Context(), systemItem("x")), lantern.EUNAVAILABLE)
	wantCode(t, in.CreateIntelItem(t.Context(), systemItem("")), lantern.EINVALID)
	if list, _, err := st.FindIntelItems(t.Context(), lantern.IntelFilter{}); err != nil || len(list) != 0 {
		t.Errorf("stored %d items (%v)", len(list), err)
	}
}

// TestIntelTamperedTextDoesNotOpen moves one item's sealed summary to
// another: each item has its own key and label, so it does not open there.
func TestIntelTamperedTextDoesNotOpen(t *testing.T) {
	f := newFixture(t)
	a, b := systemItem("first"), systemItem("second")
	must(t, f.intel.CreateIntelItem(t.Context(), a))
	must(t, f.intel.CreateIntelItem(t.Context(), b))
	ra, err := f.store.IntelItem(t.Context(), a.ID)
	must(t, err)
	k, err := f.newReaderFor(t, "ann").itemKey(t.Context(), b.ID)
	must(t, err)
	if _, err := open(k, intelLabel(b, "summary"), ra.Sealed.Summary); err == nil {
		t.Error("one item's text opened under another's key")
	}
	if _, err := open(k, intelLabel(b, "sanitised"), mustSeal(t, k, intelLabel(b, "summary"), "x")); err == nil {
		t.Error("a summary opened as the sanitised text")
	}
}

func (f *fixture) newReaderFor(t *testing.T, user string) *intelReader {
	return f.intel.newReader(f.as(t, user))
}

func mustSeal(t *testing.T, k key, label, text string) []byte {
	b, err := seal(k, label, []byte(text), textBlock)
	must(t, err)
	return b
}

// TestSealClearItems seals items recorded in clear before the log was
// sealed: their text opens as before and is gone from the data directory.
func TestSealClearItems(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	old := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:r1", Summary: knownSentence, CreatedBy: "ann", CreatedAt: time.Now()}
	must(t, f.store.CreateIntelItem(ctx, old))
	_, err := f.store.GradeIntelItem(ctx, old.ID, lantern.Grading{Grade: grade2B, By: "ann", At: time.Now()})
	must(t, err)
	_, err = f.store.ShareIntelItem(ctx, old.ID, lantern.Sharing{Sanitised: "Sergeant Quillfeather may have misused the PNC.", With: "ACU", By: "ann", At: time.Now()})
	must(t, err)
	plain := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:a1", Summary: knownName + " was named.", CreatedBy: "ann", CreatedAt: time.Now()}
	must(t, f.store.CreateIntelItem(ctx, plain))
	sealed := systemItem("already sealed")
	must(t, f.intel.CreateIntelItem(ctx, sealed))

	n, err := f.intel.SealClearItems(ctx)
	must(t, err)
	if n != 2 {
		t.Fatalf("sealed %d items, want 2", n)
	}
	if n, err := f.intel.SealClearItems(ctx); err != nil || n != 0 {
		t.Fatalf("sealing again: %d %v", n, err)
	}
	wantCode(t, f.store.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{Summary: []byte("x")}), lantern.ECONFLICT)
	got, err := f.intel.IntelItem(f.as(t, "hop"), old.ID)
	must(t, err)
	if got.Summary != knownSentence || !strings.Contains(got.Sanitised, "Quillfeather") || got.State != lantern.IntelShared {
		t.Fatalf("sealed old item reads %+v", got)
	}
	for _, id := range []int64{old.ID, plain.ID} {
		raw, err := f.store.IntelItem(ctx, id)
		must(t, err)
		if raw.Summary != "" || raw.Sanitised != "" || raw.Sealed == nil {
			t.Errorf("item %d still in clear: %+v", id, raw)
		}
	}
	must(t, f.store.Close())
	searchDir(t, f.dir, knownSentence, "Quillfeather", knownName)
}

// TestIntelWithoutText gives the workspace metadata only: items it records
// are sealed, and its reads open nothing.
func TestIntelWithoutText(t *testing.T) {
	f := newFixture(t)
	ws := f.intel.WithoutText()
	ann := f.as(t, "ann")
	it := systemItem(knownSentence)
	must(t, ws.CreateIntelItem(ann, it))
	if raw, err := f.store.IntelItem(t.Context(), it.ID); err != nil || raw.Summary != "" || raw.Sealed == nil {
		t.Fatalf("recorded in clear: %+v %v", raw, err)
	}
	linked, err := ws.LinkIntelStaff(ann, it.ID, lantern.StaffLink{StaffID: "S1", By: "ann", At: time.Now()})
	must(t, err)
	if linked.StaffID != "S1" {
		t.Fatalf("linked %+v", linked)
	}
	list, n, err := ws.FindIntelItems(ann, lantern.IntelFilter{StaffID: "S1"})
	must(t, err)
	if n != 1 || list[0].Summary != "" || list[0].Sealed != nil || list[0].Unreadable != IntelNotOpened || list[0].StaffID != "S1" {
		t.Fatalf("metadata list: %d %+v", n, list)
	}
	one, err := ws.IntelItem(ann, it.ID)
	must(t, err)
	if one.Summary != "" || one.Unreadable != IntelNotOpened {
		t.Fatalf("metadata item: %+v", one)
	}
	if got, err := f.intel.IntelItem(ann, it.ID); err != nil || got.Summary != knownSentence {
		t.Fatalf("the log does not open what the workspace recorded: %+v %v", got, err)
	}
}
