package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"filippo.io/age"

	"lantern"
)

// DefaultWorkFactor is the scrypt work factor (log2 N) that wraps each
// recipient's private key under their password: N = 2^16 with r = 8 takes
// 64 MiB, the memory of the argon2id hash that checks the same password at
// sign-in. Someone holding a copy of the database can attack either, so
// making this one dearer would only slow every sign-in without making the
// password harder to find.
const DefaultWorkFactor = 16

// maxWorkFactor is the most a wrapped key may demand when opened: age's own
// default, so that keys wrapped at a higher factor by a later release still
// open, and a tampered file cannot demand unbounded work.
const maxWorkFactor = 18

// KeyStore is where a Keyring finds key pairs and the report and
// intelligence keys wrapped for them.
type KeyStore interface {
	lantern.ReportService
	lantern.IntelKeyService
}

// KeyringConfig is what a Keyring needs.
type KeyringConfig struct {
	Store KeyStore
	Audit lantern.AuditService
	// RoleOf returns a user's role, so that a unit member signing in for
	// the first time can be given a key pair. Nil: only Enrol gives keys.
	RoleOf func(ctx context.Context, userID string) (lantern.UserRole, error)
	// WorkFactor is the scrypt work factor for wrapping private keys; 0
	// means DefaultWorkFactor. Tests lower it.
	WorkFactor int
	Logger     *slog.Logger
	Now        func() time.Time
}

// Keyring holds the unit's report keys: each recipient's key pair, the
// private half stored only wrapped under the recipient's password, and
// unwrapped in memory for the length of a signed-in session.
//
// Keyring implements the auth package's sign-in hook (SignedIn, SignedOut).
type Keyring struct {
	cfg KeyringConfig

	mu       sync.Mutex
	sessions map[string]session // by session id
}

type session struct {
	userID   string
	role     lantern.UserRole
	identity *age.HybridIdentity
}

// NewKeyring returns a keyring over cfg.Store.
func NewKeyring(cfg KeyringConfig) *Keyring {
	if cfg.WorkFactor == 0 {
		cfg.WorkFactor = DefaultWorkFactor
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Keyring{cfg: cfg, sessions: map[string]session{}}
}

// wrapIdentity encrypts id's secret key under password with age's scrypt
// recipient.
func (k *Keyring) wrapIdentity(id *age.HybridIdentity, password string) ([]byte, error) {
	r, err := age.NewScryptRecipient(password)
	if err != nil {
		return nil, lantern.Errorf(lantern.EINVALID, "A password is needed to protect the report key.")
	}
	r.SetWorkFactor(k.cfg.WorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, id.String()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrapIdentity reverses wrapIdentity.
func (k *Keyring) unwrapIdentity(wrapped []byte, password string) (*age.HybridIdentity, error) {
	sid, err := age.NewScryptIdentity(password)
	if err != nil {
		return nil, err
	}
	sid.SetMaxWorkFactor(max(k.cfg.WorkFactor, maxWorkFactor))
	r, err := age.Decrypt(bytes.NewReader(wrapped), sid)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, 16<<10))
	if err != nil {
		return nil, err
	}
	return age.ParseHybridIdentity(strings.TrimSpace(string(b)))
}

// Enrol gives userID, in role, a new key pair protected by password,
// replacing any it had: reports wrapped for the old key are then readable
// again only after a colleague grants them or the escrow recovers them.
// EINVALID for a role that does not read reports.
func (k *Keyring) Enrol(ctx context.Context, userID string, role lantern.UserRole, password string) (*age.HybridIdentity, error) {
	if !lantern.ReportRecipientRole(role) {
		return nil, lantern.FieldErrorf("role", "Users with the role %s do not receive report keys.", role)
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, err
	}
	wrapped, err := k.wrapIdentity(id, password)
	if err != nil {
		return nil, err
	}
	now := k.cfg.Now()
	rec := &lantern.KeyRecipient{UserID: userID, Role: role, PublicKey: id.Recipient().String(), WrappedIdentity: wrapped, CreatedAt: now}
	if err := k.cfg.Store.PutKeyRecipient(ctx, rec); err != nil {
		return nil, fmt.Errorf("enrol report key: %w", err)
	}
	k.audit(ctx, lantern.AuditEntry{UserID: userID, Role: role, Action: "report.key.create", Object: "user:" + userID, Outcome: lantern.AuditAllowed})
	return id, nil
}

// SignedIn unwraps the user's private key with the password they signed in
// with and holds it for the session. A unit member without a key pair is
// given one; one whose password no longer opens their key (it was reset)
// is given a new one, and the change is audited. With single sign-on
// (password "") nothing is unlocked: reading reports needs a password
// sign-in. Failures are logged without detail and leave the session
// without report access.
func (k *Keyring) SignedIn(ctx context.Context, userID, sessionID, password string) {
	if password == "" || sessionID == "" {
		return
	}
	rec, err := k.cfg.Store.KeyRecipient(ctx, userID)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		k.enrolOnSignIn(ctx, userID, sessionID, password)
		return
	} else if err != nil {
		k.cfg.Logger.Warn("report key not unlocked: store error", "user", userID)
		return
	}
	id, err := k.unwrapIdentity(rec.WrappedIdentity, password)
	if err != nil {
		// The password opened the account but not the key: the password
		// was reset. The old key is lost without the escrow.
		k.audit(ctx, lantern.AuditEntry{UserID: userID, Role: rec.Role, Action: "report.key.replace", Object: "user:" + userID,
			Outcome: lantern.AuditAllowed, Detail: "password no longer opens the report key; a new key pair was made"})
		k.enrolOnSignIn(ctx, userID, sessionID, password)
		return
	}
	k.hold(sessionID, session{userID: userID, role: rec.Role, identity: id})
}

