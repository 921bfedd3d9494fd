package web

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// TestReferralPortalOwnOrganisationOnly has a partner send a referral
// through the form; they see it, its status and the unit's message, and
// not who in the unit wrote it. Another partner organisation cannot list,
// open or message it (answered as if it did not exist), and no unit role
// can use the portal's pages.
func TestReferralPortalOwnOrganisationOnly(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	pam := e.signIn(e.addUser("pam.partner", lantern.UserPartner, ""))
	pat := e.signIn(e.addUser("pat.partner", lantern.UserPartner, ""))
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S9"))

	tok := pam.token("/referrals/new")
	// An empty form comes back with an error for each missing answer.
	r := pam.do("POST", "/referrals/new", url.Values{"csrf_token": {tok}})
	for _, want := range []string{"Describe the concern", "at least one thing about the officer", "victim consents", "safeguarding"} {
		if r.Status != 400 || !strings.Contains(r.Body, want) {
			t.Errorf("empty referral: %d, no %q", r.Status, want)
		}
	}
	r = pam.do("POST", "/referrals/new", url.Values{"csrf_token": {tok}, "concern": {"PC Tanner has been visiting a client at home after her case closed."},
		"officer_name": {"PC Tanner"}, "collar_number": {"4471"}, "victim_consent": {"given"}, "safeguarding": {"needed"}})
	if r.Status != 303 {
		t.Fatalf("submit: %d %.500s", r.Status, r.Body)
	}
	page := r.Header.Get("Location")
	page = page[:strings.Index(page, "?")]
	if !regexp.MustCompile(`^/referrals/\d+$`).MatchString(page) {
		t.Fatalf("redirected to %q", page)
	}
	if b := pam.get(page).Body; !strings.Contains(b, "PC Tanner has been visiting") || !strings.Contains(b, "4471") || !strings.Contains(b, "Sent") {
		t.Fatalf("own referral: %.2000s", b)
	}
	if b := pam.get("/referrals").Body; !strings.Contains(b, `href="`+page+`"`) {
		t.Fatalf("own list lacks the referral: %.2000s", b)
	}

	// The unit reads it on its own pages, writes back and acknowledges
	// it; the partner sees the message and the status, but not who in the
	// unit wrote.
	id := strings.TrimPrefix(page, "/referrals/")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.FindUserByUsername(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	annID := u.ID
	unit := lantern.WithPrincipal(ctx, lantern.Principal{UserID: annID, Role: lantern.UserAnalyst})
	refs := e.srv.services.Load().Referrals
	upage := "/partner-referrals/" + id
	if b := ann.get("/partner-referrals").Body; !strings.Contains(b, `href="`+upage+`"`) {
		t.Fatalf("the unit's list: %.2000s", b)
	}
	utok := ann.token(upage)
	if r := ann.do("POST", upage+"/message", url.Values{"csrf_token": {utok}, "message": {" "}}); r.Status != 400 || !strings.Contains(r.Body, "Enter a message") {
		t.Fatalf("empty unit message: %d", r.Status)
	}
	if r := ann.do("POST", upage+"/message", url.Values{"csrf_token": {utok}, "message": {"Thank you. Can the client speak to us?"}}); r.Status != 303 {
		t.Fatalf("unit message: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", upage+"/status", url.Values{"csrf_token": {utok}, "status": {"acknowledged"}, "feedback": {"We have this and will assess it."}}); r.Status != 303 {
		t.Fatalf("acknowledge: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", upage+"/status", url.Values{"csrf_token": {utok}, "status": {"withdrawn"}}); r.Status != 400 && r.Status != 403 {
		t.Fatalf("the unit withdrew a referral: %d", r.Status)
	}
	// The unit records it as intelligence; the item is on the log,
	// ungraded, from this referral.
	if r := ann.do("POST", upage+"/intel", url.Values{"csrf_token": {utok}, "summary": {" "}}); r.Status != 400 || !strings.Contains(r.Body, "Enter a summary") {
		t.Fatalf("empty intelligence: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", upage+"/intel", url.Values{"csrf_token": {utok}, "summary": {"An officer may be pursuing a charity's client."}}); r.Status != 303 {
		t.Fatalf("intelligence: %d %.500s", r.Status, r.Body)
	}
	if items, _, err := e.store.FindIntelItems(ctx, lantern.IntelFilter{SourceRef: "referral:" + id}); err != nil || len(items) != 1 || items[0].State != lantern.IntelUngraded {
		t.Fatalf("intelligence items from the referral: %+v %v", items, err)
	}
	if r := pam.do("POST", page+"/intel", url.Values{"csrf_token": {pam.token(page)}, "summary": {"x"}}); r.Status != 404 && r.Status != 405 {
		t.Fatalf("a partner recorded intelligence: %d", r.Status)
	}
	if b := pam.get(page).Body; !strings.Contains(b, "Can the client speak to us?") || !strings.Contains(b, "We have this and will assess it.") ||
		!strings.Contains(b, "Received by the unit") || strings.Contains(b, annID) {
		t.Fatalf("the partner's view after the unit answered: %.3000s", b)
	}
	ptok := pam.token(page)
	if r := pam.do("POST", page+"/message", url.Values{"csrf_token": {ptok}, "message": {"Yes, on Thursday."}}); r.Status != 303 {
		t.Fatalf("partner's message: %d", r.Status)
	}
	if _, msgs, err := refs.Get(unit, n); err != nil || len(msgs) != 2 || msgs[1].Body != "Yes, on Thursday." {
		t.Fatalf("the unit's view: %v %+v", err, msgs)
	}

	// Another organisation: not listed, not found, cannot write.
	if b := pat.get("/referrals").Body; strings.Contains(b, page) || !strings.Contains(b, "no referrals yet") {
		t.Errorf("another partner's list shows the referral: %.2000s", b)
	}
	other := pat.get(page)
	missing := pat.get("/referrals/999999")
	if other.Status != 404 || missing.Status != 404 || strings.Contains(other.Body, "Tanner") {
		t.Errorf("another partner opening it: %d (missing: %d)", other.Status, missing.Status)
	}
	if r := pat.do("POST", page+"/message", url.Values{"csrf_token": {pat.token("/referrals")}, "message": {"Hello"}}); r.Status != 404 {
		t.Errorf("another partner writing to it: %d", r.Status)
	}
	if r := pat.do("POST", page+"/message", url.Values{"csrf_token": {pat.token("/referrals")}, "message": {""}}); r.Status != 404 {
		t.Errorf("another partner's empty message: %d", r.Status)
	}
	// A unit role does not use the portal's pages.
	if r := ann.get(page); r.Status != 403 {
		t.Errorf("analyst on the portal: %d", r.Status)
	}
	// Partners see no workspace page.
	for _, p := range []string{"/alerts", "/reports", "/staff/S1", "/audit", "/api/v1/workspace/reports"} {
		if r := pam.get(p); r.Status != 403 {
			t.Errorf("partner on %s: %d", p, r.Status)
		}
	}
	entries, err := e.store.AuditEntries(ctx, lantern.AuditQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var denied, submitted bool
	for _, en := range entries {
		denied = denied || en.Action == "referral.view" && en.Outcome == lantern.AuditDenied
		submitted = submitted || en.Action == "referral.submit" && en.Outcome == lantern.AuditAllowed
		if strings.Contains(en.Detail, "Tanner") {
			t.Errorf("audit entry holds content: %+v", en)
		}
	}
	if !denied || !submitted {
		t.Errorf("audit trail: denied view %v, submit %v", denied, submitted)
	}
}
