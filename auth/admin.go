package auth

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"lantern"
)

// NewUser is what an administrator gives to add a user.
type NewUser struct {
	Username    string
	Name        string
	Role        lantern.UserRole
	StaffID     string
	OIDCSubject string
	// Organisation is a partner's organisation; "" for other roles.
	Organisation string
}

// Credentials are the secrets a new or reset user is given, once. Nothing
// keeps them in the clear.
type Credentials struct {
	Password   string // the initial password
	TOTPSecret string // base32, or "" when the user has no second factor
	TOTPURI    string // otpauth:// URI for an authenticator app, or ""
}

// needsTOTP reports whether a user in role is given a second factor: the
// unit's roles must have one, and so do administrators, who manage users.
func needsTOTP(r lantern.UserRole) bool {
	return r.UnitRole() || r == lantern.UserAdministrator
}

// AddUser creates a user with a generated password and, for the unit's
// roles and administrators, a TOTP secret, and records it on the trail as
// done by actor (a user id or "cli:<name>"). EINVALID for a bad user,
// ECONFLICT for a taken username or subject.
func (m *Manager) AddUser(ctx context.Context, actor string, nu NewUser) (*lantern.User, Credentials, error) {
	var cred Credentials
	if err := m.authorize(ctx, actor, lantern.ActManageUsers, ""); err != nil {
		return nil, cred, err
	}
	id, err := m.randomID("u", 8)
	if err != nil {
		return nil, cred, err
	}
	u := &lantern.User{ID: id, Username: strings.ToLower(strings.TrimSpace(nu.Username)), Name: nu.Name, Role: nu.Role,
		StaffID: nu.StaffID, OIDCSubject: nu.OIDCSubject, Organisation: strings.TrimSpace(nu.Organisation), CreatedAt: m.cfg.Now()}
	if u.Name == "" {
		u.Name = u.Username
	}
	if err := u.Validate(); err != nil {
		return nil, cred, err
	}
	if cred, err = m.newCredentials(u); err != nil {
		return nil, cred, err
	}
	if err := m.store.CreateUser(ctx, u); lantern.ErrorCode(err) == lantern.ECONFLICT {
		return nil, Credentials{}, fmt.Errorf("%w: %w", lantern.Errorf(lantern.ECONFLICT, "The username or single sign-on subject belongs to another user."), err)
	} else if err != nil {
		return nil, Credentials{}, err
	}
	detail := fmt.Sprintf("role %s", u.Role)
	if u.StaffID != "" {
		detail += "; staff id set"
	}
	if u.Organisation != "" {
		detail += "; organisation " + u.Organisation
	}
	if err := m.record(ctx, actor, "user.add", "user:"+u.ID, detail); err != nil {
		return nil, Credentials{}, err
	}
	return u, cred, nil
}

// newCredentials sets u's password hash and TOTP secret to new random ones
// and returns them.
func (m *Manager) newCredentials(u *lantern.User) (Credentials, error) {
	var cred Credentials
	var err error
	if cred.Password, err = GeneratePassword(m.cfg.Rand); err != nil {
		return cred, err
	}
	if u.PasswordHash, err = HashPassword(cred.Password, m.cfg.Params, m.cfg.Rand); err != nil {
		return cred, err
	}
	u.TOTPSecret = ""
	if needsTOTP(u.Role) {
		if cred.TOTPSecret, cred.TOTPURI, err = NewTOTP(m.cfg.Issuer, u.Username, m.cfg.Rand); err != nil {
			return cred, err
		}
		if u.TOTPSecret, err = m.sealer.seal(u.ID, cred.TOTPSecret, m.cfg.Rand); err != nil {
			return cred, err
		}
	}
	return cred, nil
}

// ResetUser gives a user a new password and, where their role has one, a
// new TOTP secret, clears any lockout and ends all their sessions.
// ENOTFOUND for an unknown username.
func (m *Manager) ResetUser(ctx context.Context, actor, username string) (*lantern.User, Credentials, error) {
	if err := m.authorize(ctx, actor, lantern.ActManageUsers, ""); err != nil {
		return nil, Credentials{}, err
	}
	u, err := m.store.FindUserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return nil, Credentials{}, err
	}
	cred, err := m.newCredentials(u)
	if err != nil {
		return nil, Credentials{}, err
	}
	if err := m.store.SetUserPassword(ctx, u.ID, u.PasswordHash); err != nil {
		return nil, Credentials{}, err
	}
	if err := m.store.SetUserTOTP(ctx, u.ID, u.TOTPSecret); err != nil {
		return nil, Credentials{}, err
	}
	m.users.reset(u.Username)
	n, err := m.endUserSessions(ctx, u.ID)
	if err != nil {
		return nil, Credentials{}, err
	}
	if err := m.record(ctx, actor, "user.reset", "user:"+u.ID, fmt.Sprintf("new password and second factor; %d session(s) ended", n)); err != nil {
		return nil, Credentials{}, err
	}
	return u, cred, nil
}

// SetUserDisabled disables a user, ending all their sessions, or enables
// them again. ENOTFOUND for an unknown username.
func (m *Manager) SetUserDisabled(ctx context.Context, actor, username string, disabled bool) (*lantern.User, error) {
	if err := m.authorize(ctx, actor, lantern.ActManageUsers, ""); err != nil {
		return nil, err
	}
	u, err := m.store.FindUserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return nil, err
	}
	if err := m.store.SetUserDisabled(ctx, u.ID, disabled); err != nil {
		return nil, err
	}
	u.Disabled = disabled
	action, detail := "user.enable", ""
	if disabled {
		n, err := m.endUserSessions(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		action, detail = "user.disable", fmt.Sprintf("%d session(s) ended", n)
	}
	return u, m.record(ctx, actor, action, "user:"+u.ID, detail)
}

