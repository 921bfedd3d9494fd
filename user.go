package lantern

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// User is an account that may sign in to the workspace.
//
// PasswordHash and TOTPSecret are credentials: neither is ever logged,
// exported or shown. TOTPSecret is stored as the auth package sealed it
// (encrypted when the installation has a key), never as the user typed it.
type User struct {
	ID       string   // stable id, "u" followed by random characters
	Username string   // what the user types to sign in; lower case
	Name     string   // display name
	Role     UserRole // what the user may do
	// StaffID is the user's own staff id in the force, or "" for a user who
	// is not on the force's staff.
	StaffID string
	// Organisation is a partner user's organisation, whose referrals they
	// share with its other users; "" for every other role. A partner with
	// none counts as an organisation of their own.
	Organisation string
	Disabled     bool

	PasswordHash string `json:"-"` // a PHC-style argon2id string, or "" for SSO-only users
	TOTPSecret   string `json:"-"` // the sealed TOTP secret, or "" when none is set
	// TOTPLastStep is the last TOTP time step accepted, so that a code is
	// never accepted twice.
	TOTPLastStep int64
	OIDCSubject  string // the subject the force's identity provider gives, or ""

	FailedSignIns int        // consecutive failed sign-ins since the last success
	LockedUntil   *time.Time // sign-in refused until then, or nil

	CreatedAt time.Time
	UpdatedAt time.Time
}

// LogValue makes a User logged with log/slog show only its id, username
// and role, never its credentials.
func (u *User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.ID), slog.String("username", u.Username), slog.String("role", string(u.Role)))
}

// String describes u without its credentials, for %v.
func (u *User) String() string {
	return fmt.Sprintf("user %s (%s, %s)", u.ID, u.Username, u.Role)
}

// MaxUsernameLen is the longest username accepted.
const MaxUsernameLen = 64

// Validate reports whether u can be stored, with an EINVALID error naming
// the first field at fault.
func (u *User) Validate() error {
	if err := ValidateID("id", u.ID); err != nil {
		return err
	}
	if err := ValidateUsername(u.Username); err != nil {
		return err
	}
	if len(u.Name) > 200 {
		return FieldErrorf("name", "name is longer than 200 bytes")
	}
	if strings.ContainsFunc(u.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return FieldErrorf("name", "name contains a control character")
	}
	if !u.Role.Valid() {
		return FieldErrorf("role", "role %q is not one of %v", u.Role, UserRoles)
	}
	if u.StaffID != "" {
		if err := ValidateID("staff_id", u.StaffID); err != nil {
			return err
		}
	}
	if u.Organisation != "" {
		if u.Role != UserPartner {
			return FieldErrorf("organisation", "only a partner user belongs to an organisation")
		}
		if err := ValidateID("organisation", u.Organisation); err != nil {
			return err
		}
	}
	if u.OIDCSubject != "" {
		if err := ValidateID("oidc_subject", u.OIDCSubject); err != nil {
			return err
		}
	}
	if u.FailedSignIns < 0 {
		return FieldErrorf("failed_sign_ins", "failed sign-ins cannot be negative")
	}
	return ValidateTime("created_at", u.CreatedAt)
}

// ValidateUsername reports whether s is a usable username: 2 to 64 lower-case
// letters, digits and the characters . _ @ -, starting with a letter or
// digit. Email addresses qualify, so that single sign-on can match them.
func ValidateUsername(s string) error {
	if len(s) < 2 || len(s) > MaxUsernameLen {
		return FieldErrorf("username", "username must be 2 to %d characters", MaxUsernameLen)
	}
	for i, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '@' || c == '-'):
		default:
			return FieldErrorf("username", "username may hold only lower-case letters, digits and . _ @ - and must start with a letter or digit")
		}
	}
	return nil
}

