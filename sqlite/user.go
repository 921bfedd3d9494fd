package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

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
	u.CreatedAt = u.CreatedAt.UTC().Truncate(time.Microsecond)
	u.UpdatedAt = now
	return db.update(ctx, "create user", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.Name, string(u.Role), u.StaffID, u.Disabled, u.PasswordHash, u.TOTPSecret,
			u.TOTPLastStep, nullString(u.OIDCSubject), u.FailedSignIns, nullMicros(u.LockedUntil),
			micros(u.CreatedAt), micros(u.UpdatedAt), u.Organisation)
		return err
	})
}

// FindUserByID returns the user with id, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id string) (*lantern.User, error) {
	return db.findUser(ctx, `id = ?`, id)
}

// FindUserByUsername returns the user with username, or ENOTFOUND.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*lantern.User, error) {
	return db.findUser(ctx, `username = ?`, username)
}

// FindUserByOIDCSubject returns the user linked to subject, or ENOTFOUND.
func (db *DB) FindUserByOIDCSubject(ctx context.Context, subject string) (*lantern.User, error) {
	if subject == "" {
		return nil, errUserNotFound
	}
	return db.findUser(ctx, `oidc_subject = ?`, subject)
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*lantern.User, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, wrap("find user", err)
	}
	return u, nil
}

// FindUsers returns every user, ordered by username.
func (db *DB) FindUsers(ctx context.Context) ([]*lantern.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
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
	return db.updateUser(ctx, "set user disabled", id, `disabled = ?`, disabled)
}

// SetUserPassword replaces the password hash and clears failed sign-ins and
// any lock; ENOTFOUND if unknown.
func (db *DB) SetUserPassword(ctx context.Context, id, hash string) error {
	return db.updateUser(ctx, "set user password", id, `password_hash = ?, failed_sign_ins = 0, locked_until = NULL`, hash)
}

// SetUserTOTP replaces the sealed TOTP secret and forgets the last step.
func (db *DB) SetUserTOTP(ctx context.Context, id, secret string) error {
	return db.updateUser(ctx, "set user totp", id, `totp_secret = ?, totp_last_step = 0`, secret)
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
	return db.updateUser(ctx, "set user organisation", id, `organisation = ?`, organisation)
}

// SetUserOIDCSubject links the user to subject ("" unlinks); ECONFLICT if
// another user has it.
func (db *DB) SetUserOIDCSubject(ctx context.Context, id, subject string) error {
	if subject != "" {
		if err := lantern.ValidateID("oidc_subject", subject); err != nil {
			return err
		}
	}
	return db.updateUser(ctx, "set user oidc subject", id, `oidc_subject = ?`, nullString(subject))
}

// UseTOTPStep records step as used; ECONFLICT when it is not later than the
// last one recorded.
func (db *DB) UseTOTPStep(ctx context.Context, id string, step int64) error {
	return db.update(ctx, "use totp step", func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT totp_last_step FROM users WHERE id = ?`, id).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return errUserNotFound
		} else if err != nil {
			return err
		}
		if step <= last {
			return lantern.Errorf(lantern.ECONFLICT, "This code has already been used.")
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ?, updated_at = ? WHERE id = ?`, step, micros(db.timestamp()), id)
		return err
	})
}

