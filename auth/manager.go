// Package auth signs users in to the workspace: argon2id passwords, TOTP
// second factors, sign-in rate limiting and lockout, sessions with idle
// and absolute timeouts, optional OpenID Connect single sign-on, and the
// administration of accounts. Every sign-in, failure, sign-out, lockout and
// change to an account is appended to the audit trail; no password, code
// or token ever is.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"lantern"
)

// Messages shown for refused sign-ins. They never say whether a username
// exists.
var (
	errBadCredentials = lantern.Errorf(lantern.EUNAUTHORIZED, "The username or password is not right.")
	errLocked         = lantern.Errorf(lantern.EFORBIDDEN, "Too many failed attempts to sign in. Try again later.")
	errDisabled       = lantern.Errorf(lantern.EFORBIDDEN, "This account is disabled.")
	errNoSecondFactor = lantern.Errorf(lantern.EFORBIDDEN, "This account has no second factor set up. Ask an administrator to reset it.")
	errBadCode        = lantern.Errorf(lantern.EUNAUTHORIZED, "The code is not right. Enter the code your authenticator app shows now.")
	errChallenge      = lantern.Errorf(lantern.EUNAUTHORIZED, "Your sign-in has expired. Sign in again.")
	errSignInFirst    = lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in first.")
	errSessionEnded   = lantern.Errorf(lantern.EUNAUTHORIZED, "Your session has ended. Sign in again.")
)

// maxCodeAttempts is how many wrong codes one challenge takes before the
// user must enter their password again.
const maxCodeAttempts = 5

// touchEvery is how stale a session's LastSeenAt may be before a request
// writes it again: the idle timeout is kept to within this.
const touchEvery = time.Minute

// Manager signs users in and out and resolves sessions to principals. It
// is safe for concurrent use.
type Manager struct {
	store   lantern.Store
	cfg     Config
	sealer  *sealer
	users   *limiter // by username, known or not
	clients *limiter // by client key
	// dummy is a hash checked for unknown users, so that they take as long
	// as known ones; made on first use.
	dummyOnce sync.Once
	dummy     string
	dummyErr  error

	mu         sync.Mutex
	challenges map[string]*pending2fa // by the hex SHA-256 of the challenge token

	oidc *oidcClient
}

// pending2fa is a sign-in waiting for its second factor.
type pending2fa struct {
	userID   string
	password string // for the hooks, dropped when the challenge ends
	client   string
	created  time.Time
	attempts int
}

// New returns a Manager over store. It fails for an unusable TOTPKey or an
// OIDC configuration missing a client id or redirect URL; it does not
// contact the identity provider until the first OIDC sign-in.
func New(store lantern.Store, cfg Config) (*Manager, error) {
	if store == nil {
		return nil, errors.New("auth: no store")
	}
	cfg = cfg.withDefaults()
	s, err := newSealer(cfg.TOTPKey)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	m := &Manager{
		store:      store,
		cfg:        cfg,
		sealer:     s,
		users:      newLimiter(cfg.UserLockout.Threshold, cfg.UserLockout.Base, cfg.UserLockout.Max),
		clients:    newLimiter(cfg.ClientLockout.Threshold, cfg.ClientLockout.Base, cfg.ClientLockout.Max),
		challenges: map[string]*pending2fa{},
	}
	if cfg.OIDC != nil && cfg.OIDC.Issuer != "" {
		if m.oidc, err = newOIDCClient(*cfg.OIDC); err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
	}
	return m, nil
}