// SetOrganisation moves a partner user to another organisation: from their
// next request they see that organisation's referrals and no longer their
// old one's. EINVALID for a user who is not a partner.
func (m *Manager) SetOrganisation(ctx context.Context, actor, username, organisation string) (*lantern.User, error) {
	if err := m.authorize(ctx, actor, lantern.ActManageUsers, ""); err != nil {
		return nil, err
	}
	u, err := m.store.FindUserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return nil, err
	}
	organisation = strings.TrimSpace(organisation)
	if err := m.store.SetUserOrganisation(ctx, u.ID, organisation); err != nil {
		return nil, err
	}
	detail := "organisation " + dashIfEmpty(u.Organisation) + " -> " + organisation
	u.Organisation = organisation
	return u, m.record(ctx, actor, "user.organisation", "user:"+u.ID, detail)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RestrictStaff records an open case against a member of staff, which
// locks any user with that staff id out of the workspace at their next
// request.
func (m *Manager) RestrictStaff(ctx context.Context, actor, staffID string) error {
	if err := m.authorize(ctx, actor, lantern.ActRestrictStaff, staffID); err != nil {
		return err
	}
	if err := m.store.RestrictStaff(ctx, &lantern.Restriction{StaffID: staffID, By: actor, CreatedAt: m.cfg.Now()}); err != nil {
		return err
	}
	return m.record(ctx, actor, "staff.restrict", "staff:"+staffID, "open case recorded")
}

// UnrestrictStaff ends the restriction on a member of staff; ENOTFOUND if
// there is none.
func (m *Manager) UnrestrictStaff(ctx context.Context, actor, staffID string) error {
	if err := m.authorize(ctx, actor, lantern.ActRestrictStaff, staffID); err != nil {
		return err
	}
	if err := m.store.UnrestrictStaff(ctx, staffID); err != nil {
		return err
	}
	return m.record(ctx, actor, "staff.unrestrict", "staff:"+staffID, "open case ended")
}

// endUserSessions ends every session of a user and tells the hooks.
func (m *Manager) endUserSessions(ctx context.Context, userID string) (int, error) {
	ids, err := m.store.DeleteUserSessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		for _, h := range m.cfg.Hooks {
			h.SignedOut(id)
		}
	}
	return len(ids), nil
}

// authorize lets the command line ("cli:" actors, run by whoever can run
// the binary on the server) do anything, and anyone else what
// lantern.Authorize allows the principal in ctx, which must be actor. A
// refusal is recorded on the trail.
func (m *Manager) authorize(ctx context.Context, actor string, act lantern.Action, about string) error {
	if strings.HasPrefix(actor, "cli:") {
		return nil
	}
	p, ok := lantern.PrincipalFrom(ctx)
	err := lantern.Authorize(p, act, about)
	if ok && p.UserID != actor {
		err = lantern.Errorf(lantern.EFORBIDDEN, "You may act only as yourself.")
	}
	if err == nil {
		return nil
	}
	e := lantern.AuditEntry{UserID: cmp.Or(actor, "unknown"), Role: p.Role, Action: string(act), Outcome: lantern.AuditDenied}
	if about != "" {
		e.Object = "staff:" + about
	}
	if _, aerr := m.store.AppendAudit(ctx, e); aerr != nil {
		return aerr
	}
	return err
}

// record appends an allowed action by actor to the trail.
func (m *Manager) record(ctx context.Context, actor, action, object, detail string) error {
	e := lantern.AuditEntry{UserID: actor, Action: action, Object: object, Outcome: lantern.AuditAllowed, Detail: detail}
	if p, ok := lantern.PrincipalFrom(ctx); ok && p.UserID == actor {
		e.Role = p.Role
	}
	_, err := m.store.AppendAudit(ctx, e)
	return err
}

// ChangePassword replaces a user's password after checking their current
// one and the password policy, and records the change. EUNAUTHORIZED for a
// wrong current password (which counts as a failed sign-in), EINVALID for
// a new password the policy refuses, ENOTFOUND for an unknown user.
func (m *Manager) ChangePassword(ctx context.Context, userID, current, next string) error {
	u, err := m.store.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, err := CheckPassword(u.PasswordHash, current)
	if err != nil || !ok {
		entry := lantern.AuditEntry{UserID: u.ID, Role: u.Role, Action: "user.password", Object: "user:" + u.ID,
			Outcome: lantern.AuditFailed, Detail: "wrong current password"}
		return m.failed(ctx, u, u.Username, "", m.cfg.Now(), entry, errBadCredentials)
	}
	if err := CheckPasswordPolicy(u.Username, next); err != nil {
		return err
	}
	hash, err := HashPassword(next, m.cfg.Params, m.cfg.Rand)
	if err != nil {
		return err
	}
	for _, h := range m.cfg.Hooks {
		if ph, ok := h.(PasswordHook); ok {
			if err := ph.ChangePassword(ctx, u.ID, current, next); err != nil {
				return err
			}
		}
	}
	if err := m.store.SetUserPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	_, err = m.store.AppendAudit(ctx, lantern.AuditEntry{UserID: u.ID, Role: u.Role, Action: "user.password", Object: "user:" + u.ID,
		Outcome: lantern.AuditAllowed, Detail: "password changed"})
	return err
}
