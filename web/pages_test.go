package web

import (
	"net/url"
	"strings"
	"testing"

	"lantern"
)

func TestHomePageByRole(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name   string
		role   lantern.UserRole
		staff  string
		locked bool
		has    []string
		hasNot []string
	}{
		{"ana", lantern.UserAnalyst, "S9", false, []string{`href="/alerts"`, `href="/reports"`, `href="/intake"`, `action="/people"`}, []string{`href="/audit"`, `href="/referrals"`}},
		{"aud", lantern.UserAuditor, "S6", false, []string{`href="/audit"`}, []string{`href="/alerts"`, `action="/staff"`}},
		{"adm", lantern.UserAdministrator, "", false, []string{`href="/rules"`, "lantern user"}, []string{`href="/alerts"`, `href="/audit"`}},
		{"par", lantern.UserPartner, "", false, []string{"partner referral portal", `href="/referrals"`, "not part of this workspace"}, []string{`href="/alerts"`, `href="/rules"`, `href="/reports"`}},
		{"ins", lantern.UserInspector, "", false, []string{"national oversight", "never shows case content"}, []string{`href="/alerts"`}},
		{"lck", lantern.UserAnalyst, "S5", true, []string{"suspended", `action="/signout"`}, []string{`href="/alerts"`}},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			c := e.signIn(e.addUser(tt.name+".user", tt.role, tt.staff))
			if tt.locked {
				if err := e.auth.RestrictStaff(t.Context(), "cli:test", tt.staff); err != nil {
					t.Fatal(err)
				}
			}
			body := c.get("/").Body
			for _, s := range tt.has {
				if !strings.Contains(body, s) {
					t.Errorf("home lacks %q", s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("home has %q", s)
				}
			}
		})
	}
}

func TestHTMXGetsFragments(t *testing.T) {
	e := newTestEnv(t)
	c := e.signIn(e.addUser("ann.analyst", lantern.UserAnalyst, "S9"))
	r := c.get("/alerts?rule=no_purpose_access", "HX-Request", "true")
	if r.Status != 200 || !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="queue-results">`) || strings.Contains(r.Body, "<html") {
		t.Fatalf("queue fragment: %d %.200s", r.Status, r.Body)
	}
	// A dismissal without a reason comes back as the actions panel with the
	// error, in place; with a reason, as the panel saying it is done.
	tok := c.token("/alerts/A2")
	r = c.do("POST", "/alerts/A2/dismiss", url.Values{}, csrfHeader, tok, "HX-Request", "true")
	if r.Status != 400 || !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="alert-actions">`) || !strings.Contains(r.Body, "Enter why you are dismissing") {
		t.Fatalf("dismiss without reason: %d %.300s", r.Status, r.Body)
	}
	r = c.do("POST", "/alerts/A2/dismiss", url.Values{"reason": {"assigned to the incident"}}, csrfHeader, tok, "HX-Request", "true")
	if r.Status != 200 || !strings.Contains(r.Body, "The alert is now dismissed") {
		t.Fatalf("dismiss: %d %.300s", r.Status, r.Body)
	}
	// Without JavaScript the same form redirects back to the alert.
	r = c.do("POST", "/alerts/A2/reopen", url.Values{"csrf_token": {tok}})
	if r.Status != 303 || r.Header.Get("Location") != "/alerts/A2?done=triaged" {
		t.Fatalf("reopen: %d %q", r.Status, r.Header.Get("Location"))
	}
	// An error during an htmx request replaces the main content.
	r = c.get("/alerts/NOPE", "HX-Request", "true")
	if r.Status != 404 || r.Header.Get("HX-Retarget") != "#main-content" || strings.Contains(r.Body, "<html") {
		t.Fatalf("htmx error: %d %v", r.Status, r.Header)
	}
}