// SignIn checks username and password. For a user needing a second factor it returns a
// challenge token to pass to Verify; otherwise it returns a session token directly (challenge "").
//
// Errors: EUNAUTHORIZED with one message for an unknown username and a
// wrong password alike; EFORBIDDEN while the username or client key is
// locked out, for a disabled account (only once the password is right)
// and for a unit user with no second factor set up.
func (m *Manager) SignIn(ctx context.Context, username, password, clientKey string) (challenge, session string, err error) {
	now := m.cfg.Now()
	username = strings.ToLower(strings.TrimSpace(username))
	client := clientTag(clientKey)
	if _, blocked := m.clients.blocked(clientKey, now); blocked {
		return "", "", m.refuse(ctx, lantern.AuditEntry{UserID: "unknown", Action: "signin", Outcome: lantern.AuditDenied,
			Detail: "client locked out; " + client}, errLocked)
	}
	u, err := m.store.FindUserByUsername(ctx, username)
	if err != nil && lantern.ErrorCode(err) != lantern.ENOTFOUND {
		return "", "", err
	}
	entry := lantern.AuditEntry{UserID: "unknown", Action: "signin", Outcome: lantern.AuditFailed}
	if u != nil {
		entry.UserID, entry.Role, entry.Object = u.ID, u.Role, "user:"+u.ID
	}
	if _, blocked := m.users.blocked(username, now); blocked || (u != nil && u.LockedUntil != nil && now.Before(*u.LockedUntil)) {
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account locked out; "+client
		return "", "", m.refuse(ctx, entry, errLocked)
	}

	m.dummyOnce.Do(func() { m.dummy, m.dummyErr = HashPassword("not anyone's password", m.cfg.Params, m.cfg.Rand) })
	if m.dummyErr != nil {
		return "", "", m.dummyErr
	}
	hash := m.dummy
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	match, params, err := CheckPassword(hash, password)
	if err != nil {
		return "", "", fmt.Errorf("check password: %w", err)
	}
	if u == nil || u.PasswordHash == "" || !match {
		entry.Detail = "wrong password; " + client
		if u == nil {
			entry.Detail = "unknown username; " + client
		}
		return "", "", m.failed(ctx, u, username, clientKey, now, entry, errBadCredentials)
	}
	if u.Disabled {
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account disabled; "+client
		return "", "", m.refuse(ctx, entry, errDisabled)
	}
	m.users.reset(username)
	if u.FailedSignIns > 0 || u.LockedUntil != nil {
		if err := m.store.ClearSignInFailures(ctx, u.ID); err != nil {
			return "", "", err
		}
	}
	if params != m.cfg.Params {
		// The hash dates from older parameters: bring it up to date now
		// the password is at hand.
		if h, err := HashPassword(password, m.cfg.Params, m.cfg.Rand); err == nil {
			if err := m.store.SetUserPassword(ctx, u.ID, h); err != nil {
				return "", "", err
			}
		}
	}

	if needsTOTP(u.Role) || u.TOTPSecret != "" {
		if u.TOTPSecret == "" {
			entry.Outcome, entry.Detail = lantern.AuditDenied, "no second factor set up; "+client
			return "", "", m.refuse(ctx, entry, errNoSecondFactor)
		}
		token, err := m.token()
		if err != nil {
			return "", "", err
		}
		m.mu.Lock()
		m.pruneChallenges(now)
		m.challenges[tokenKey(token)] = &pending2fa{userID: u.ID, password: password, client: clientKey, created: now}
		m.mu.Unlock()
		entry.Action, entry.Outcome, entry.Detail = "signin.password", lantern.AuditAllowed, "second factor required; "+client
		if _, err := m.store.AppendAudit(ctx, entry); err != nil {
			m.dropChallenge(token)
			return "", "", err
		}
		return token, "", nil
	}
	session, err = m.startSession(ctx, u, password, "password; "+client)
	return "", session, err
}

