package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const userColumns = `id, username, name, role, staff_id, disabled, password_hash, totp_secret,
	totp_last_step, oidc_subject, failed_sign_ins, locked_until, created_at, updated_at, organisation`

var errUserNotFound = lantern.Errorf(lantern.ENOTFOUND, "User not found.")

// CreateUser validates and stores a new user; CreatedAt, when zero, and
// UpdatedAt come from the store's clock. EINVALID, or ECONFLICT when the id,
// username or OIDC subject is taken.
func (db *DB) CreateUser(ctx context.Context, u *lantern.User) error {
	now := db.timestamp()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = ts(u.CreatedAt)
	u.UpdatedAt = now
	u.LockedUntil = tsPtr(u.LockedUntil)
	return db.update(ctx, "create user", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (`+userColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			u.ID, u.Username, u.Name, string(u.Role), u.StaffID, u.Disabled, u.PasswordHash, u.TOTPSecret,
			u.TOTPLastStep, nullString(u.OIDCSubject), u.FailedSignIns, u.LockedUntil, u.CreatedAt, u.UpdatedAt, u.Organisation)
		return err
	})
}

// FindUserByID returns the user with id, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id string) (*lantern.User, error) {
	return db.findUser(ctx, `id = $1`, id)
}

// FindUserByUsername returns the user with username, or ENOTFOUND.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*lantern.User, error) {
	return db.findUser(ctx, `username = $1`, username)
}

// FindUserByOIDCSubject returns the user linked to subject, or ENOTFOUND.
func (db *DB) FindUserByOIDCSubject(ctx context.Context, subject string) (*lantern.User, error) {
	if subject == "" {
		return nil, errUserNotFound
	}
	return db.findUser(ctx, `oidc_subject = $1`, subject)
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*lantern.User, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg)
	u, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, wrap("find user", err)
	}
	return u, nil
}

// FindUsers returns every user, ordered by username.
func (db *DB) FindUsers(ctx context.Context) ([]*lantern.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username COLLATE "C"`)
	if err != nil {
		return nil, wrap("find users", err)
	}
	defer rows.Close()
	list := []*lantern.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, wrap("find users", err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("find users", err)
	}
	return list, nil
}

// SetUserDisabled disables or re-enables a user; ENOTFOUND if unknown.
func (db *DB) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	return db.updateUser(ctx, "set user disabled", id, `disabled = $3`, disabled)
}

// SetUserPassword replaces the password hash and clears failed sign-ins and
// any lock; ENOTFOUND if unknown.
func (db *DB) SetUserPassword(ctx context.Context, id, hash string) error {
	return db.updateUser(ctx, "set user password", id, `password_hash = $3, failed_sign_ins = 0, locked_until = NULL`, hash)
}

// SetUserTOTP replaces the sealed TOTP secret and forgets the last step.
func (db *DB) SetUserTOTP(ctx context.Context, id, secret string) error {
	return db.updateUser(ctx, "set user totp", id, `totp_secret = $3, totp_last_step = 0`, secret)
}

// SetUserOrganisation moves a partner user to organisation; EINVALID for
// another role or a bad organisation, ENOTFOUND if unknown.
func (db *DB) SetUserOrganisation(ctx context.Context, id, organisation string) error {
	u, err := db.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if organisation == "" {
		return lantern.FieldErrorf("organisation", "Give the partner's organisation")
	}
	u.Organisation = organisation
	if err := u.Validate(); err != nil {
		return err
	}
	return db.updateUser(ctx, "set user organisation", id, `organisation = $3`, organisation)
}

// SetUserOIDCSubject links the user to subject ("" unlinks); ECONFLICT if
// another user has it.
func (db *DB) SetUserOIDCSubject(ctx context.Context, id, subject string) error {
	if subject != "" {
		if err := lantern.ValidateID("oidc_subject", subject); err != nil {
			return err
		}
	}
	return db.updateUser(ctx, "set user oidc subject", id, `oidc_subject = $3`, nullString(subject))
}

// UseTOTPStep records step as used; ECONFLICT when it is not later than the
// last one recorded. The conditional update makes two uses of one code at
// the same moment race to one winner.
func (db *DB) UseTOTPStep(ctx context.Context, id string, step int64) error {
	return db.update(ctx, "use totp step", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = $2, updated_at = $3 WHERE id = $1 AND totp_last_step < $2`,
			id, step, db.timestamp())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		} else if err != nil {
			return err
		}
		return lantern.Errorf(lantern.ECONFLICT, "This code has already been used.")
	})
}

// RecordSignInFailure counts a failed sign-in and sets the lock when given.
func (db *DB) RecordSignInFailure(ctx context.Context, id string, lockUntil *time.Time) (int, error) {
	var n int
	err := db.update(ctx, "record sign-in failure", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE users SET failed_sign_ins = failed_sign_ins + 1,
			locked_until = coalesce($2, locked_until), updated_at = $3 WHERE id = $1 RETURNING failed_sign_ins`,
			id, tsPtr(lockUntil), db.timestamp()).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		}
		return err
	})
	return n, err
}