func (k *Keyring) enrolOnSignIn(ctx context.Context, userID, sessionID, password string) {
	if k.cfg.RoleOf == nil {
		return
	}
	role, err := k.cfg.RoleOf(ctx, userID)
	if err != nil || !lantern.ReportRecipientRole(role) {
		return
	}
	id, err := k.Enrol(ctx, userID, role, password)
	if err != nil {
		k.cfg.Logger.Warn("report key not created", "user", userID)
		return
	}
	k.hold(sessionID, session{userID: userID, role: role, identity: id})
}

func (k *Keyring) hold(sessionID string, s session) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sessions[sessionID] = s
}

// SignedOut forgets the private key held for the session.
func (k *Keyring) SignedOut(sessionID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.sessions, sessionID)
}

// Sessions returns how many sessions hold an unlocked key.
func (k *Keyring) Sessions() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.sessions)
}

// errLocked is returned when a session has no unlocked key.
var errLocked = lantern.Errorf(lantern.EUNAUTHORIZED, "Your report key is not unlocked: sign out and sign in again with your password.")

// identity returns the unlocked private key of p's session: EUNAUTHORIZED
// when there is none or it belongs to someone else.
func (k *Keyring) identity(p lantern.Principal) (*age.HybridIdentity, error) {
	k.mu.Lock()
	s, ok := k.sessions[p.SessionID]
	k.mu.Unlock()
	if !ok || p.SessionID == "" || s.userID != p.UserID {
		return nil, errLocked
	}
	return s.identity, nil
}

// ChangePassword re-wraps the user's private key under a new password. Call
// it when a user changes their own password (knowing the old one).
// EUNAUTHORIZED when old does not open the key; ENOTFOUND when the user has
// none.
func (k *Keyring) ChangePassword(ctx context.Context, userID, oldPassword, newPassword string) error {
	rec, err := k.cfg.Store.KeyRecipient(ctx, userID)
	if err != nil {
		return err
	}
	id, err := k.unwrapIdentity(rec.WrappedIdentity, oldPassword)
	if err != nil {
		return lantern.Errorf(lantern.EUNAUTHORIZED, "The old password does not open the report key.")
	}
	if rec.WrappedIdentity, err = k.wrapIdentity(id, newPassword); err != nil {
		return err
	}
	if err := k.cfg.Store.PutKeyRecipient(ctx, rec); err != nil {
		return err
	}
	k.audit(ctx, lantern.AuditEntry{UserID: userID, Role: rec.Role, Action: "report.key.rewrap", Object: "user:" + userID, Outcome: lantern.AuditAllowed})
	return nil
}

// recipients returns the age recipients every new report's content key is
// wrapped for, and those its identity key is wrapped for (the head of PSD
// and the escrow).
func (k *Keyring) recipients(ctx context.Context) (content, identity map[string]age.Recipient, err error) {
	list, err := k.cfg.Store.KeyRecipients(ctx)
	if err != nil {
		return nil, nil, err
	}
	content, identity = map[string]age.Recipient{}, map[string]age.Recipient{}
	for _, r := range list {
		// A user whose role no longer reads reports (or who is disabled,
		// or gone) gets no new report's key, even before their pair is
		// revoked.
		if r.UserID != lantern.EscrowRecipient && k.cfg.RoleOf != nil {
			role, err := k.cfg.RoleOf(ctx, r.UserID)
			if err != nil || !lantern.ReportRecipientRole(role) {
				continue
			}
			r.Role = role
		}
		pub, err := age.ParseHybridRecipient(r.PublicKey)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient %s: %w", r.UserID, err)
		}
		content[r.UserID] = pub
		if r.Role == lantern.UserHeadOfPSD {
			identity[r.UserID] = pub
		}
	}
	return content, identity, nil
}

// audit appends e to the trail. The trail is the record of who used which
// key, so a failure to write it is logged loudly.
func (k *Keyring) audit(ctx context.Context, e lantern.AuditEntry) error {
	if k.cfg.Audit == nil {
		return lantern.Errorf(lantern.EUNAVAILABLE, "The audit trail is not available.")
	}
	if _, err := k.cfg.Audit.AppendAudit(ctx, e); err != nil {
		k.cfg.Logger.Error("audit append failed", "action", e.Action)
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Revoke removes a user's key pair and every report and intelligence key
// wrapped for them,
// and forgets their unlocked sessions: call it when a user leaves the unit
// or moves to a role that does not read reports. Audited; ENOTFOUND when
// the user has no key pair.
func (k *Keyring) Revoke(ctx context.Context, actor lantern.Principal, userID string) error {
	if userID == lantern.EscrowRecipient {
		return lantern.Errorf(lantern.EINVALID, "The escrow key is not revoked this way.")
	}
	if err := k.cfg.Store.DeleteKeyRecipient(ctx, userID); err != nil {
		return err
	}
	k.mu.Lock()
	for id, s := range k.sessions {
		if s.userID == userID {
			delete(k.sessions, id)
		}
	}
	k.mu.Unlock()
	return k.audit(ctx, lantern.AuditEntry{UserID: actor.UserID, Role: actor.Role, Action: "report.key.revoke", Object: "user:" + userID, Outcome: lantern.AuditAllowed})
}
