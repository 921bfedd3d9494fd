package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// permRoute is one page or API request of the permission table: the
// action it needs ("" for any signed-in user, even one locked out) and the
// member of staff it is about.
type permRoute struct {
	method, path string
	need         lantern.Action
	about        string
	pattern      string // the registered route it exercises
	json         string // a JSON body, for the API
	okStatus     int    // the status when allowed; 200 when 0
	// alt is another status that shows the request was allowed: a
	// decision the alert's state no longer permits, after another role
	// made it first.
	alt int
}

// permRoutes is every signed-in page and API route, with S1 as the subject
// of alert A1 and S2 of alert A2.
var permRoutes = []permRoute{
	{method: "GET", path: "/", pattern: "GET /{$}"},
	{method: "GET", path: "/alerts", need: lantern.ActViewAlerts, pattern: "GET /alerts"},
	{method: "GET", path: "/alerts/A2", need: lantern.ActViewAlerts, about: "S2", pattern: "GET /alerts/{id}"},
	{method: "GET", path: "/alerts/A1", need: lantern.ActViewAlerts, about: "S1", pattern: "GET /alerts/{id}"},
	{method: "POST", path: "/alerts/A2/triage", need: lantern.ActChangeAlert, about: "S2", pattern: "POST /alerts/{id}/{action}", okStatus: 303, alt: 400},
	{method: "POST", path: "/alerts/A1/triage", need: lantern.ActChangeAlert, about: "S1", pattern: "POST /alerts/{id}/{action}", okStatus: 303, alt: 400},
	{method: "GET", path: "/staff?id=S2", pattern: "GET /staff", okStatus: 303},
	{method: "GET", path: "/staff/S2", need: lantern.ActViewStaff, about: "S2", pattern: "GET /staff/{id}"},
	{method: "GET", path: "/staff/S1", need: lantern.ActViewStaff, about: "S1", pattern: "GET /staff/{id}"},
	{method: "GET", path: "/people?id=P1", pattern: "GET /people", okStatus: 303},
	{method: "GET", path: "/people/P1", need: lantern.ActViewPerson, pattern: "GET /people/{id}"},
	{method: "GET", path: "/rules", need: lantern.ActViewRules, pattern: "GET /rules"},
	{method: "POST", path: "/rules/reload", need: lantern.ActReloadRules, pattern: "POST /rules/reload"},
	{method: "GET", path: "/intake", need: lantern.ActViewIntake, pattern: "GET /intake"},
	{method: "GET", path: "/audit", need: lantern.ActViewAudit, pattern: "GET /audit"},
	{method: "GET", path: "/audit?verify=true", need: lantern.ActViewAudit, pattern: "GET /audit"},

	{method: "GET", path: "/api/v1/workspace/session", pattern: "GET /api/v1/workspace/session"},
	{method: "GET", path: "/api/v1/workspace/queue", need: lantern.ActViewAlerts, pattern: "GET /api/v1/workspace/queue"},
	{method: "GET", path: "/api/v1/workspace/alerts/A2", need: lantern.ActViewAlerts, about: "S2", pattern: "GET /api/v1/workspace/alerts/{id}"},
	{method: "GET", path: "/api/v1/workspace/alerts/A1", need: lantern.ActViewAlerts, about: "S1", pattern: "GET /api/v1/workspace/alerts/{id}"},
	{method: "POST", path: "/api/v1/workspace/alerts/A2/state", need: lantern.ActChangeAlert, about: "S2", pattern: "POST /api/v1/workspace/alerts/{id}/state", json: `{"state":"triaged"}`, alt: 409},
	{method: "POST", path: "/api/v1/workspace/alerts/A1/state", need: lantern.ActChangeAlert, about: "S1", pattern: "POST /api/v1/workspace/alerts/{id}/state", json: `{"state":"triaged"}`, alt: 409},
	{method: "GET", path: "/api/v1/workspace/staff/S2", need: lantern.ActViewStaff, about: "S2", pattern: "GET /api/v1/workspace/staff/{id}"},
	{method: "GET", path: "/api/v1/workspace/staff/S1", need: lantern.ActViewStaff, about: "S1", pattern: "GET /api/v1/workspace/staff/{id}"},
	{method: "GET", path: "/api/v1/workspace/people/P1", need: lantern.ActViewPerson, pattern: "GET /api/v1/workspace/people/{id}"},
	{method: "GET", path: "/api/v1/workspace/rules", need: lantern.ActViewRules, pattern: "GET /api/v1/workspace/rules"},
	{method: "POST", path: "/api/v1/workspace/rules/reload", need: lantern.ActReloadRules, pattern: "POST /api/v1/workspace/rules/reload", json: `{}`},
	{method: "GET", path: "/api/v1/workspace/intake", need: lantern.ActViewIntake, pattern: "GET /api/v1/workspace/intake"},
	{method: "GET", path: "/api/v1/workspace/audit", need: lantern.ActViewAudit, pattern: "GET /api/v1/workspace/audit"},

	// Reports: {anon} and {conf} are an anonymous and a confidential
	// report made after every user signed in (so that every unit member
	// holds their keys), {req} a pending request to disclose {conf}'s
	// reporter. A form sent empty comes back with its error (400) when the
	// role may use it. Seeing a reporter's identity also needs an approved
	// request, which the report service checks (403 for an analyst).
	{method: "GET", path: "/reports", need: lantern.ActViewReports, pattern: "GET /reports"},
	{method: "GET", path: "/reports/{anon}", need: lantern.ActViewReports, pattern: "GET /reports/{id}"},
	{method: "GET", path: "/reports/{conf}", need: lantern.ActViewReports, pattern: "GET /reports/{id}"},
	{method: "GET", path: "/reports/{conf}/identity", need: lantern.ActViewReports, pattern: "GET /reports/{id}/identity", alt: 403},
	{method: "GET", path: "/reports/{anon}/files/none", need: lantern.ActViewReports, pattern: "GET /reports/{id}/files/{file}", okStatus: 404},
	{method: "POST", path: "/reports/{anon}/ask", need: lantern.ActChangeReport, pattern: "POST /reports/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/reports/{anon}/status", need: lantern.ActChangeReport, pattern: "POST /reports/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/reports/{anon}/intel", need: lantern.ActChangeReport, pattern: "POST /reports/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/api/v1/workspace/reports/{conf}/intel", need: lantern.ActChangeReport, pattern: "POST /api/v1/workspace/reports/{id}/intel", json: `{"summary":"A sergeant may be pursuing a victim."}`, okStatus: 201},
	{method: "POST", path: "/reports/{conf}/disclosure", need: lantern.ActRequestIdentity, pattern: "POST /reports/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/reports/{conf}/decide", need: lantern.ActDecideIdentity, pattern: "POST /reports/{id}/{action}", okStatus: 400},
	{method: "GET", path: "/api/v1/workspace/reports", need: lantern.ActViewReports, pattern: "GET /api/v1/workspace/reports"},
	{method: "GET", path: "/api/v1/workspace/reports/{anon}", need: lantern.ActViewReports, pattern: "GET /api/v1/workspace/reports/{id}"},
	{method: "POST", path: "/api/v1/workspace/reports/{anon}/questions", need: lantern.ActChangeReport, pattern: "POST /api/v1/workspace/reports/{id}/questions", json: `{"text":"Which station was it?"}`, okStatus: 204},
	{method: "POST", path: "/api/v1/workspace/reports/{anon}/status", need: lantern.ActChangeReport, pattern: "POST /api/v1/workspace/reports/{id}/status", json: `{"status":"closed","reason":"test"}`, alt: 409},
	{method: "POST", path: "/api/v1/workspace/reports/{conf}/disclosures", need: lantern.ActRequestIdentity, pattern: "POST /api/v1/workspace/reports/{id}/disclosures", json: `{"reason":"to take a statement"}`, okStatus: 201},
	{method: "GET", path: "/api/v1/workspace/reports/{conf}/identity", need: lantern.ActViewReports, pattern: "GET /api/v1/workspace/reports/{id}/identity", alt: 403},
	// The partner referral portal: a referral that does not exist is
	// answered 404 to a partner (the same as another organisation's) and
	// refused to everyone else; an empty new referral comes back with its
	// errors.
	{method: "GET", path: "/referrals", need: lantern.ActPartnerReferrals, pattern: "GET /referrals"},
	{method: "GET", path: "/referrals/new", need: lantern.ActPartnerReferrals, pattern: "GET /referrals/new"},
	{method: "POST", path: "/referrals/new", need: lantern.ActPartnerReferrals, pattern: "POST /referrals/new", okStatus: 400},
	{method: "GET", path: "/referrals/999999", need: lantern.ActPartnerReferrals, pattern: "GET /referrals/{id}", okStatus: 404},
	{method: "POST", path: "/referrals/999999/message", need: lantern.ActPartnerReferrals, pattern: "POST /referrals/{id}/message", okStatus: 404},
	// {ref} is another organisation's referral with a file {reffile}: a
	// partner is answered as if neither existed; the unit has both copies.
	{method: "POST", path: "/referrals/999999/files", need: lantern.ActPartnerReferrals, pattern: "POST /referrals/{id}/files", okStatus: 404},
	{method: "POST", path: "/referrals/{ref}/files", need: lantern.ActPartnerReferrals, pattern: "POST /referrals/{id}/files", okStatus: 404},
	{method: "GET", path: "/referrals/{ref}/files/{reffile}", need: lantern.ActPartnerReferrals, pattern: "GET /referrals/{id}/files/{file}", okStatus: 404},
	{method: "GET", path: "/referrals/999999/files/{reffile}", need: lantern.ActPartnerReferrals, pattern: "GET /referrals/{id}/files/{file}", okStatus: 404},
	{method: "GET", path: "/partner-referrals/{ref}/files/{reffile}/original", need: lantern.ActViewReferrals, pattern: "GET /partner-referrals/{id}/files/{file}/{copy}"},
	{method: "GET", path: "/partner-referrals/{ref}/files/{reffile}/sanitised", need: lantern.ActViewReferrals, pattern: "GET /partner-referrals/{id}/files/{file}/{copy}"},
	{method: "GET", path: "/partner-referrals/999999/files/{reffile}/original", need: lantern.ActViewReferrals, pattern: "GET /partner-referrals/{id}/files/{file}/{copy}", okStatus: 404},
	{method: "GET", path: "/partner-referrals", need: lantern.ActViewReferrals, pattern: "GET /partner-referrals"},
	{method: "GET", path: "/partner-referrals/999999", need: lantern.ActViewReferrals, pattern: "GET /partner-referrals/{id}", okStatus: 404},
	{method: "POST", path: "/partner-referrals/999999/message", need: lantern.ActChangeReferral, pattern: "POST /partner-referrals/{id}/{action}", okStatus: 404},
	{method: "POST", path: "/partner-referrals/999999/status", need: lantern.ActChangeReferral, pattern: "POST /partner-referrals/{id}/{action}", okStatus: 404},
	{method: "POST", path: "/partner-referrals/999999/intel", need: lantern.ActChangeReferral, pattern: "POST /partner-referrals/{id}/{action}", okStatus: 404},
	// The referral API: the partner's side answers another organisation's
	// referral {ref} as missing; the unit's forms sent empty come back
	// with their errors, and a move the state machine refuses with 409.
	{method: "GET", path: "/api/v1/workspace/referrals", need: lantern.ActPartnerReferrals, pattern: "GET /api/v1/workspace/referrals"},
	{method: "POST", path: "/api/v1/workspace/referrals", need: lantern.ActPartnerReferrals, pattern: "POST /api/v1/workspace/referrals", json: `{"concern":""}`, okStatus: 400},
	{method: "GET", path: "/api/v1/workspace/referrals/{ref}", need: lantern.ActPartnerReferrals, pattern: "GET /api/v1/workspace/referrals/{id}", okStatus: 404},
	{method: "POST", path: "/api/v1/workspace/referrals/{ref}/messages", need: lantern.ActPartnerReferrals, pattern: "POST /api/v1/workspace/referrals/{id}/messages", json: `{"body":"Hello"}`, okStatus: 404},
	{method: "POST", path: "/api/v1/workspace/referrals/{ref}/withdraw", need: lantern.ActPartnerReferrals, pattern: "POST /api/v1/workspace/referrals/{id}/withdraw", json: `{}`, okStatus: 404},
	{method: "POST", path: "/api/v1/workspace/referrals/{ref}/files", need: lantern.ActPartnerReferrals, pattern: "POST /api/v1/workspace/referrals/{id}/files", json: `{}`, okStatus: 404},
	{method: "GET", path: "/api/v1/workspace/partner-referrals", need: lantern.ActViewReferrals, pattern: "GET /api/v1/workspace/partner-referrals"},
	{method: "GET", path: "/api/v1/workspace/partner-referrals?status=bogus", need: lantern.ActViewReferrals, pattern: "GET /api/v1/workspace/partner-referrals", okStatus: 400},
	{method: "GET", path: "/api/v1/workspace/partner-referrals/{ref}", need: lantern.ActViewReferrals, pattern: "GET /api/v1/workspace/partner-referrals/{id}"},
	{method: "POST", path: "/api/v1/workspace/partner-referrals/{ref}/status", need: lantern.ActChangeReferral, pattern: "POST /api/v1/workspace/partner-referrals/{id}/status", json: `{"status":"actioned"}`, okStatus: 409},
	{method: "POST", path: "/api/v1/workspace/partner-referrals/{ref}/messages", need: lantern.ActChangeReferral, pattern: "POST /api/v1/workspace/partner-referrals/{id}/messages", json: `{"body":" "}`, okStatus: 400},
	{method: "POST", path: "/api/v1/workspace/partner-referrals/{ref}/intel", need: lantern.ActChangeReferral, pattern: "POST /api/v1/workspace/partner-referrals/{id}/intel", json: `{"summary":""}`, okStatus: 400},
	// The intelligence log: {intel} is an ungraded item linked to S1, so
	// never shown to S1; {intel2} is one linked to no one.
	{method: "GET", path: "/intel", need: lantern.ActViewIntel, pattern: "GET /intel"},
	{method: "GET", path: "/intel?state=bogus", need: lantern.ActViewIntel, pattern: "GET /intel", okStatus: 400},
	{method: "GET", path: "/intel/{intel}", need: lantern.ActViewIntel, about: "S1", pattern: "GET /intel/{id}"},
	{method: "GET", path: "/intel/{intel2}", need: lantern.ActViewIntel, pattern: "GET /intel/{id}"},
	{method: "GET", path: "/intel/{intel2}?name=Brian", need: lantern.ActLinkIntel, pattern: "GET /intel/{id}"},
	{method: "POST", path: "/intel/{intel}/grade", need: lantern.ActChangeIntel, about: "S1", pattern: "POST /intel/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/intel/{intel2}/share", need: lantern.ActChangeIntel, pattern: "POST /intel/{id}/{action}", okStatus: 400},
	{method: "POST", path: "/intel/{intel2}/link", need: lantern.ActLinkIntel, pattern: "POST /intel/{id}/{action}", okStatus: 400},
	{method: "GET", path: "/api/v1/workspace/intel", need: lantern.ActViewIntel, pattern: "GET /api/v1/workspace/intel"},
	{method: "GET", path: "/api/v1/workspace/intel/{intel}", need: lantern.ActViewIntel, about: "S1", pattern: "GET /api/v1/workspace/intel/{id}"},
	{method: "POST", path: "/api/v1/workspace/intel/{intel}/grade", need: lantern.ActChangeIntel, about: "S1", pattern: "POST /api/v1/workspace/intel/{id}/grade", json: `{"source":2,"intelligence":"C","handling":"P"}`},
	{method: "POST", path: "/api/v1/workspace/intel/{intel2}/share", need: lantern.ActChangeIntel, pattern: "POST /api/v1/workspace/intel/{id}/share", json: `{"sanitised":"","with":""}`, okStatus: 400},
	{method: "GET", path: "/api/v1/workspace/intel/{intel2}/candidates?name=Brian", need: lantern.ActLinkIntel, pattern: "GET /api/v1/workspace/intel/{id}/candidates"},
	{method: "GET", path: "/api/v1/workspace/intel/{intel2}/proposals", need: lantern.ActLinkIntel, pattern: "GET /api/v1/workspace/intel/{id}/proposals"},
	{method: "GET", path: "/api/v1/workspace/intel/{intel}/proposals", need: lantern.ActLinkIntel, about: "S1", pattern: "GET /api/v1/workspace/intel/{id}/proposals"},
	{method: "POST", path: "/api/v1/workspace/intel/{intel2}/link", need: lantern.ActLinkIntel, pattern: "POST /api/v1/workspace/intel/{id}/link", json: `{"staff_id":"S2","confirm":false}`, okStatus: 400},
	{method: "POST", path: "/api/v1/workspace/disclosures/{req}/decision", need: lantern.ActDecideIdentity, pattern: "POST /api/v1/workspace/disclosures/{id}/decision", json: `{"approve":false,"note":"not yet"}`, alt: 409},
}

