package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"lantern"
	"lantern/auth"
)

// addPartner creates a partner user of an organisation.
func (e *testEnv) addPartner(username, org string) testUser {
	e.t.Helper()
	_, cred, err := e.auth.AddUser(context.Background(), "cli:test", auth.NewUser{Username: username, Role: lantern.UserPartner, Organisation: org})
	if err != nil {
		e.t.Fatal(err)
	}
	return testUser{Username: username, Role: lantern.UserPartner, cred: cred}
}

// TestReferralsVisibleByOrganisation: two partner users of one
// organisation see and answer each other's referrals; a user of another
// organisation sees none of them, and they see none of its.
func TestReferralsVisibleByOrganisation(t *testing.T) {
	e := newTestEnv(t)
	rose := e.signIn(e.addPartner("rose", "refuge-north"))
	ruth := e.signIn(e.addPartner("ruth", "refuge-north"))
	wendy := e.signIn(e.addPartner("wendy", "womens-aid-south"))

	submit := func(c *client, concern string) string {
		t.Helper()
		r := c.do("POST", "/referrals/new", url.Values{"csrf_token": {c.token("/referrals/new")}, "concern": {concern},
			"officer_name": {"PC Example"}, "victim_consent": {"given"}, "safeguarding": {"in_place"}})
		if r.Status != 303 {
			t.Fatalf("submit: %d %.500s", r.Status, r.Body)
		}
		loc := r.Header.Get("Location")
		return loc[:strings.Index(loc, "?")]
	}
	roses := submit(rose, "An officer keeps calling a woman we support.")
	wendys := submit(wendy, "An officer offered a lift home and would not take no.")

	// Ruth, of Rose's organisation, sees Rose's referral, opens it and
	// writes on it; Rose sees her message.
	if b := ruth.get("/referrals").Body; !strings.Contains(b, `href="`+roses+`"`) || strings.Contains(b, `href="`+wendys+`"`) {
		t.Fatalf("ruth's list: %.2000s", b)
	}
	if r := ruth.get(roses); r.Status != 200 || !strings.Contains(r.Body, "keeps calling") {
		t.Fatalf("ruth opening rose's referral: %d", r.Status)
	}
	if r := ruth.do("POST", roses+"/message", url.Values{"csrf_token": {ruth.token(roses)}, "message": {"She has agreed to speak to the unit."}}); r.Status != 303 {
		t.Fatalf("ruth's message: %d %.500s", r.Status, r.Body)
	}
	if b := rose.get(roses).Body; !strings.Contains(b, "She has agreed to speak to the unit.") {
		t.Fatalf("rose does not see ruth's message: %.2000s", b)
	}

	// Wendy, of another organisation, sees nothing of theirs, and they
	// nothing of hers: answered as if it did not exist.
	if b := wendy.get("/referrals").Body; strings.Contains(b, `href="`+roses+`"`) || !strings.Contains(b, `href="`+wendys+`"`) {
		t.Fatalf("wendy's list: %.2000s", b)
	}
	if r := wendy.get(roses); r.Status != 404 || strings.Contains(r.Body, "keeps calling") {
		t.Fatalf("wendy opening rose's referral: %d", r.Status)
	}
	if r := wendy.do("POST", roses+"/message", url.Values{"csrf_token": {wendy.token("/referrals")}, "message": {"hello"}}); r.Status != 404 {
		t.Fatalf("wendy writing on rose's referral: %d", r.Status)
	}
	for _, c := range []*client{rose, ruth} {
		if r := c.get(wendys); r.Status != 404 || strings.Contains(r.Body, "lift home") {
			t.Fatalf("opening wendy's referral: %d", r.Status)
		}
	}
}
