package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// apiToken returns the CSRF token the session API gives c.
func (c *client) apiToken() string {
	c.e.t.Helper()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	r := c.get("/api/v1/workspace/session")
	if err := json.Unmarshal([]byte(r.Body), &s); err != nil || s.CSRF == "" {
		c.e.t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	return s.CSRF
}

func decode[T any](t *testing.T, r reply, status int) T {
	t.Helper()
	var v T
	if r.Status != status {
		t.Fatalf("status %d, want %d: %.500s", r.Status, status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("%v: %.500s", err, r.Body)
	}
	return v
}

// TestReferralAPI drives the referral API from both sides: a partner sends
// a referral, attaches a file and follows it; another organisation gets
// 404s; the unit lists with filters, answers, moves it with feedback and
// records intelligence; the partner then cannot withdraw an assessed one.
func TestReferralAPI(t *testing.T) {
	e := newTestEnv(t)
	rose := e.signIn(e.addPartner("rose", "refuge-north"))
	wendy := e.signIn(e.addPartner("wendy", "womens-aid-south"))
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S9"))
	rtok, wtok, atok := rose.apiToken(), wendy.apiToken(), ann.apiToken()

	r := rose.doBody("POST", "/api/v1/workspace/referrals", `{"concern":"","officer":{},"victim_consent":"given","safeguarding":"in_place"}`, csrfHeader, rtok)
	if r.Status != 400 || !strings.Contains(r.Body, "Describe the concern") {
		t.Fatalf("empty referral: %d %s", r.Status, r.Body)
	}
	if r := rose.doBody("POST", "/api/v1/workspace/referrals", `{"concern":"x","bogus":1}`, csrfHeader, rtok); r.Status != 400 {
		t.Fatalf("unknown field: %d", r.Status)
	}
	if r := rose.doBody("POST", "/api/v1/workspace/referrals", `{}`); r.Status != 403 {
		t.Fatalf("no CSRF token: %d", r.Status)
	}
	ref := decode[lantern.Referral](t, rose.doBody("POST", "/api/v1/workspace/referrals",
		`{"concern":"PC Jones gave her his number at the scene.","officer":{"name":"Brian Jones","collar_number":"1234"},"victim_consent":"given","safeguarding":"needed"}`,
		csrfHeader, rtok), 201)
	if ref.ID == 0 || ref.Partner != "refuge-north" || ref.Status != lantern.ReferralSubmitted {
		t.Fatalf("created %+v", ref)
	}
	id := strconv.FormatInt(ref.ID, 10)
	own := "/api/v1/workspace/referrals/" + id

	// Files go as multipart, with the token in the header.
	ct, body := multipartBody(t, nil, upload{"dates.txt", []byte("He called on 3, 5 and 9 May.")})
	req, _ := http.NewRequest("POST", e.http.URL+own+"/files", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set(csrfHeader, rtok)
	res, err := rose.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	files := decode[struct{ Files []lantern.ReferralAttachment }](t, reply{Status: res.StatusCode, Body: string(b)}, 201)
	if len(files.Files) != 1 || files.Files[0].Name != "dates.txt" || files.Files[0].SanitisedSHA256 == "" {
		t.Fatalf("files: %+v", files)
	}
	if r := rose.doBody("POST", own+"/files", `{}`, csrfHeader, rtok); r.Status != 400 || !strings.Contains(r.Body, "multipart/form-data") {
		t.Errorf("files as JSON: %d %s", r.Status, r.Body)
	}
	decode[lantern.ReferralMessage](t, rose.doBody("POST", own+"/messages", `{"body":"She can talk on Thursday."}`, csrfHeader, rtok), 201)

	// Another organisation: the same 404 as a referral that is not there.
	missing := wendy.get("/api/v1/workspace/referrals/999999")
	for _, r := range []reply{wendy.get(own), wendy.doBody("POST", own+"/messages", `{"body":"hi"}`, csrfHeader, wtok),
		wendy.doBody("POST", own+"/withdraw", ``, csrfHeader, wtok), wendy.doBody("POST", own+"/files", `{}`, csrfHeader, wtok)} {
		if r.Status != 404 || r.Body != missing.Body {
			t.Errorf("another organisation: %d %s (missing: %s)", r.Status, r.Body, missing.Body)
		}
	}
	if l := decode[referralListReply](t, wendy.get("/api/v1/workspace/referrals"), 200); l.Total != 0 || len(l.Referrals) != 0 {
		t.Errorf("another organisation's list: %+v", l)
	}
	if r := rose.get("/api/v1/workspace/referrals?partner=womens-aid-south"); r.Status != 400 {
		t.Errorf("a partner filtering by partner: %d", r.Status)
	}

	// The unit: lists filtered, answers, moves it, records intelligence.
	unit := "/api/v1/workspace/partner-referrals/" + id
	if l := decode[referralListReply](t, ann.get("/api/v1/workspace/partner-referrals?partner=refuge-north&status=submitted"), 200); l.Total != 1 || l.Referrals[0].ID != ref.ID {
		t.Errorf("unit's filtered list: %+v", l)
	}
	if l := decode[referralListReply](t, ann.get("/api/v1/workspace/partner-referrals?status=assessing"), 200); l.Total != 0 {
		t.Errorf("unit's list by another status: %+v", l)
	}
	decode[lantern.ReferralMessage](t, ann.doBody("POST", unit+"/messages", `{"body":"Thank you, we will call."}`, csrfHeader, atok), 201)
	if r := ann.doBody("POST", unit+"/status", `{"status":"actioned"}`, csrfHeader, atok); r.Status != 409 {
		t.Errorf("a refused move: %d", r.Status)
	}
	for _, st := range []string{"acknowledged", "assessing"} {
		decode[lantern.Referral](t, ann.doBody("POST", unit+"/status", `{"status":"`+st+`","feedback":"We are looking into it."}`, csrfHeader, atok), 200)
	}
	it := decode[lantern.IntelItem](t, ann.doBody("POST", unit+"/intel", `{"summary":"An officer may be pursuing a charity's client."}`, csrfHeader, atok), 201)
	if it.Source != lantern.IntelFromReferral || it.SourceRef != "referral:"+id || it.State != lantern.IntelUngraded {
		t.Errorf("intel item: %+v", it)
	}
	thread := decode[referralReply](t, ann.get(unit), 200)
	if len(thread.Messages) != 2 || len(thread.Files) != 1 || thread.Referral.StatusBy == "" {
		t.Errorf("unit's thread: %+v", thread)
	}

	// The partner sees the feedback and the unit's message, not who wrote
	// it; withdrawing an assessed referral is refused.
	pt := decode[referralReply](t, rose.get(own), 200)
	if pt.Referral.Feedback != "We are looking into it." || pt.Referral.StatusBy != "" || len(pt.Messages) != 2 || pt.Messages[1].By != "" || len(pt.Files) != 1 {
		t.Errorf("partner's thread: %+v", pt)
	}
	if r := rose.doBody("POST", own+"/withdraw", ``, csrfHeader, rtok); r.Status != 409 {
		t.Errorf("withdraw after assessment: %d %s", r.Status, r.Body)
	}
	// The unit does not use the partner's side, nor a partner the unit's.
	if r := ann.get(own); r.Status != 403 {
		t.Errorf("the unit on the partner's API: %d", r.Status)
	}
	if r := rose.get(unit); r.Status != 403 {
		t.Errorf("a partner on the unit's API: %d", r.Status)
	}
	other := decode[lantern.Referral](t, wendy.doBody("POST", "/api/v1/workspace/referrals",
		`{"concern":"He drives past her house.","officer":{"vehicle":"red Fiesta"},"victim_consent":"not_asked","safeguarding":"not_known"}`, csrfHeader, wtok), 201)
	if w := decode[lantern.Referral](t, wendy.doBody("POST", "/api/v1/workspace/referrals/"+strconv.FormatInt(other.ID, 10)+"/withdraw", ``, csrfHeader, wtok), 200); w.Status != lantern.ReferralWithdrawn {
		t.Errorf("withdrawn: %+v", w)
	}
}