// publicPatterns need no session (or, for the system API, a source token
// instead of one).
var publicPatterns = []string{
	"GET /healthz", "GET /readyz", "GET /metrics", "GET /assets/{path...}", "GET /status", "/",
	"POST /api/v1/events", "GET /api/v1/alerts", "GET /api/v1/alerts/{id}", "POST /api/v1/alerts/{id}/state",
	"GET /api/v1/risk", "GET /api/v1/rules", "POST /api/v1/rules/reload",
	"GET /signin", "POST /signin", "GET /signin/code", "POST /signin/code", "GET /signin/oidc", "GET /signin/oidc/callback", "POST /signout",
}

func TestPermissionTableCoversEveryRoute(t *testing.T) {
	s, _ := newTestServer(t)
	for _, p := range s.patterns {
		if slices.Contains(publicPatterns, p) {
			continue
		}
		if !slices.ContainsFunc(permRoutes, func(r permRoute) bool { return r.pattern == p }) {
			t.Errorf("route %q is not in the permission table", p)
		}
	}
}

// permUser is a user of the permission table.
type permUser struct {
	name    string
	role    lantern.UserRole
	staffID string
	locked  bool
}

var permUsers = []permUser{
	{"analyst", lantern.UserAnalyst, "S9", false},
	{"analyst.subject", lantern.UserAnalyst, "S1", false}, // the subject of alert A1
	{"investigator", lantern.UserInvestigator, "S8", false},
	{"head.of.psd", lantern.UserHeadOfPSD, "S7", false},
	{"auditor", lantern.UserAuditor, "S6", false},
	{"administrator", lantern.UserAdministrator, "", false},
	{"partner", lantern.UserPartner, "", false},
	{"inspector", lantern.UserInspector, "", false},
	{"analyst.locked", lantern.UserAnalyst, "S5", true}, // an open case against them
	{"investigator.subject", lantern.UserInvestigator, "S2", false},
}

