package web

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"lantern"
)

func TestSignInWithTOTPSetsASafeSessionCookie(t *testing.T) {
	e := newTestEnv(t)
	u := e.addUser("ann.analyst", lantern.UserAnalyst, "S9")
	c := e.client()
	if r := c.get("/alerts"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin?next=%2Falerts" {
		t.Fatalf("signed out: %d %q", r.Status, r.Header.Get("Location"))
	}
	tok := c.token("/signin?next=%2Falerts")
	r := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {u.Username}, "password": {u.cred.Password}, "next": {"/alerts"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin/code?next=%2Falerts" {
		t.Fatalf("password: %d %q", r.Status, r.Header.Get("Location"))
	}
	if strings.Contains(r.Header.Get("Set-Cookie"), sessionCookie) {
		t.Fatal("a session before the second factor")
	}
	e.offset.Add(31e9)
	tok = c.token("/signin/code")
	r = c.do("POST", "/signin/code", url.Values{"csrf_token": {tok}, "code": {e.totpNow(u)}, "next": {"/alerts"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/alerts" {
		t.Fatalf("code: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	var session *http.Cookie
	for _, k := range (&http.Response{Header: r.Header}).Cookies() {
		if k.Name == sessionCookie {
			session = k
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
		t.Fatalf("session cookie %+v", session)
	}
	if r := c.get("/alerts"); r.Status != 200 || !strings.Contains(r.Body, "Alert queue") {
		t.Fatalf("queue: %d", r.Status)
	}
	// Signing out ends the session on the server too.
	tok = c.token("/")
	if r := c.do("POST", "/signout", url.Values{"csrf_token": {tok}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.Status)
	}
	if _, err := e.auth.Principal(t.Context(), session.Value); lantern.ErrorCode(err) != lantern.EUNAUTHORIZED {
		t.Fatalf("session still live after sign-out: %v", err)
	}
	if r := c.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", r.Status)
	}
	// Cookies are Secure when the request came over TLS.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.TLS = &tls.ConnectionState{}
	setCookie(rec, req, sessionCookie, "x", 0, http.SameSiteLaxMode)
	if k := rec.Result().Cookies()[0]; !k.Secure || !k.HttpOnly {
		t.Fatalf("over TLS: %+v", k)
	}
}

func TestSignInFailuresAreGeneric(t *testing.T) {
	e := newTestEnv(t)
	u := e.addUser("ann.analyst", lantern.UserAnalyst, "S9")
	c := e.client()
	bodies := map[string]string{}
	for name, creds := range map[string][2]string{
		"unknown user":   {"nobody.here", "whatever-password"},
		"wrong password": {u.Username, "not-the-password"},
	} {
		tok := c.token("/signin")
		r := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {creds[0]}, "password": {creds[1]}})
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "govuk-error-summary") {
			t.Fatalf("%s: %d", name, r.Status)
		}
		bodies[name] = csrfInput.ReplaceAllString(r.Body, "")
		bodies[name] = strings.Replace(bodies[name], `value="`+creds[0]+`"`, "", 1)
	}
	if bodies["unknown user"] != bodies["wrong password"] {
		t.Error("an unknown username and a wrong password give different pages")
	}
	tok := c.token("/signin")
	r := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {""}, "password": {""}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `href="#username"`) || !strings.Contains(r.Body, "Enter your password") {
		t.Fatalf("empty form: %d", r.Status)
	}
	// A wrong code.
	tok = c.token("/signin")
	r = c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {u.Username}, "password": {u.cred.Password}})
	tok = c.token("/signin/code")
	r = c.do("POST", "/signin/code", url.Values{"csrf_token": {tok}, "code": {"000000"}})
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, msgCodeFailed) {
		t.Fatalf("wrong code: %d", r.Status)
	}
	if strings.Contains(e.logs.String(), u.cred.Password) || strings.Contains(e.logs.String(), "127.0.0.1") {
		t.Error("a password or client address reached the log")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/alerts?state=new":     "/alerts?state=new",
		"//evil.example/":       "/",
		"https://evil.example/": "/",
		"/\\evil.example":       "/",
		"/signin/code":          "/",
		"":                      "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSRFRejections(t *testing.T) {
	e := newTestEnv(t)
	ann := e.signIn(e.addUser("ann.analyst", lantern.UserAnalyst, "S9"))
	bob := e.signIn(e.addUser("bob.analyst", lantern.UserAnalyst, "S8"))
	annTok, bobTok := ann.token("/"), bob.token("/")
	if annTok == bobTok {
		t.Fatal("two sessions share a CSRF token")
	}
	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		form   url.Values
		hdr    []string
		want   int
	}{
		{"form without token", ann, "POST", "/alerts/A2/triage", url.Values{}, nil, 403},
		{"form with another session's token", ann, "POST", "/alerts/A2/triage", url.Values{"csrf_token": {bobTok}}, nil, 403},
		{"form with a made-up token", ann, "POST", "/alerts/A2/triage", url.Values{"csrf_token": {"AAAA"}}, nil, 403},
		{"htmx header with another session's token", ann, "POST", "/alerts/A2/triage", url.Values{}, []string{csrfHeader, bobTok, "HX-Request", "true"}, 403},
		{"sign-out without token", ann, "POST", "/signout", url.Values{}, nil, 403},
		{"reload without token", ann, "POST", "/rules/reload", url.Values{}, nil, 403},
		{"API change without header", ann, "POST", "/api/v1/workspace/alerts/A2/state", nil, []string{"Content-Type", "application/json"}, 403},
		{"form with its token", ann, "POST", "/alerts/A2/triage", url.Values{"csrf_token": {annTok}}, nil, 303},
		{"htmx header with its token", ann, "POST", "/alerts/A2/dismiss", url.Values{"reason": {"assigned to the incident"}}, []string{csrfHeader, annTok, "HX-Request", "true"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.do(tt.method, tt.path, tt.form, tt.hdr...)
			if r.Status != tt.want {
				t.Fatalf("%d, want %d: %.300s", r.Status, tt.want, r.Body)
			}
		})
	}
	// The sign-in form needs its token too.
	c := e.client()
	c.token("/signin")
	if r := c.do("POST", "/signin", url.Values{"username": {"ann.analyst"}, "password": {"x"}}); r.Status != 403 {
		t.Fatalf("sign-in without token: %d", r.Status)
	}
	// And the session still works after the rejections.
	if r := ann.get("/alerts/A2"); r.Status != 200 || !strings.Contains(r.Body, "assigned to the incident") {
		t.Fatalf("after: %d", r.Status)
	}
}

func TestEndedSessionIsSentToSignIn(t *testing.T) {
	e := newTestEnv(t)
	c := e.signIn(e.addUser("ann.analyst", lantern.UserAnalyst, "S9"))
	var tok string
	for _, k := range c.jar.Cookies(mustURL(e.http.URL)) {
		if k.Name == sessionCookie {
			tok = k.Value
		}
	}
	// The server ends the session (a timeout, a reset, sign-out elsewhere).
	if err := e.auth.SignOut(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	r := c.get("/alerts/A2")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin?next=%2Falerts%2FA2" ||
		!strings.Contains(r.Header.Get("Set-Cookie"), sessionCookie+"=;") {
		t.Fatalf("ended session: %d %q %q", r.Status, r.Header.Get("Location"), r.Header.Get("Set-Cookie"))
	}
	if r := c.get("/api/v1/workspace/queue"); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, `"unauthorized"`) {
		t.Fatalf("API with an ended session: %d %s", r.Status, r.Body)
	}
}
