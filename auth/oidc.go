package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"lantern"
)

// oidcStateTimeout is how long a user has at the identity provider.
const oidcStateTimeout = 10 * time.Minute

var (
	errOIDCOff     = lantern.Errorf(lantern.ENOTIMPLEMENTED, "Single sign-on is not configured.")
	errOIDCState   = lantern.Errorf(lantern.EUNAUTHORIZED, "The sign-in did not come back as expected. Sign in again.")
	errOIDCFailed  = lantern.Errorf(lantern.EUNAUTHORIZED, "Single sign-on failed. Sign in again.")
	errOIDCNoMatch = lantern.Errorf(lantern.EFORBIDDEN, "You have no Lantern account. Ask an administrator to add you.")
)

// oidcClient is the relying party's side of the authorisation code flow,
// with state, nonce and PKCE.
type oidcClient struct {
	cfg OIDCConfig

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use
	pending  map[string]oidcPending
}

type oidcPending struct {
	nonce    string
	verifier string
	created  time.Time
}

func newOIDCClient(cfg OIDCConfig) (*oidcClient, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("OIDC needs a client id")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || !u.IsAbs() {
		return nil, errors.New("OIDC needs an absolute redirect URL")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || !u.IsAbs() {
		return nil, errors.New("the OIDC issuer must be an absolute URL")
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"email", "profile"}
	}
	return &oidcClient{cfg: cfg, pending: map[string]oidcPending{}}, nil
}

// discover returns the provider, fetching its metadata the first time.
func (c *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", lantern.Errorf(lantern.EUNAVAILABLE, "The single sign-on provider cannot be reached."), err)
	}
	c.provider = p
	return p, nil
}

func (c *oidcClient) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, c.cfg.Scopes...)}
}

// OIDCEnabled reports whether single sign-on is configured. It is safe on a
// nil Manager.
func (m *Manager) OIDCEnabled() bool { return m != nil && m.oidc != nil }

// OIDCStart begins a single sign-on: it returns the provider's URL to send
// the browser to and the state the callback must bring back, which the
// caller keeps (in a cookie) to pass to OIDCCallback. ENOTIMPLEMENTED when
// single sign-on is not configured, EUNAVAILABLE when the provider cannot
// be reached.
func (m *Manager) OIDCStart(ctx context.Context) (redirectURL, state string, err error) {
	if !m.OIDCEnabled() {
		return "", "", errOIDCOff
	}
	p, err := m.oidc.discover(ctx)
	if err != nil {
		return "", "", err
	}
	if state, err = m.token(); err != nil {
		return "", "", err
	}
	nonce, err := m.token()
	if err != nil {
		return "", "", err
	}
	verifier := oauth2.GenerateVerifier()
	now := m.cfg.Now()
	c := m.oidc
	c.mu.Lock()
	for k, v := range c.pending {
		if now.Sub(v.created) >= oidcStateTimeout {
			delete(c.pending, k)
		}
	}
	c.pending[tokenKey(state)] = oidcPending{nonce: nonce, verifier: verifier, created: now}
	c.mu.Unlock()
	return c.oauth2(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// OIDCCallback completes a single sign-on: state is what OIDCStart gave (and
// the provider sent back), code the authorisation code. It exchanges the
// code, verifies the ID token (signature, issuer, audience, expiry, nonce)
// and signs in the Lantern user the token names, returning a session
// token. Errors: EUNAUTHORIZED for an unknown or expired state and a token
// that fails verification, EFORBIDDEN when no enabled Lantern user
// matches.
func (m *Manager) OIDCCallback(ctx context.Context, state, code string) (string, error) {
	if !m.OIDCEnabled() {
		return "", errOIDCOff
	}
	now := m.cfg.Now()
	c := m.oidc
	c.mu.Lock()
	pend, ok := c.pending[tokenKey(state)]
	delete(c.pending, tokenKey(state))
	c.mu.Unlock()
	entry := lantern.AuditEntry{UserID: "unknown", Action: "signin.oidc", Outcome: lantern.AuditFailed}
	if !ok || now.Sub(pend.created) >= oidcStateTimeout {
		entry.Detail = "unknown or expired state"
		return "", m.refuse(ctx, entry, errOIDCState)
	}
	p, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	tok, err := c.oauth2(p).Exchange(ctx, code, oauth2.VerifierOption(pend.verifier))
	if err != nil {
		entry.Detail = "code exchange failed"
		return "", m.refuse(ctx, entry, errOIDCFailed)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		entry.Detail = "no ID token"
		return "", m.refuse(ctx, entry, errOIDCFailed)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID, Now: m.cfg.Now}).Verify(ctx, raw)
	if err != nil {
		entry.Detail = "ID token refused: " + verifyReason(err)
		return "", m.refuse(ctx, entry, errOIDCFailed)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pend.nonce)) != 1 {
		entry.Detail = "ID token refused: wrong nonce"
		return "", m.refuse(ctx, entry, errOIDCFailed)
	}
	u, err := m.oidcUser(ctx, idt)
	if err != nil {
		if lantern.ErrorCode(err) == lantern.ENOTFOUND {
			entry.Outcome, entry.Detail = lantern.AuditDenied, "no Lantern user matches"
			return "", m.refuse(ctx, entry, errOIDCNoMatch)
		}
		return "", err
	}
	entry.UserID, entry.Role, entry.Object = u.ID, u.Role, "user:"+u.ID
	if u.Disabled {
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account disabled"
		return "", m.refuse(ctx, entry, errDisabled)
	}
	if until := u.LockedUntil; until != nil && now.Before(*until) {
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account locked out"
		return "", m.refuse(ctx, entry, errLocked)
	}
	return m.startSession(ctx, u, "", "single sign-on")
}

// oidcUser finds the Lantern user an ID token names: by its subject, or by
// the configured email claim as username, linking the subject then.
func (m *Manager) oidcUser(ctx context.Context, idt *oidc.IDToken) (*lantern.User, error) {
	u, err := m.store.FindUserByOIDCSubject(ctx, idt.Subject)
	if lantern.ErrorCode(err) != lantern.ENOTFOUND || m.oidc.cfg.EmailClaim == "" {
		return u, err
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No user matches.")
	}
	email, _ := claims[m.oidc.cfg.EmailClaim].(string)
	// A provider that says the address is unverified cannot vouch for it.
	if v, ok := claims["email_verified"].(bool); ok && !v {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No user matches.")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No user matches.")
	}
	u, err = m.store.FindUserByUsername(ctx, email)
	if err != nil {
		return nil, err
	}
	if u.OIDCSubject != "" {
		// Linked to another subject: the address has passed to someone else.
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No user matches.")
	}
	if err := m.store.SetUserOIDCSubject(ctx, u.ID, idt.Subject); err != nil {
		return nil, err
	}
	u.OIDCSubject = idt.Subject
	return u, nil
}

// verifyReason says briefly why go-oidc refused a token.
func verifyReason(err error) string {
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return "expired"
	case strings.Contains(err.Error(), "audience"):
		return "wrong audience"
	case strings.Contains(err.Error(), "issuer"):
		return "wrong issuer"
	case strings.Contains(err.Error(), "signature"):
		return "bad signature"
	}
	return "invalid"
}