// allowed is the table's expectation, written out from the policy in
// docs/security.md rather than by calling lantern.Authorize.
func (u permUser) allowed(r permRoute) bool {
	if r.need == "" {
		return true
	}
	if u.locked {
		return false
	}
	may := map[lantern.UserRole][]lantern.Action{
		lantern.UserAnalyst: {lantern.ActViewAlerts, lantern.ActChangeAlert, lantern.ActViewStaff, lantern.ActViewPerson, lantern.ActViewRules, lantern.ActViewIntake,
			lantern.ActViewReports, lantern.ActChangeReport, lantern.ActRequestIdentity, lantern.ActViewReferrals, lantern.ActChangeReferral,
			lantern.ActViewIntel, lantern.ActChangeIntel, lantern.ActLinkIntel},
		lantern.UserInvestigator: {lantern.ActViewAlerts, lantern.ActChangeAlert, lantern.ActViewStaff, lantern.ActViewPerson, lantern.ActViewRules,
			lantern.ActViewReports, lantern.ActChangeReport, lantern.ActRequestIdentity, lantern.ActViewReferrals, lantern.ActChangeReferral, lantern.ActViewIntel, lantern.ActChangeIntel},
		lantern.UserHeadOfPSD: {lantern.ActViewAlerts, lantern.ActChangeAlert, lantern.ActViewStaff, lantern.ActViewPerson, lantern.ActViewRules, lantern.ActViewIntake,
			lantern.ActViewReports, lantern.ActChangeReport, lantern.ActDecideIdentity, lantern.ActViewReferrals, lantern.ActChangeReferral,
			lantern.ActViewIntel, lantern.ActChangeIntel},
		lantern.UserAuditor:       {lantern.ActViewAudit},
		lantern.UserAdministrator: {lantern.ActViewRules, lantern.ActReloadRules, lantern.ActViewIntake},
		lantern.UserPartner:       {lantern.ActPartnerReferrals},
	}[u.role]
	if !slices.Contains(may, r.need) {
		return false
	}
	return r.about == "" || r.about != u.staffID
}

