package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"lantern"
)

const referralCols = `id, partner, submitted_by, concern, officer_name, collar_number, force, vehicle, description,
	victim_consent, safeguarding, status, status_by, status_at, feedback, submitted_at, updated_at`

func scanReferral(row interface{ Scan(...any) error }) (*lantern.Referral, error) {
	var r lantern.Referral
	var statusAt sql.NullInt64
	var submitted, updated int64
	o := &r.Officer
	err := row.Scan(&r.ID, &r.Partner, &r.SubmittedBy, &r.Concern, &o.Name, &o.CollarNumber, &o.Force, &o.Vehicle, &o.Description,
		&r.VictimConsent, &r.Safeguarding, &r.Status, &r.StatusBy, &statusAt, &r.Feedback, &submitted, &updated)
	if err != nil {
		return nil, err
	}
	r.StatusAt, r.SubmittedAt, r.UpdatedAt = fromNullMicros(statusAt), fromMicros(submitted), fromMicros(updated)
	return &r, nil
}

// CreateReferral stores a new referral and sets its ID.
func (db *DB) CreateReferral(ctx context.Context, r *lantern.Referral, files ...*lantern.ReferralAttachment) error {
	r.Status, r.StatusBy, r.StatusAt, r.Feedback = lantern.ReferralSubmitted, "", nil, ""
	if err := r.Validate(); err != nil {
		return err
	}
	if err := lantern.ValidateNewReferralFiles(files); err != nil {
		return err
	}
	now := db.timestamp()
	o := r.Officer
	err := db.update(ctx, "create referral", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO referrals (partner, submitted_by, concern, officer_name, collar_number, force,
			vehicle, description, victim_consent, safeguarding, status, submitted_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Partner, r.SubmittedBy, r.Concern, o.Name, o.CollarNumber, o.Force, o.Vehicle, o.Description,
			r.VictimConsent, r.Safeguarding, r.Status, micros(r.SubmittedAt), micros(now))
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, a := range files {
			a.ReferralID = r.ID
			if err := insertReferralAttachment(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		r.SubmittedAt, r.UpdatedAt = fromMicros(micros(r.SubmittedAt)), now
		for _, a := range files {
			a.At = fromMicros(micros(a.At))
		}
	}
	return err
}

// Referral returns one referral.
func (db *DB) Referral(ctx context.Context, id int64) (*lantern.Referral, error) {
	r, err := scanReferral(db.read.QueryRowContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
	} else if err != nil {
		return nil, wrap("read referral", err)
	}
	return r, nil
}

// FindReferrals lists referrals newest first.
func (db *DB) FindReferrals(ctx context.Context, f lantern.ReferralFilter) ([]*lantern.Referral, int, error) {
	var c conds
	if f.Partner != "" {
		c.add("partner = ?", f.Partner)
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	limit, largs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var list []*lantern.Referral
	var n int
	err = db.view(ctx, "find referrals", func(tx *sql.Tx) error {
		if n, err = count(ctx, tx, "referrals", &c); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+referralCols+` FROM referrals`+c.where()+
			` ORDER BY submitted_at DESC, id DESC`+limit, append(c.args, largs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReferral(rows)
			if err != nil {
				return err
			}
			list = append(list, r)
		}
		return rows.Err()
	})
	return list, n, err
}

// SetReferralStatus moves a referral along its state machine.
func (db *DB) SetReferralStatus(ctx context.Context, id int64, u lantern.ReferralStatusUpdate) (*lantern.Referral, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *lantern.Referral
	err := db.update(ctx, "set referral status", func(tx *sql.Tx) error {
		var from string
		err := tx.QueryRowContext(ctx, `SELECT status FROM referrals WHERE id = ?`, id).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
		} else if err != nil {
			return err
		}
		if !lantern.ReferralTransitionAllowed(from, u.Status) {
			return lantern.Errorf(lantern.ECONFLICT, "A referral cannot move from %s to %s.", from, u.Status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE referrals SET status = ?, status_by = ?, status_at = ?,
			feedback = CASE WHEN ? = '' THEN feedback ELSE ? END, updated_at = ? WHERE id = ?`,
			u.Status, u.By, micros(u.At), u.Feedback, u.Feedback, micros(db.timestamp()), id)
		if err != nil {
			return err
		}
		out, err = scanReferral(tx.QueryRowContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE id = ?`, id))
		return err
	})
	return out, err
}

// AddReferralMessage appends a message about a referral.
func (db *DB) AddReferralMessage(ctx context.Context, m *lantern.ReferralMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "add referral message", func(tx *sql.Tx) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM referrals WHERE id = ?)`, m.ReferralID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO referral_messages (referral_id, sender, by_user, at, body) VALUES (?, ?, ?, ?, ?)`,
			m.ReferralID, m.From, m.By, micros(m.At), m.Body)
		if err != nil {
			return err
		}
		m.ID, err = res.LastInsertId()
		return err
	})
}

