package web

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"lantern"
	"lantern/auth"
)

// testProvider is an OpenID Connect provider for the sign-in pages' test:
// go-oidc's oidctest server for discovery and keys, and a token endpoint
// that answers a code with an ID token for the subject it was issued to.
type testProvider struct {
	url   string
	priv  *rsa.PrivateKey
	mu    sync.Mutex
	codes map[string]string // code → ID token claims (JSON)
}

func newTestProvider(t *testing.T) *testProvider {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{priv: priv, codes: map[string]string{}}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: priv.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/", keys)
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		p.mu.Lock()
		claims, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300,
			"id_token": oidctest.SignIDToken(p.priv, "k1", oidc.RS256, claims)})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	keys.SetIssuer(srv.URL)
	p.url = srv.URL
	return p
}

// signIn plays the user signing in at the provider as sub: it returns the
// callback address the provider would send the browser back to.
func (p *testProvider) signIn(t *testing.T, authURL, sub string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, p.url) {
		t.Fatalf("sent to %q, not the provider", authURL)
	}
	q := u.Query()
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": p.url, "aud": "lantern", "sub": sub, "nonce": q.Get("nonce"),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()})
	code := "code-" + sub
	p.mu.Lock()
	p.codes[code] = string(claims)
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	return back.Path + "?" + url.Values{"state": {q.Get("state")}, "code": {code}}.Encode()
}

func TestSingleSignOn(t *testing.T) {
	p := newTestProvider(t)
	e := newTestEnv(t, func(c *auth.Config) {
		c.OIDC = &auth.OIDCConfig{Issuer: p.url, ClientID: "lantern", ClientSecret: "s3cret",
			RedirectURL: "https://lantern.example/signin/oidc/callback"}
	})
	if _, _, err := e.auth.AddUser(t.Context(), "cli:test", auth.NewUser{Username: "ivy.investigator", Role: lantern.UserInvestigator, OIDCSubject: "sub-ivy"}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if body := c.get("/signin").Body; !strings.Contains(body, `href="/signin/oidc"`) {
		t.Fatal("the sign-in page offers no single sign-on")
	}
	r := c.get("/signin/oidc")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("start: %d", r.Status)
	}
	back := p.signIn(t, r.Header.Get("Location"), "sub-ivy")

	// A callback whose state is not the one this browser was given fails.
	other := e.client()
	if r := other.get(back); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, msgSSOFailed) {
		t.Fatalf("callback in another browser: %d", r.Status)
	}
	r = c.get(back)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if body := c.get("/").Body; !strings.Contains(body, "ivy.investigator") || !strings.Contains(body, `href="/alerts"`) {
		t.Fatalf("signed in by single sign-on: %.500s", body)
	}
	// Someone the provider knows but Lantern does not is refused.
	c2 := e.client()
	r = c2.get("/signin/oidc")
	if r := c2.get(p.signIn(t, r.Header.Get("Location"), "sub-stranger")); r.Status != http.StatusUnauthorized {
		t.Fatalf("unknown subject: %d", r.Status)
	}
}

func TestSingleSignOnOffIs404(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	for _, path := range []string{"/signin/oidc", "/signin/oidc/callback?state=x&code=y"} {
		if r := c.get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
	if strings.Contains(c.get("/signin").Body, "/signin/oidc") {
		t.Error("the sign-in page offers single sign-on when it is off")
	}
}