// Verify completes a challenge with a TOTP code and returns a new session token.
//
// Errors: EUNAUTHORIZED for an unknown or expired challenge (the user must
// enter their password again) and for a wrong or already used code;
// EFORBIDDEN while locked out or when the account was disabled meanwhile.
func (m *Manager) Verify(ctx context.Context, challengeToken, code, clientKey string) (string, error) {
	now := m.cfg.Now()
	client := clientTag(clientKey)
	m.mu.Lock()
	c, ok := m.challenges[tokenKey(challengeToken)]
	if ok && now.Sub(c.created) >= m.cfg.ChallengeTimeout {
		delete(m.challenges, tokenKey(challengeToken))
		ok = false
	}
	m.mu.Unlock()
	if !ok {
		return "", errChallenge
	}
	u, err := m.store.FindUserByID(ctx, c.userID)
	if err != nil {
		m.dropChallenge(challengeToken)
		if lantern.ErrorCode(err) == lantern.ENOTFOUND {
			return "", errChallenge
		}
		return "", err
	}
	entry := lantern.AuditEntry{UserID: u.ID, Role: u.Role, Action: "signin.totp", Object: "user:" + u.ID, Outcome: lantern.AuditFailed}
	if _, blocked := m.clients.blocked(clientKey, now); blocked {
		entry.Outcome, entry.Detail = lantern.AuditDenied, "client locked out; "+client
		return "", m.refuse(ctx, entry, errLocked)
	}
	if _, blocked := m.users.blocked(u.Username, now); blocked || (u.LockedUntil != nil && now.Before(*u.LockedUntil)) {
		m.dropChallenge(challengeToken)
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account locked out; "+client
		return "", m.refuse(ctx, entry, errLocked)
	}
	if u.Disabled {
		m.dropChallenge(challengeToken)
		entry.Outcome, entry.Detail = lantern.AuditDenied, "account disabled; "+client
		return "", m.refuse(ctx, entry, errDisabled)
	}
	secret, err := m.sealer.open(u.ID, u.TOTPSecret)
	if err != nil {
		return "", fmt.Errorf("open the TOTP secret of user %s: %w", u.ID, err)
	}
	step, ok := totpStep(secret, code, now)
	if ok {
		if err := m.store.UseTOTPStep(ctx, u.ID, step); lantern.ErrorCode(err) == lantern.ECONFLICT {
			ok = false
			entry.Detail = "code already used; " + client
		} else if err != nil {
			return "", err
		}
	} else {
		entry.Detail = "wrong code; " + client
	}
	if !ok {
		m.mu.Lock()
		c.attempts++
		if c.attempts >= maxCodeAttempts {
			delete(m.challenges, tokenKey(challengeToken))
		}
		m.mu.Unlock()
		return "", m.failed(ctx, u, u.Username, clientKey, now, entry, errBadCode)
	}
	m.dropChallenge(challengeToken)
	m.users.reset(u.Username)
	if u.FailedSignIns > 0 {
		if err := m.store.ClearSignInFailures(ctx, u.ID); err != nil {
			return "", err
		}
	}
	return m.startSession(ctx, u, c.password, "password and TOTP; "+client)
}

// Principal resolves a session token to its principal (LockedOut computed now), refreshing the idle timeout.
//
// Errors: EUNAUTHORIZED for an unknown token and for a session that has
// passed its idle or absolute timeout or whose user is disabled (the
// session is then ended).
func (m *Manager) Principal(ctx context.Context, session string) (lantern.Principal, error) {
	now := m.cfg.Now()
	if session == "" {
		return lantern.Principal{}, errSignInFirst
	}
	s, err := m.store.FindSessionByTokenHash(ctx, tokenHash(session))
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return lantern.Principal{}, errSignInFirst
	} else if err != nil {
		return lantern.Principal{}, err
	}
	why := ""
	switch {
	case now.Sub(s.LastSeenAt) >= m.cfg.IdleTimeout:
		why = "idle timeout"
	case now.Sub(s.CreatedAt) >= m.cfg.AbsoluteTimeout:
		why = "absolute timeout"
	}
	u, err := m.store.FindUserByID(ctx, s.UserID)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return lantern.Principal{}, errSessionEnded
	} else if err != nil {
		return lantern.Principal{}, err
	}
	if why == "" && u.Disabled {
		why = "account disabled"
	}
	if why != "" {
		if err := m.endSession(ctx, s.ID, lantern.AuditEntry{UserID: u.ID, Role: u.Role, Action: "session.end",
			Object: "session:" + s.ID, Outcome: lantern.AuditAllowed, Detail: why}); err != nil {
			return lantern.Principal{}, err
		}
		return lantern.Principal{}, errSessionEnded
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := m.store.TouchSession(ctx, s.ID, now); err != nil {
			return lantern.Principal{}, err
		}
	}
	locked := false
	if u.StaffID != "" {
		if locked, err = m.store.StaffRestricted(ctx, u.StaffID); err != nil {
			return lantern.Principal{}, err
		}
	}
	return lantern.Principal{UserID: u.ID, Name: u.Name, Role: u.Role, StaffID: u.StaffID, LockedOut: locked, SessionID: s.ID}, nil
}