// ReferralMessages returns a referral's messages in order.
func (db *DB) ReferralMessages(ctx context.Context, referralID int64) ([]*lantern.ReferralMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, referral_id, sender, by_user, at, body FROM referral_messages
		WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, wrap("read referral messages", err)
	}
	defer rows.Close()
	var list []*lantern.ReferralMessage
	for rows.Next() {
		var m lantern.ReferralMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.ReferralID, &m.From, &m.By, &at, &m.Body); err != nil {
			return nil, wrap("read referral messages", err)
		}
		m.At = fromMicros(at)
		list = append(list, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read referral messages", err)
	}
	return list, nil
}

const referralAttachmentCols = `id, referral_id, by_user, at, name, content_type, size, sha256,
	sanitised_type, sanitised_size, sanitised_sha256, not_sanitised`

func scanReferralAttachment(row interface{ Scan(...any) error }, extra ...any) (*lantern.ReferralAttachment, error) {
	var a lantern.ReferralAttachment
	var at int64
	err := row.Scan(append([]any{&a.ID, &a.ReferralID, &a.By, &at, &a.Name, &a.ContentType, &a.Size, &a.SHA256,
		&a.SanitisedType, &a.SanitisedSize, &a.SanitisedSHA256, &a.NotSanitised}, extra...)...)
	if err != nil {
		return nil, err
	}
	a.At = fromMicros(at)
	return &a, nil
}

// AddReferralAttachments stores files sent with referrals, all or none.
func (db *DB) AddReferralAttachments(ctx context.Context, files ...*lantern.ReferralAttachment) error {
	for _, a := range files {
		if err := a.Validate(); err != nil {
			return err
		}
	}
	err := db.update(ctx, "add referral attachments", func(tx *sql.Tx) error {
		for _, a := range files {
			var ok bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM referrals WHERE id = ?)`, a.ReferralID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
			}
			if err := insertReferralAttachment(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, a := range files {
			a.At = fromMicros(micros(a.At))
		}
	}
	return err
}

// insertReferralAttachment stores a within tx and sets its ID.
func insertReferralAttachment(ctx context.Context, tx *sql.Tx, a *lantern.ReferralAttachment) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO referral_attachments (referral_id, by_user, at, name, content_type, size, sha256,
		sanitised_type, sanitised_size, sanitised_sha256, not_sanitised, original, sanitised)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ReferralID, a.By, micros(a.At), a.Name, a.ContentType, a.Size, a.SHA256,
		a.SanitisedType, a.SanitisedSize, a.SanitisedSHA256, a.NotSanitised, a.Original, a.Sanitised)
	if err != nil {
		return err
	}
	a.ID, err = res.LastInsertId()
	return err
}

// ReferralAttachments lists a referral's files without their contents.
func (db *DB) ReferralAttachments(ctx context.Context, referralID int64) ([]*lantern.ReferralAttachment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+referralAttachmentCols+` FROM referral_attachments
		WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, wrap("read referral attachments", err)
	}
	defer rows.Close()
	var list []*lantern.ReferralAttachment
	for rows.Next() {
		a, err := scanReferralAttachment(rows)
		if err != nil {
			return nil, wrap("read referral attachments", err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read referral attachments", err)
	}
	return list, nil
}

// ReferralAttachment returns one file with its contents.
func (db *DB) ReferralAttachment(ctx context.Context, id int64) (*lantern.ReferralAttachment, error) {
	var original, sanitised []byte
	a, err := scanReferralAttachment(db.read.QueryRowContext(ctx, `SELECT `+referralAttachmentCols+`, original, sanitised
		FROM referral_attachments WHERE id = ?`, id), &original, &sanitised)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Attachment not found.")
	} else if err != nil {
		return nil, wrap("read referral attachment", err)
	}
	a.Original, a.Sanitised = original, sanitised
	return a, nil
}