func TestPermissions(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	clients := map[string]*client{}
	for _, u := range permUsers {
		tu := e.addUser(u.name, u.role, u.staffID)
		clients[u.name] = e.signIn(tu)
		if u.locked {
			if err := e.auth.RestrictStaff(ctx, "cli:test", u.staffID); err != nil {
				t.Fatal(err)
			}
		}
	}
	fill := e.seedReports()
	for _, u := range permUsers {
		c := clients[u.name]
		tok := c.token("/")
		for _, r := range permRoutes {
			r.path = fill.Replace(r.path)
			t.Run(u.name+" "+r.method+" "+r.path, func(t *testing.T) {
				var rep reply
				switch {
				case r.json != "":
					rep = c.doBody(r.method, r.path, r.json, csrfHeader, tok)
				case r.method == "POST":
					rep = c.do(r.method, r.path, url.Values{"csrf_token": {tok}})
				default:
					rep = c.get(r.path)
				}
				want := http.StatusForbidden
				if u.allowed(r) {
					want = r.okStatus
					if want == 0 {
						want = http.StatusOK
					}
					if rep.Status == r.alt && r.alt != 0 {
						want = r.alt
					}
				}
				if rep.Status != want {
					t.Fatalf("%d, want %d: %.300s", rep.Status, want, rep.Body)
				}
			})
		}
	}
	// The subject of alert A1 is not shown it in the queue, in the page or
	// the API; a colleague is.
	// (Looked for as a link or a JSON id, since the page's random CSRF
	// token may happen to contain "A1".)
	for _, path := range []string{"/alerts", "/api/v1/workspace/queue"} {
		has := func(body, id string) bool {
			return strings.Contains(body, `href="/alerts/`+id+`"`) || strings.Contains(body, `"id":"`+id+`"`)
		}
		if body := clients["analyst.subject"].get(path).Body; has(body, "A1") || !has(body, "A2") {
			t.Errorf("%s for the subject of A1: %.500s", path, body)
		}
		if body := clients["analyst"].get(path).Body; !has(body, "A1") {
			t.Errorf("%s for a colleague lacks A1", path)
		}
	}
	// Anyone not signed in is sent to sign in, or told 401 by the API.
	anon := e.client()
	anon.token("/signin")
	for _, r := range permRoutes {
		r.path = fill.Replace(r.path)
		rep := anon.do(r.method, r.path, nil)
		switch {
		case strings.HasPrefix(r.path, "/api/") || r.method != "GET":
			if rep.Status != http.StatusUnauthorized {
				t.Errorf("anonymous %s %s: %d", r.method, r.path, rep.Status)
			}
		case rep.Status != http.StatusSeeOther || !strings.HasPrefix(rep.Header.Get("Location"), "/signin"):
			t.Errorf("anonymous %s %s: %d %s", r.method, r.path, rep.Status, rep.Header.Get("Location"))
		}
	}
	// Every refusal is on the audit trail.
	denied, err := e.store.AuditEntries(ctx, lantern.AuditQuery{UserID: "", Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range denied {
		if d.Outcome == lantern.AuditDenied {
			n++
		}
	}
	if n == 0 {
		t.Error("no denied entry on the audit trail")
	}
}

// doBody sends a raw body, for JSON requests.
func (c *client) doBody(method, path, body string, hdr ...string) reply {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.http.URL+path, strings.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, res.Body)
	return reply{Status: res.StatusCode, Header: res.Header, Body: b.String()}
}

// seedReports makes an anonymous and a confidential report and a pending
// request to disclose the confidential reporter, and returns the replacer
// that puts their ids into the permission table's paths.
func (e *testEnv) seedReports() *strings.Replacer {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.reports.Submit(ctx, lantern.Report{Kind: lantern.ReportAnonymous, Answers: lantern.ReportAnswers{What: "He offered to make a case go away."}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = e.reports.Submit(ctx, lantern.Report{Kind: lantern.ReportConfidential, Answers: lantern.ReportAnswers{What: "He kept messaging a victim."},
		Identity: &lantern.ReporterIdentity{Name: "Dana Reporter", Contact: "07700 900123"}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	list, _, err := e.store.FindReports(ctx, lantern.ReportFilter{})
	if err != nil || len(list) != 2 {
		e.t.Fatalf("reports: %d, %v", len(list), err)
	}
	ids := map[string]string{}
	for _, r := range list {
		ids[r.Kind] = r.ID
	}
	asker := lantern.WithPrincipal(ctx, lantern.Principal{UserID: "setup-analyst", Role: lantern.UserAnalyst})
	d, err := e.reports.RequestDisclosure(asker, ids[lantern.ReportConfidential], "to take a statement")
	if err != nil {
		e.t.Fatal(err)
	}
	var items [2]int64
	for i := range items {
		it := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:" + ids[lantern.ReportAnonymous], Summary: "He may be pursuing a witness.",
			State: lantern.IntelUngraded, CreatedBy: "setup-analyst", CreatedAt: t0}
		if err := e.store.CreateIntelItem(ctx, it); err != nil {
			e.t.Fatal(err)
		}
		items[i] = it.ID
	}
	if _, err := e.store.LinkIntelStaff(ctx, items[0], lantern.StaffLink{StaffID: "S1", By: "setup-analyst", At: t0}); err != nil {
		e.t.Fatal(err)
	}
	ref := &lantern.Referral{Partner: "refuge-other", SubmittedBy: "other-worker", Concern: "He keeps driving past her house.",
		Officer: lantern.OfficerDetails{Name: "Brian Jones"}, VictimConsent: lantern.ConsentGiven, Safeguarding: lantern.SafeguardingInPlace, SubmittedAt: t0}
	if err := e.store.CreateReferral(ctx, ref); err != nil {
		e.t.Fatal(err)
	}
	note := []byte("She kept his messages.")
	file := &lantern.ReferralAttachment{ReferralID: ref.ID, By: "other-worker", At: t0, Original: note, Sanitised: note,
		AttachmentMeta: lantern.AttachmentMeta{Name: "note.txt", ContentType: "text/plain", Size: int64(len(note)), SHA256: strings.Repeat("0", 64),
			SanitisedType: "text/plain", SanitisedSize: int64(len(note)), SanitisedSHA256: strings.Repeat("0", 64)}}
	if err := e.store.AddReferralAttachments(ctx, file); err != nil {
		e.t.Fatal(err)
	}
	return strings.NewReplacer("{ref}", strconv.FormatInt(ref.ID, 10), "{reffile}", strconv.FormatInt(file.ID, 10), "{anon}", ids[lantern.ReportAnonymous], "{conf}", ids[lantern.ReportConfidential], "{req}", strconv.FormatInt(d.ID, 10),
		"{intel2}", strconv.FormatInt(items[1], 10), "{intel}", strconv.FormatInt(items[0], 10))
}