// UserService stores user accounts.
type UserService interface {
	// CreateUser stores a new user. It returns EINVALID for a user that fails
	// Validate and ECONFLICT when the id, username or OIDC subject is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns the user with id, or ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUserByUsername returns the user with username, or ENOTFOUND.
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindUserByOIDCSubject returns the user linked to subject, or ENOTFOUND.
	FindUserByOIDCSubject(ctx context.Context, subject string) (*User, error)
	// FindUsers returns every user, ordered by username.
	FindUsers(ctx context.Context) ([]*User, error)
	// SetUserDisabled disables or re-enables a user; ENOTFOUND if unknown.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error
	// SetUserPassword replaces the password hash and clears failed sign-ins
	// and any lock; ENOTFOUND if unknown.
	SetUserPassword(ctx context.Context, id, hash string) error
	// SetUserTOTP replaces the sealed TOTP secret ("" removes it) and
	// forgets the last step used; ENOTFOUND if unknown.
	SetUserTOTP(ctx context.Context, id, secret string) error
	// SetUserOIDCSubject links the user to an identity provider's subject
	// ("" unlinks); ECONFLICT if another user has it, ENOTFOUND if unknown.
	SetUserOIDCSubject(ctx context.Context, id, subject string) error
	// SetUserOrganisation moves a partner user to organisation, whose
	// referrals they then see; EINVALID for another role or an empty or
	// malformed organisation, ENOTFOUND if unknown.
	SetUserOrganisation(ctx context.Context, id, organisation string) error
	// UseTOTPStep records that the TOTP code of step was accepted. It
	// returns ECONFLICT, recording nothing, when step is not later than the
	// last step recorded, so that a code cannot be used twice.
	UseTOTPStep(ctx context.Context, id string, step int64) error
	// RecordSignInFailure adds one to the user's failed sign-ins, sets
	// LockedUntil to lockUntil when it is not nil, and returns the new count.
	RecordSignInFailure(ctx context.Context, id string, lockUntil *time.Time) (int, error)
	// ClearSignInFailures sets failed sign-ins to zero and removes any lock.
	ClearSignInFailures(ctx context.Context, id string) error
}

// Session is a signed-in user's session. The token the browser holds is
// never stored: only its SHA-256.
type Session struct {
	ID         string // public id, for the audit trail and signing out
	TokenHash  []byte // SHA-256 of the session token
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Validate reports whether s can be stored.
func (s *Session) Validate() error {
	if err := ValidateID("id", s.ID); err != nil {
		return err
	}
	if len(s.TokenHash) != 32 {
		return FieldErrorf("token_hash", "token hash must be a SHA-256 (32 bytes)")
	}
	if err := ValidateID("user_id", s.UserID); err != nil {
		return err
	}
	if err := ValidateTime("created_at", s.CreatedAt); err != nil {
		return err
	}
	return ValidateTime("last_seen_at", s.LastSeenAt)
}

// SessionService stores sessions.
type SessionService interface {
	// CreateSession stores s; ECONFLICT if its id or token hash is taken,
	// ENOTFOUND if its user does not exist.
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByTokenHash returns the session whose token hashes to
	// hash, or ENOTFOUND.
	FindSessionByTokenHash(ctx context.Context, hash []byte) (*Session, error)
	// TouchSession sets the session's LastSeenAt; ENOTFOUND if it is gone.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession removes a session; removing one that is gone is not an
	// error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions removes every session of a user and returns their
	// ids.
	DeleteUserSessions(ctx context.Context, userID string) ([]string, error)
}

// Restriction records that there is an open case against a member of staff,
// which locks them out of the workspace whatever their role.
type Restriction struct {
	StaffID   string
	By        string // who recorded it: a user id or "cli:<name>"
	CreatedAt time.Time
}

// RestrictionService records open cases against members of staff until
// Lantern manages cases itself.
type RestrictionService interface {
	// RestrictStaff records an open case against staffID. Recording one
	// that is already recorded keeps the first. EINVALID for a bad id.
	RestrictStaff(ctx context.Context, r *Restriction) error
	// UnrestrictStaff ends the restriction; ENOTFOUND if there is none.
	UnrestrictStaff(ctx context.Context, staffID string) error
	// StaffRestricted reports whether there is an open case against staffID.
	StaffRestricted(ctx context.Context, staffID string) (bool, error)
	// FindRestrictions lists the restrictions, ordered by staff id.
	FindRestrictions(ctx context.Context) ([]*Restriction, error)
}

// Validate reports whether r can be stored.
func (r *Restriction) Validate() error {
	if err := ValidateID("staff_id", r.StaffID); err != nil {
		return err
	}
	if err := ValidateID("by", r.By); err != nil {
		return err
	}
	return ValidateTime("created_at", r.CreatedAt)
}
