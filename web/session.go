package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lantern"
)

// Authenticator signs users in and out and resolves sessions. auth.Manager is
// the implementation; the server needs only these methods.
type Authenticator interface {
	// SignIn checks a username and password. When the account needs a
	// second factor it returns a challenge for Verify; otherwise a session.
	// clientKey identifies the caller for rate limiting and is never stored.
	SignIn(ctx context.Context, username, password, clientKey string) (challenge, session string, err error)
	// Verify completes a challenge with a TOTP code and returns a session.
	Verify(ctx context.Context, challenge, code, clientKey string) (session string, err error)
	// Principal returns the user a live session acts for, or EUNAUTHORIZED.
	Principal(ctx context.Context, session string) (lantern.Principal, error)
	// SignOut ends a session.
	SignOut(ctx context.Context, session string) error
	// OIDCEnabled reports whether single sign-on is configured.
	OIDCEnabled() bool
	// OIDCStart begins a single sign-on: where to send the browser, and the
	// state to check when it comes back.
	OIDCStart(ctx context.Context) (redirectURL, state string, err error)
	// OIDCCallback completes a single sign-on and returns a session.
	OIDCCallback(ctx context.Context, state, code string) (session string, err error)
}

// Cookie names. The session cookie carries the session token; the others
// are short-lived and used only while signing in.
const (
	sessionCookie    = "lantern_session"
	challengeCookie  = "lantern_challenge" // between the password and the code
	oidcStateCookie  = "lantern_oidc_state"
	presessionCookie = "lantern_presession" // binds the sign-in forms' CSRF token
	csrfField        = "csrf_token"
	csrfHeader       = "X-CSRF-Token"
)

// setCookie writes an HttpOnly cookie for the whole site, Secure when the
// request came over TLS. maxAge 0 makes a browser-session cookie; a negative
// maxAge deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, same http.SameSite) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: same,
	}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	setCookie(w, r, name, "", -1, http.SameSiteLaxMode)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// clientKey is the remote IP, which sign-in rate limits by. It is passed to
// the authenticator and never logged.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// csrfToken is the synchronizer token for forms and htmx requests: an HMAC
// of the secret the browser holds in an HttpOnly cookie (the session token,
// or before sign-in a random pre-session value). A page from another site
// can neither read that cookie nor compute the token, and the token dies
// with the session.
func csrfToken(binding string) string {
	if binding == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(binding))
	m.Write([]byte("lantern csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfBinding returns the secret the request's CSRF token is bound to.
func csrfBinding(r *http.Request) string {
	if v := cookieValue(r, sessionCookie); v != "" {
		return v
	}
	return cookieValue(r, presessionCookie)
}

// checkCSRF returns EFORBIDDEN unless the request carries the token bound to
// its cookie, in the form field or the X-CSRF-Token header.
func checkCSRF(r *http.Request) error {
	want := csrfToken(csrfBinding(r))
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	if want == "" || got == "" || !hmac.Equal([]byte(want), []byte(got)) {
		return lantern.Errorf(lantern.EFORBIDDEN, "This form has expired or did not come from Lantern. Go back, reload the page and try again.")
	}
	return nil
}

// ensurePresession gives a browser that has no session a random pre-session
// cookie, so the sign-in forms have a CSRF token, and returns that token.
func ensurePresession(w http.ResponseWriter, r *http.Request) string {
	if v := csrfBinding(r); v != "" {
		return csrfToken(v)
	}
	v := randomToken()
	setCookie(w, r, presessionCookie, v, 0, http.SameSiteStrictMode)
	// Later code in this request (the form's token) must see it too.
	r.AddCookie(&http.Cookie{Name: presessionCookie, Value: v})
	return csrfToken(v)
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// principal resolves the request's session. ok is false when there is no
// live session; err is set only when the authenticator failed.
func (s *Server) principal(r *http.Request) (p lantern.Principal, ok bool, err error) {
	svc := s.services.Load()
	tok := cookieValue(r, sessionCookie)
	if svc == nil || svc.Auth == nil || tok == "" {
		return p, false, nil
	}
	p, err = svc.Auth.Principal(r.Context(), tok)
	switch code := lantern.ErrorCode(err); {
	case err == nil:
		return p, p.UserID != "", nil
	case code == lantern.EUNAUTHORIZED || code == lantern.ENOTFOUND:
		return p, false, nil
	default:
		return p, false, err
	}
}

// pageHandler is a page handler for a signed-in user.
type pageHandler func(w http.ResponseWriter, r *http.Request, p lantern.Principal)

// page wraps h so that it runs only for a signed-in user, with the
// principal in the request's context; anyone else is sent to sign in (or,
// for the API, told 401). State-changing requests must carry the CSRF
// token.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc := s.services.Load()
		if svc == nil || svc.Auth == nil || svc.Workspace == nil {
			s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "The workspace is not running yet."))
			return
		}
		p, ok, err := s.principal(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if !ok {
			if cookieValue(r, sessionCookie) != "" {
				clearCookie(w, r, sessionCookie)
			}
			if wantsJSON(r) || r.Method != http.MethodGet {
				s.Error(w, r, lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in first."))
				return
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !safeMethod(r.Method) {
			if isMultipart(r) {
				r = s.readUploads(w, r)
			}
			if err := checkCSRF(r); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		h(w, r.WithContext(lantern.WithPrincipal(r.Context(), p)), p)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// safeNext returns next when it is a path on this site, or "/": a sign-in
// link must never send the user to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.HasPrefix(next, "/signin") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
