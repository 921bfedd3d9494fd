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

// TestReferralProposals follows a referral's officer details to a staff
// link: the unit records the referral as intelligence; the analyst sees
// the staff those details point to, strongest first, on the referral's
// page and the item's, and links one with a single confirmation. Nobody is
// proposed their own record, and only analysts are given proposals.
func TestReferralProposals(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if err := e.store.UpsertStaff(ctx, &lantern.Staff{ID: "S3", CollarNumber: "5150", Name: "Brian Jones", Category: "officer", Role: "response",
		Team: "Team 3", Gender: "male", StartDate: t0.AddDate(-2, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	rose := e.signIn(e.addPartner("rose", "refuge-north"))
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S9"))
	ivy := e.signIn(e.addUser("ivy", lantern.UserInvestigator, "S8"))
	amy := e.signIn(e.addUser("amy", lantern.UserAnalyst, "S3")) // her own record is S3

	ref := decode[lantern.Referral](t, rose.doBody("POST", "/api/v1/workspace/referrals",
		`{"concern":"He gave her his number.","officer":{"name":"PC Brian Jones","collar_number":"PC 5150","force":"Westshire"},"victim_consent":"given","safeguarding":"needed"}`,
		csrfHeader, rose.apiToken()), 201)
	upage := "/partner-referrals/" + strconv.FormatInt(ref.ID, 10)
	if r := ann.do("POST", upage+"/intel", url.Values{"csrf_token": {ann.token(upage)}, "summary": {"An officer may be pursuing a charity's client."}}); r.Status != 303 {
		t.Fatalf("record intelligence: %d", r.Status)
	}
	items, _, err := e.store.FindIntelItems(ctx, lantern.IntelFilter{SourceRef: "referral:" + strconv.FormatInt(ref.ID, 10)})
	if err != nil || len(items) != 1 {
		t.Fatalf("items: %v %v", items, err)
	}
	item := strconv.FormatInt(items[0].ID, 10)

	// The referral's page: S3 (collar number and name) before S2 (name
	// only), with the force noted.
	b := ann.get(upage).Body
	i3, i2 := strings.Index(b, "Confirm: item "+item+" is about S3 (Brian Jones)"), strings.Index(b, "Confirm: item "+item+" is about S2 (Brian Jones)")
	if i3 < 0 || i2 < 0 || i3 > i2 || !strings.Contains(b, "Strong: collar number PC 5150 matches exactly") || !strings.Contains(b, "Westshire") {
		t.Fatalf("the referral's page: %d %d %.4000s", i3, i2, b)
	}
	// The item's page: the same, with a one-click confirmation.
	ipage := "/intel/" + item
	b = ann.get(ipage).Body
	if !strings.Contains(b, "Confirm: this item is about S3 (Brian Jones)") {
		t.Fatalf("the item's page: %.4000s", b)
	}
	if form := regexp.MustCompile(`(?s)<form method="post" action="/intel/` + item + `/link" novalidate>\s*<input type="hidden" name="csrf_token" value="[^"]+">\s*<input type="hidden" name="staff_id" value="S3">\s*<input type="hidden" name="confirm" value="yes">`); !form.MatchString(b) {
		t.Errorf("no one-click form for S3")
	}
	// Nobody is proposed their own record; investigators are not given
	// proposals.
	if b := amy.get(ipage).Body; strings.Contains(b, "about S3") || !strings.Contains(b, "Confirm: this item is about S2") {
		t.Errorf("amy's proposals: %.3000s", b)
	}
	if b := ivy.get(ipage).Body; strings.Contains(b, "Confirm: this item is about") {
		t.Error("an investigator was given proposals")
	}
	if r := ivy.get("/api/v1/workspace/intel/" + item + "/proposals"); r.Status != 403 {
		t.Errorf("investigator's API proposals: %d", r.Status)
	}
	api := decode[struct {
		Proposals []staffProposal `json:"proposals"`
	}](t, ann.get("/api/v1/workspace/intel/"+item+"/proposals"), 200)
	if len(api.Proposals) != 2 || api.Proposals[0].Staff.ID != "S3" || api.Proposals[0].Staff.CollarNumber != "5150" || !strings.HasPrefix(api.Proposals[0].Reason, "Strong:") {
		t.Errorf("API proposals: %+v", api)
	}
	// Without the CSRF token the confirmation is refused; with it, linked.
	if r := ann.do("POST", ipage+"/link", url.Values{"staff_id": {"S3"}, "confirm": {"yes"}}); r.Status != 403 {
		t.Errorf("confirmation without CSRF: %d", r.Status)
	}
	if r := ann.do("POST", ipage+"/link", url.Values{"csrf_token": {ann.token(ipage)}, "staff_id": {"S3"}, "confirm": {"yes"}}); r.Status != 303 {
		t.Fatalf("confirm: %d %.500s", r.Status, r.Body)
	}
	if it, err := e.store.IntelItem(ctx, items[0].ID); err != nil || it.StaffID != "S3" {
		t.Fatalf("linked: %+v %v", it, err)
	}
	if b := ann.get(upage).Body; !strings.Contains(b, `href="/staff/S3">staff S3</a>`) || strings.Contains(b, "Confirm: item") {
		t.Errorf("the referral's page after linking: %.3000s", b)
	}
	entries, err := e.store.AuditEntries(ctx, lantern.AuditQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var proposed, linked, denied int
	for _, en := range entries {
		switch {
		case en.Action == "intel.propose" && en.Outcome == lantern.AuditAllowed:
			proposed++
			if strings.Contains(en.Detail, "Jones") {
				t.Errorf("audit names the staff: %+v", en)
			}
		case en.Action == "intel.link" && en.Outcome == lantern.AuditAllowed && en.Detail == "staff:S3":
			linked++
		case en.Action == string(lantern.ActLinkIntel) && en.Outcome == lantern.AuditDenied:
			denied++
		}
	}
	if proposed < 3 || linked != 1 || denied == 0 {
		t.Errorf("audit: %d proposals, %d links, %d denied", proposed, linked, denied)
	}
}
