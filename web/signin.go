package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lantern"
)

// How long the short-lived sign-in cookies last.
const (
	challengeLifetime = 5 * time.Minute
	oidcStateLifetime = 10 * time.Minute
)

// The messages a failed sign-in shows. They never say which part was wrong,
// whether the account exists, or that it is locked.
const (
	msgSignInFailed = "The username or password is not right, or this account cannot sign in now. Try again, or ask your administrator."
	msgCodeFailed   = "The security code is not right, or it has expired. Try again with the code your authenticator app shows now."
	msgSSOFailed    = "Single sign-on did not complete. Try again, or ask your administrator."
)

// signinData is the sign-in page's own data.
type signinData struct {
	Username string
	Next     string
	OIDC     bool
	OIDCName string
}

// auth returns the authenticator, or writes 503 and returns nil.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) Authenticator {
	svc := s.services.Load()
	if svc == nil || svc.Auth == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "Signing in is not available yet. Try again in a minute."))
		return nil
	}
	return svc.Auth
}

// handleSignInForm shows the username and password form: GET /signin.
func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok, _ := s.principal(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderSignIn(w, r, a, http.StatusOK, signinData{Next: next}, nil)
}

func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, a Authenticator, status int, d signinData, errs []formError) {
	ensurePresession(w, r)
	d.OIDC = a.OIDCEnabled()
	d.OIDCName = s.oidcName
	if d.OIDCName == "" {
		d.OIDCName = "single sign-on"
	}
	page := s.newPage(r, nil, "Sign in", d)
	page.Errors = errs
	s.render(w, status, "signin.html", page)
}

// handleSignIn checks a username and password: POST /signin. A unit role
// goes on to the code page; an account without a second factor is signed in.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	if err := checkCSRF(r); err != nil {
		s.Error(w, r, err)
		return
	}
	d := signinData{Username: strings.TrimSpace(r.PostFormValue("username")), Next: safeNext(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	var errs []formError
	if d.Username == "" {
		errs = append(errs, formError{Field: "username", Message: "Enter your username"})
	}
	if password == "" {
		errs = append(errs, formError{Field: "password", Message: "Enter your password"})
	}
	if errs != nil {
		s.renderSignIn(w, r, a, http.StatusBadRequest, d, errs)
		return
	}
	challenge, session, err := a.SignIn(r.Context(), d.Username, password, clientKey(r))
	if err != nil || challenge == "" && session == "" {
		if err != nil && lantern.ErrorCode(err) == lantern.EINTERNAL {
			s.logger.Error("sign-in failed", "error", err)
		}
		s.renderSignIn(w, r, a, http.StatusUnauthorized, d, []formError{{Field: "username", Message: msgSignInFailed}})
		return
	}
	if session != "" {
		s.startSession(w, r, session, d.Next)
		return
	}
	setCookie(w, r, challengeCookie, challenge, challengeLifetime, http.SameSiteStrictMode)
	http.Redirect(w, r, "/signin/code?next="+url.QueryEscape(d.Next), http.StatusSeeOther)
}

// startSession sets the session cookie, drops the sign-in cookies and sends
// the browser on. SameSite=Lax lets a link from another force system open
// the workspace signed in; every change still needs the CSRF token.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, session, next string) {
	setCookie(w, r, sessionCookie, session, 0, http.SameSiteLaxMode)
	clearCookie(w, r, challengeCookie)
	clearCookie(w, r, presessionCookie)
	clearCookie(w, r, oidcStateCookie)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// handleCodeForm asks for the TOTP code: GET /signin/code.
func (s *Server) handleCodeForm(w http.ResponseWriter, r *http.Request) {
	if s.auth(w, r) == nil {
		return
	}
	if cookieValue(r, challengeCookie) == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.renderCode(w, r, http.StatusOK, safeNext(r.URL.Query().Get("next")), nil)
}

func (s *Server) renderCode(w http.ResponseWriter, r *http.Request, status int, next string, errs []formError) {
	ensurePresession(w, r)
	page := s.newPage(r, nil, "Enter your security code", signinData{Next: next})
	page.Errors = errs
	s.render(w, status, "signin_code.html", page)
}

// handleCode completes the challenge: POST /signin/code.
func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	if err := checkCSRF(r); err != nil {
		s.Error(w, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	challenge := cookieValue(r, challengeCookie)
	if challenge == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	if code == "" {
		s.renderCode(w, r, http.StatusBadRequest, next, []formError{{Field: "code", Message: "Enter the 6-digit code from your authenticator app"}})
		return
	}
	session, err := a.Verify(r.Context(), challenge, code, clientKey(r))
	if err != nil || session == "" {
		if err != nil && lantern.ErrorCode(err) == lantern.EINTERNAL {
			s.logger.Error("sign-in code check failed", "error", err)
		}
		s.renderCode(w, r, http.StatusUnauthorized, next, []formError{{Field: "code", Message: msgCodeFailed}})
		return
	}
	s.startSession(w, r, session, next)
}

// handleOIDCStart sends the browser to the identity provider: GET
// /signin/oidc. The state is kept in a cookie to compare on return.
func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	if !a.OIDCEnabled() {
		s.notFound(w, r)
		return
	}
	to, state, err := a.OIDCStart(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// Lax, not Strict: the provider sends the browser back from its own site.
	setCookie(w, r, oidcStateCookie, state, oidcStateLifetime, http.SameSiteLaxMode)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// handleOIDCCallback completes single sign-on: GET /signin/oidc/callback.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	if !a.OIDCEnabled() {
		s.notFound(w, r)
		return
	}
	q := r.URL.Query()
	state, want := q.Get("state"), cookieValue(r, oidcStateCookie)
	fail := func() {
		clearCookie(w, r, oidcStateCookie)
		s.renderSignIn(w, r, a, http.StatusUnauthorized, signinData{Next: "/"}, []formError{{Message: msgSSOFailed}})
	}
	if state == "" || want == "" || subtle.ConstantTimeCompare([]byte(state), []byte(want)) != 1 || q.Get("code") == "" {
		fail()
		return
	}
	session, err := a.OIDCCallback(r.Context(), state, q.Get("code"))
	if err != nil || session == "" {
		if err != nil && lantern.ErrorCode(err) == lantern.EINTERNAL {
			s.logger.Error("single sign-on failed", "error", err)
		}
		fail()
		return
	}
	s.startSession(w, r, session, "/")
}

// handleSignOut ends the session: POST /signout.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	a := s.auth(w, r)
	if a == nil {
		return
	}
	if err := checkCSRF(r); err != nil {
		s.Error(w, r, err)
		return
	}
	if tok := cookieValue(r, sessionCookie); tok != "" {
		if err := a.SignOut(r.Context(), tok); err != nil && lantern.ErrorCode(err) == lantern.EINTERNAL {
			s.logger.Error("sign-out failed", "error", err)
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