// RecordSignInFailure counts a failed sign-in and sets the lock when given.
func (db *DB) RecordSignInFailure(ctx context.Context, id string, lockUntil *time.Time) (int, error) {
	var n int
	err := db.update(ctx, "record sign-in failure", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE users SET failed_sign_ins = failed_sign_ins + 1,
			locked_until = coalesce(?, locked_until), updated_at = ? WHERE id = ? RETURNING failed_sign_ins`,
			nullMicros(lockUntil), micros(db.timestamp()), id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
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
// user is unknown.
func (db *DB) updateUser(ctx context.Context, op, id, set string, args ...any) error {
	return db.update(ctx, op, func(tx *sql.Tx) error {
		args = append(args, micros(db.timestamp()), id)
		res, err := tx.ExecContext(ctx, `UPDATE users SET `+set+`, updated_at = ? WHERE id = ?`, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errUserNotFound
		}
		return nil
	})
}

func scanUser(row scanner) (*lantern.User, error) {
	var u lantern.User
	var role string
	var subject sql.NullString
	var locked sql.NullInt64
	var created, updated int64
	err := row.Scan(&u.ID, &u.Username, &u.Name, &role, &u.StaffID, &u.Disabled, &u.PasswordHash, &u.TOTPSecret,
		&u.TOTPLastStep, &subject, &u.FailedSignIns, &locked, &created, &updated, &u.Organisation)
	if err != nil {
		return nil, err
	}
	u.Role = lantern.UserRole(role)
	u.OIDCSubject = subject.String
	u.LockedUntil = fromNullMicros(locked)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateSession stores s; ECONFLICT if its id or token hash is taken,
// ENOTFOUND if its user does not exist.
func (db *DB) CreateSession(ctx context.Context, s *lantern.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "create session", func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, s.UserID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return errUserNotFound
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			s.ID, s.TokenHash, s.UserID, micros(s.CreatedAt), micros(s.LastSeenAt))
		return err
	})
}

// FindSessionByTokenHash returns the session whose token hashes to hash, or
// ENOTFOUND.
func (db *DB) FindSessionByTokenHash(ctx context.Context, hash []byte) (*lantern.Session, error) {
	var s lantern.Session
	var created, seen int64
	err := db.read.QueryRowContext(ctx, `SELECT id, token_hash, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return nil, wrap("find session", err)
	}
	s.CreatedAt, s.LastSeenAt = fromMicros(created), fromMicros(seen)
	return &s, nil
}

// TouchSession sets the session's LastSeenAt; ENOTFOUND if it is gone.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.update(ctx, "touch session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, micros(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lantern.Errorf(lantern.ENOTFOUND, "Session not found.")
		}
		return nil
	})
}

// DeleteSession removes a session, if it is there.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.update(ctx, "delete session", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// DeleteUserSessions removes every session of a user and returns their ids.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) ([]string, error) {
	ids := []string{}
	err := db.update(ctx, "delete user sessions", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM sessions WHERE user_id = ? RETURNING id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
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
	return db.update(ctx, "restrict staff", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_restrictions (staff_id, created_by, created_at) VALUES (?, ?, ?)
			ON CONFLICT (staff_id) DO NOTHING`, r.StaffID, r.By, micros(r.CreatedAt))
		return err
	})
}

// UnrestrictStaff ends a restriction; ENOTFOUND if there is none.
func (db *DB) UnrestrictStaff(ctx context.Context, staffID string) error {
	return db.update(ctx, "unrestrict staff", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM staff_restrictions WHERE staff_id = ?`, staffID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lantern.Errorf(lantern.ENOTFOUND, "No open case is recorded against this member of staff.")
		}
		return nil
	})
}

// StaffRestricted reports whether there is an open case against staffID.
func (db *DB) StaffRestricted(ctx context.Context, staffID string) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM staff_restrictions WHERE staff_id = ?`, staffID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, wrap("read staff restriction", err)
	}
	return true, nil
}

// FindRestrictions lists the restrictions, ordered by staff id.
func (db *DB) FindRestrictions(ctx context.Context) ([]*lantern.Restriction, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT staff_id, created_by, created_at FROM staff_restrictions ORDER BY staff_id`)
	if err != nil {
		return nil, wrap("find restrictions", err)
	}
	defer rows.Close()
	list := []*lantern.Restriction{}
	for rows.Next() {
		var r lantern.Restriction
		var at int64
		if err := rows.Scan(&r.StaffID, &r.By, &at); err != nil {
			return nil, wrap("find restrictions", err)
		}
		r.CreatedAt = fromMicros(at)
		list = append(list, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("find restrictions", err)
	}
	return list, nil
}