// ClearSignInFailures sets failed sign-ins to zero and removes any lock.
func (db *DB) ClearSignInFailures(ctx context.Context, id string) error {
	return db.updateUser(ctx, "clear sign-in failures", id, `failed_sign_ins = 0, locked_until = NULL`)
}

// updateUser sets columns of one user and its updated_at; ENOTFOUND if the
// user is unknown. set refers to its arguments from $3.
func (db *DB) updateUser(ctx context.Context, op, id, set string, args ...any) error {
	return db.update(ctx, op, func(tx pgx.Tx) error {
		args = append([]any{id, db.timestamp()}, args...)
		tag, err := tx.Exec(ctx, `UPDATE users SET `+set+`, updated_at = $2 WHERE id = $1`, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errUserNotFound
		}
		return nil
	})
}

func scanUser(row pgx.Row) (*lantern.User, error) {
	var u lantern.User
	var role string
	var subject *string
	err := row.Scan(&u.ID, &u.Username, &u.Name, &role, &u.StaffID, &u.Disabled, &u.PasswordHash, &u.TOTPSecret,
		&u.TOTPLastStep, &subject, &u.FailedSignIns, &u.LockedUntil, &u.CreatedAt, &u.UpdatedAt, &u.Organisation)
	if err != nil {
		return nil, err
	}
	u.Role = lantern.UserRole(role)
	if subject != nil {
		u.OIDCSubject = *subject
	}
	u.LockedUntil = utcPtr(u.LockedUntil)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// nullString stores "" as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateSession stores s; ECONFLICT if its id or token hash is taken,
// ENOTFOUND if its user does not exist.
func (db *DB) CreateSession(ctx context.Context, s *lantern.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "create session", func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, s.UserID).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		} else if err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)`,
			s.ID, s.TokenHash, s.UserID, ts(s.CreatedAt), ts(s.LastSeenAt))
		return err
	})
}

// FindSessionByTokenHash returns the session whose token hashes to hash, or
// ENOTFOUND.
func (db *DB) FindSessionByTokenHash(ctx context.Context, hash []byte) (*lantern.Session, error) {
	var s lantern.Session
	err := db.pool.QueryRow(ctx, `SELECT id, token_hash, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return nil, wrap("find session", err)
	}
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	return &s, nil
}

// TouchSession sets the session's LastSeenAt; ENOTFOUND if it is gone.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, ts(at))
	if err != nil {
		return wrap("touch session", err)
	}
	if tag.RowsAffected() == 0 {
		return lantern.Errorf(lantern.ENOTFOUND, "Session not found.")
	}
	return nil
}

// DeleteSession removes a session, if it is there.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return wrap("delete session", err)
	}
	return nil
}

// DeleteUserSessions removes every session of a user and returns their ids.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `DELETE FROM sessions WHERE user_id = $1 RETURNING id`, userID)
	if err != nil {
		return nil, wrap("delete user sessions", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap("delete user sessions", err)
	}
	if ids == nil {
		ids = []string{}
	}
	slices.Sort(ids)
	return ids, nil
}

// RestrictStaff records an open case against a member of staff; recording
// it again keeps the first record.
func (db *DB) RestrictStaff(ctx context.Context, r *lantern.Restriction) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO staff_restrictions (staff_id, created_by, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (staff_id) DO NOTHING`, r.StaffID, r.By, ts(r.CreatedAt))
	if err != nil {
		return wrap("restrict staff", err)
	}
	return nil
}

// UnrestrictStaff ends a restriction; ENOTFOUND if there is none.
func (db *DB) UnrestrictStaff(ctx context.Context, staffID string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM staff_restrictions WHERE staff_id = $1`, staffID)
	if err != nil {
		return wrap("unrestrict staff", err)
	}
	if tag.RowsAffected() == 0 {
		return lantern.Errorf(lantern.ENOTFOUND, "No open case is recorded against this member of staff.")
	}
	return nil
}

// StaffRestricted reports whether there is an open case against staffID.
func (db *DB) StaffRestricted(ctx context.Context, staffID string) (bool, error) {
	var one int
	err := db.pool.QueryRow(ctx, `SELECT 1 FROM staff_restrictions WHERE staff_id = $1`, staffID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, wrap("read staff restriction", err)
	}
	return true, nil
}

// FindRestrictions lists the restrictions, ordered by staff id.
func (db *DB) FindRestrictions(ctx context.Context) ([]*lantern.Restriction, error) {
	rows, err := db.pool.Query(ctx, `SELECT staff_id, created_by, created_at FROM staff_restrictions ORDER BY staff_id COLLATE "C"`)
	if err != nil {
		return nil, wrap("find restrictions", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Restriction, error) {
		var r lantern.Restriction
		err := row.Scan(&r.StaffID, &r.By, &r.CreatedAt)
		r.CreatedAt = r.CreatedAt.UTC()
		return &r, err
	})
	if err != nil {
		return nil, wrap("find restrictions", err)
	}
	if list == nil {
		list = []*lantern.Restriction{}
	}
	return list, nil
}
