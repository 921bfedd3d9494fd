package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"lantern"
)

// provider is an OpenID Connect provider for tests: go-oidc's oidctest
// server for discovery and keys, and a token endpoint here that answers
// each code with an ID token of the claims registered for it.
type provider struct {
	t    *testing.T
	url  string
	priv *rsa.PrivateKey

	mu     sync.Mutex
	codes  map[string]map[string]any // code → claims
	pkce   map[string]string         // code → code_challenge
	issued int
}

func newProvider(t *testing.T) *provider {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, priv: priv, codes: map[string]map[string]any{}, pkce: map[string]string{}}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: priv.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/", keys)
	mux.HandleFunc("POST /token", p.token)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	keys.SetIssuer(srv.URL)
	p.url = srv.URL
	return p
}

// authorise plays the user signing in at the provider: it reads the
// request Lantern sent the browser with, and returns a code whose ID token
// carries claims plus the standard ones, edited by edit.
func (p *provider) authorise(redirect string, sub string, extra map[string]any, now time.Time, edit func(map[string]any)) string {
	u, err := url.Parse(redirect)
	if err != nil {
		p.t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "lantern" || q.Get("redirect_uri") != "https://lantern.example/signin/oidc" ||
		q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" {
		p.t.Fatalf("authorisation request %s", redirect)
	}
	claims := map[string]any{"iss": p.url, "aud": "lantern", "sub": sub, "nonce": q.Get("nonce"),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range extra {
		claims[k] = v
	}
	if edit != nil {
		edit(claims)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issued++
	code := fmt.Sprintf("code-%d", p.issued)
	p.codes[code] = claims
	p.pkce[code] = q.Get("code_challenge")
	return code
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	claims, ok := p.codes[code]
	challenge := p.pkce[code]
	delete(p.codes, code)
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	id, secret, _ := r.BasicAuth()
	if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge || id != "lantern" || secret != "s3cret" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	raw, _ := json.Marshal(claims)
	idToken := oidctest.SignIDToken(p.priv, "k1", oidc.RS256, string(raw))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func oidcFixture(t *testing.T) (*fixture, *provider) {
	p := newProvider(t)
	f := newFixture(t, func(c *Config) {
		c.OIDC = &OIDCConfig{Issuer: p.url, ClientID: "lantern", ClientSecret: "s3cret",
			RedirectURL: "https://lantern.example/signin/oidc", EmailClaim: "email"}
	})
	return f, p
}

func TestOIDC(t *testing.T) {
	f, p := oidcFixture(t)
	ctx := t.Context()
	if !f.m.OIDCEnabled() {
		t.Fatal("OIDC not enabled")
	}
	linked, _, err := f.m.AddUser(ctx, "cli:test", NewUser{Username: "inv1", Role: lantern.UserInvestigator, OIDCSubject: "sub-inv1"})
	if err != nil {
		t.Fatal(err)
	}
	byEmail, _, err := f.m.AddUser(ctx, "cli:test", NewUser{Username: "a.smith@force.police.uk", Role: lantern.UserAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.now()
	signIn := func(sub string, extra map[string]any, edit func(map[string]any)) (string, error) {
		t.Helper()
		redirect, state, err := f.m.OIDCStart(ctx)
		if err != nil {
			t.Fatal(err)
		}
		code := p.authorise(redirect, sub, extra, now, edit)
		return f.m.OIDCCallback(ctx, state, code)
	}
	principal := func(s string) lantern.Principal {
		t.Helper()
		pr, err := f.m.Principal(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}

	t.Run("subject", func(t *testing.T) {
		s, err := signIn("sub-inv1", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pr := principal(s); pr.UserID != linked.ID || pr.Role != lantern.UserInvestigator {
			t.Errorf("signed in as %+v", pr)
		}
	})
	t.Run("email then subject", func(t *testing.T) {
		s, err := signIn("sub-smith", map[string]any{"email": "A.Smith@force.police.uk", "email_verified": true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pr := principal(s); pr.UserID != byEmail.ID {
			t.Errorf("signed in as %+v", pr)
		}
		// Linked now: the subject alone finds the user.
		s, err = signIn("sub-smith", nil, nil)
		if err != nil || principal(s).UserID != byEmail.ID {
			t.Errorf("by subject after linking: %v", err)
		}
		// Another subject with the same address is someone else.
		_, err = signIn("sub-other", map[string]any{"email": "a.smith@force.police.uk"}, nil)
		wantCode(t, err, lantern.EFORBIDDEN)
	})
	t.Run("unverified email", func(t *testing.T) {
		_, err := signIn("sub-x", map[string]any{"email": "inv1", "email_verified": false}, nil)
		wantCode(t, err, lantern.EFORBIDDEN)
	})
	t.Run("unknown subject", func(t *testing.T) {
		_, err := signIn("sub-nobody", map[string]any{"email": "nobody@force.police.uk"}, nil)
		wantCode(t, err, lantern.EFORBIDDEN)
	})
	t.Run("wrong state", func(t *testing.T) {
		redirect, _, err := f.m.OIDCStart(ctx)
		if err != nil {
			t.Fatal(err)
		}
		code := p.authorise(redirect, "sub-inv1", nil, now, nil)
		_, err = f.m.OIDCCallback(ctx, "forged-state", code)
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("state used twice", func(t *testing.T) {
		redirect, state, err := f.m.OIDCStart(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.m.OIDCCallback(ctx, state, p.authorise(redirect, "sub-inv1", nil, now, nil)); err != nil {
			t.Fatal(err)
		}
		_, err = f.m.OIDCCallback(ctx, state, p.authorise(redirect, "sub-inv1", nil, now, nil))
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("wrong nonce", func(t *testing.T) {
		_, err := signIn("sub-inv1", nil, func(c map[string]any) { c["nonce"] = "replayed" })
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("expired token", func(t *testing.T) {
		_, err := signIn("sub-inv1", nil, func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() })
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("wrong audience", func(t *testing.T) {
		_, err := signIn("sub-inv1", nil, func(c map[string]any) { c["aud"] = "another-app" })
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("wrong issuer", func(t *testing.T) {
		_, err := signIn("sub-inv1", nil, func(c map[string]any) { c["iss"] = "https://evil.example" })
		wantCode(t, err, lantern.EUNAUTHORIZED)
	})
	t.Run("disabled", func(t *testing.T) {
		if _, err := f.m.SetUserDisabled(ctx, "cli:test", "inv1", true); err != nil {
			t.Fatal(err)
		}
		_, err := signIn("sub-inv1", nil, nil)
		wantCode(t, err, lantern.EFORBIDDEN)
	})

	reasons := map[string]bool{}
	for _, e := range f.trail(t) {
		if e.Action == "signin.oidc" {
			reasons[e.Detail] = true
		}
	}
	for _, want := range []string{"unknown or expired state", "ID token refused: wrong nonce", "ID token refused: expired",
		"ID token refused: wrong audience", "no Lantern user matches", "account disabled"} {
		if !reasons[want] {
			t.Errorf("no trail entry says %q; have %v", want, reasons)
		}
	}
}

func TestOIDCConfigChecked(t *testing.T) {
	f := newFixture(t)
	for _, c := range []OIDCConfig{
		{Issuer: "https://idp.example", RedirectURL: "https://lantern.example/cb"},
		{Issuer: "https://idp.example", ClientID: "x", RedirectURL: "/cb"},
		{Issuer: "idp.example", ClientID: "x", RedirectURL: "https://lantern.example/cb"},
	} {
		if _, err := New(f.store, Config{Params: fast, OIDC: &c}); err == nil {
			t.Errorf("accepted %+v", c)
		}
	}
}
