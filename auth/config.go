package auth

import (
	"context"
	"crypto/rand"
	"io"
	"time"
)

// Config sets how the Manager signs users in. The zero Config is usable:
// every zero field takes the default documented on it.
type Config struct {
	// IdleTimeout ends a session not used for this long; 30 minutes.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, however
	// busy; 12 hours.
	AbsoluteTimeout time.Duration
	// ChallengeTimeout is how long a user has to enter their TOTP code
	// after their password; 5 minutes.
	ChallengeTimeout time.Duration

	// Params are the argon2id parameters new hashes are made with;
	// DefaultParams.
	Params Params
	// TOTPKey, 32 bytes, encrypts TOTP secrets at rest. Without it they
	// are stored in the clear (marked as such), which only a test should do.
	TOTPKey []byte
	// Issuer names the service in authenticator apps; "Lantern".
	Issuer string

	// UserLockout limits sign-in failures per username; 5 failures, then
	// 1 minute doubling to 1 hour.
	UserLockout Lockout
	// ClientLockout limits sign-in failures per client key (the web layer
	// chooses it, typically the client's address); 20 failures, then 1
	// minute doubling to 1 hour.
	ClientLockout Lockout

	// OIDC configures single sign-on; nil or an empty Issuer turns it off.
	OIDC *OIDCConfig

	// Hooks are told of every sign-in and sign-out.
	Hooks []Hook

	// Now is the clock; time.Now. Rand is the source of randomness for
	// tokens, salts and secrets; crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// Lockout is an exponential back-off: after Threshold consecutive
// failures, sign-in is refused for Base, doubling with each further
// failure up to Max.
type Lockout struct {
	Threshold int
	Base      time.Duration
	Max       time.Duration
}

// OIDCConfig configures sign-in through the force's OpenID Connect
// identity provider. OIDC never creates users or grants roles: it signs in
// an existing Lantern user, found by the subject already linked to it or,
// when EmailClaim is set, by that claim's value as the username (the
// subject is then linked for next time).
type OIDCConfig struct {
	Issuer       string // the provider's issuer URL
	ClientID     string
	ClientSecret string
	RedirectURL  string // Lantern's callback URL, as registered with the provider
	EmailClaim   string // the claim matched against usernames, such as "email"; "" matches by subject only
	// Scopes asked for besides "openid"; "email" and "profile" by default.
	Scopes []string
}

// Hook is told when a user signs in with a password and when a session
// ends, so that, for example, a private key can be unlocked for the
// session and forgotten after it.
type Hook interface {
	// SignedIn is called after the password was verified and the session
	// created; password is "" for single sign-on.
	SignedIn(ctx context.Context, userID, sessionID, password string)
	// SignedOut is called when a session ends: sign-out, expiry, reset.
	SignedOut(sessionID string)
}

// PasswordHook is a Hook that also keeps something under the user's
// password (the reporting channel's private keys). ChangePassword calls it
// before the new password is stored; an error leaves the password as it was.
type PasswordHook interface {
	Hook
	ChangePassword(ctx context.Context, userID, oldPassword, newPassword string) error
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.IdleTimeout, 30*time.Minute)
	def(&c.AbsoluteTimeout, 12*time.Hour)
	def(&c.ChallengeTimeout, 5*time.Minute)
	if c.Params == (Params{}) {
		c.Params = DefaultParams
	}
	if c.Issuer == "" {
		c.Issuer = "Lantern"
	}
	c.UserLockout = c.UserLockout.withDefaults(5)
	c.ClientLockout = c.ClientLockout.withDefaults(20)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return c
}

func (l Lockout) withDefaults(threshold int) Lockout {
	if l.Threshold <= 0 {
		l.Threshold = threshold
	}
	if l.Base <= 0 {
		l.Base = time.Minute
	}
	if l.Max < l.Base {
		l.Max = max(time.Hour, l.Base)
	}
	return l
}