// SignOut ends the session; signing out of a session that has ended is not
// an error.
func (m *Manager) SignOut(ctx context.Context, session string) error {
	s, err := m.store.FindSessionByTokenHash(ctx, tokenHash(session))
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	entry := lantern.AuditEntry{UserID: s.UserID, Action: "signout", Object: "session:" + s.ID, Outcome: lantern.AuditAllowed}
	if u, err := m.store.FindUserByID(ctx, s.UserID); err == nil {
		entry.Role = u.Role
	}
	return m.endSession(ctx, s.ID, entry)
}

// startSession creates a session for u, tells the hooks and records the
// sign-in.
func (m *Manager) startSession(ctx context.Context, u *lantern.User, password, detail string) (string, error) {
	now := m.cfg.Now()
	token, err := m.token()
	if err != nil {
		return "", err
	}
	id, err := m.randomID("s", 10)
	if err != nil {
		return "", err
	}
	s := &lantern.Session{ID: id, TokenHash: tokenHash(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return "", err
	}
	if _, err := m.store.AppendAudit(ctx, lantern.AuditEntry{UserID: u.ID, Role: u.Role, Action: "signin",
		Object: "session:" + id, Outcome: lantern.AuditAllowed, Detail: detail}); err != nil {
		// A sign-in that is not on the trail does not happen.
		m.store.DeleteSession(context.WithoutCancel(ctx), id)
		return "", err
	}
	for _, h := range m.cfg.Hooks {
		h.SignedIn(ctx, u.ID, id, password)
	}
	return token, nil
}

// endSession deletes a session, records why and tells the hooks.
func (m *Manager) endSession(ctx context.Context, id string, entry lantern.AuditEntry) error {
	if err := m.store.DeleteSession(ctx, id); err != nil {
		return err
	}
	for _, h := range m.cfg.Hooks {
		h.SignedOut(id)
	}
	_, err := m.store.AppendAudit(ctx, entry)
	return err
}

// failed records a failed attempt against the username (known or not), the
// client and, for a known user, the stored count and lock, and returns
// authErr unless recording failed.
func (m *Manager) failed(ctx context.Context, u *lantern.User, username, clientKey string, now time.Time, entry lantern.AuditEntry, authErr error) error {
	m.clients.fail(clientKey, now)
	until := m.users.fail(username, now)
	var lock *time.Time
	if !until.IsZero() {
		lock = &until
	}
	if u != nil {
		if _, err := m.store.RecordSignInFailure(ctx, u.ID, lock); err != nil {
			return err
		}
	}
	if err := m.refuse(ctx, entry, authErr); err != authErr {
		return err
	}
	if lock != nil {
		lockEntry := entry
		lockEntry.Action, lockEntry.Outcome = "signin.lockout", lantern.AuditDenied
		lockEntry.Detail = "locked until " + until.UTC().Format(time.RFC3339)
		return m.refuse(ctx, lockEntry, authErr)
	}
	return authErr
}

// refuse records entry and returns authErr, or the error recording gave.
func (m *Manager) refuse(ctx context.Context, entry lantern.AuditEntry, authErr error) error {
	if _, err := m.store.AppendAudit(ctx, entry); err != nil {
		return err
	}
	return authErr
}

func (m *Manager) dropChallenge(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.challenges, tokenKey(token))
}

// pruneChallenges drops expired challenges; m.mu must be held.
func (m *Manager) pruneChallenges(now time.Time) {
	for k, c := range m.challenges {
		if now.Sub(c.created) >= m.cfg.ChallengeTimeout {
			delete(m.challenges, k)
		}
	}
}

// token returns a new random 256-bit token, base64url.
func (m *Manager) token() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(m.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// randomID returns prefix followed by n random bytes in hex.
func (m *Manager) randomID(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(m.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}

// tokenHash is what the store keeps of a session token.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func tokenKey(token string) string { return hex.EncodeToString(tokenHash(token)) }

// clientTag names a client key on the audit trail without recording it:
// the first 12 hex digits of its SHA-256.
func clientTag(clientKey string) string {
	sum := sha256.Sum256([]byte("lantern-client:" + clientKey))
	return "client " + hex.EncodeToString(sum[:6])
}
