package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const reportCols = `id, kind, status, status_reason, status_by, status_at, received_at, reporter_at, updated_at`

// scanReport reads reportCols and, with sealed, the sealed columns after them.
func scanReport(row interface{ Scan(...any) error }, sealed bool) (*lantern.ReportRecord, error) {
	var r lantern.ReportRecord
	var statusAt *time.Time
	var received, reporter, updated time.Time
	dest := []any{&r.ID, &r.Kind, &r.Status, &r.StatusReason, &r.StatusBy, &statusAt, &received, &reporter, &updated}
	if sealed {
		dest = append(dest, &r.Answers, &r.Identity, &r.ReceiptLookup, &r.ReceiptKey)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.StatusAt = utcPtr(statusAt)
	r.ReceivedAt, r.ReporterAt, r.UpdatedAt = received.UTC(), reporter.UTC(), updated.UTC()
	if len(r.Identity) == 0 {
		r.Identity = nil
	}
	return &r, nil
}

// CreateReport stores a new report and its wrapped keys in one transaction.
func (db *DB) CreateReport(ctx context.Context, r *lantern.ReportRecord, keys []lantern.ReportKey) error {
	r.Status = lantern.ReportReceived
	if err := r.Validate(); err != nil {
		return err
	}
	for i := range keys {
		if keys[i].ReportID != r.ID {
			return lantern.FieldErrorf("report_id", "a key belongs to another report")
		}
		if err := keys[i].Validate(); err != nil {
			return err
		}
	}
	now := db.timestamp()
	err := db.update(ctx, "create report", func(tx pgx.Tx) error {
		var identity any
		if len(r.Identity) > 0 {
			identity = r.Identity
		}
		_, err := tx.Exec(ctx, `INSERT INTO reports (id, kind, status, received_at, reporter_at, updated_at,
			answers, identity, receipt_lookup, receipt_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ID, r.Kind, r.Status, ts(r.ReceivedAt), ts(r.ReceivedAt), ts(now),
			r.Answers, identity, r.ReceiptLookup, r.ReceiptKey)
		if err != nil {
			return err
		}
		return putKeys(ctx, tx, keys)
	})
	if err != nil {
		return err
	}
	r.ReceivedAt = r.ReceivedAt.UTC().Truncate(time.Microsecond)
	r.ReporterAt, r.UpdatedAt = r.ReceivedAt, now
	return nil
}

func putKeys(ctx context.Context, tx pgx.Tx, keys []lantern.ReportKey) error {
	for _, k := range keys {
		_, err := tx.Exec(ctx, `INSERT INTO report_keys (report_id, recipient_id, purpose, wrapped, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id, recipient_id, purpose)
			DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at`,
			k.ReportID, k.RecipientID, k.Purpose, k.Wrapped, ts(k.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// Report returns one report with its sealed fields.
func (db *DB) Report(ctx context.Context, id string) (*lantern.ReportRecord, error) {
	return db.reportWhere(ctx, "id = $1", id)
}

// ReportByReceipt returns the report whose receipt hashes to lookup.
func (db *DB) ReportByReceipt(ctx context.Context, lookup []byte) (*lantern.ReportRecord, error) {
	return db.reportWhere(ctx, "receipt_lookup = $1", lookup)
}

func (db *DB) reportWhere(ctx context.Context, where string, arg any) (*lantern.ReportRecord, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+reportCols+`, answers, identity, receipt_lookup, receipt_key
		FROM reports WHERE `+where, arg)
	r, err := scanReport(row, true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Report not found.")
	} else if err != nil {
		return nil, wrap("read report", err)
	}
	return r, nil
}

// FindReports lists reports newest first, without sealed fields.
func (db *DB) FindReports(ctx context.Context, f lantern.ReportFilter) ([]*lantern.ReportRecord, int, error) {
	var c conds
	if f.Status != "" {
		c.add("status = " + c.arg(f.Status))
	}
	err := checkPage(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var list []*lantern.ReportRecord
	var n int
	err = db.view(ctx, "find reports", func(tx pgx.Tx) error {
		if n, err = count(ctx, tx, "reports", &c); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+reportCols+` FROM reports`+c.where()+
			` ORDER BY received_at DESC, id`+c.page(f.Offset, f.Limit), c.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows, false)
			if err != nil {
				return err
			}
			list = append(list, r)
		}
		return rows.Err()
	})
	return list, n, err
}

// SetReportStatus moves a report along the state machine.
func (db *DB) SetReportStatus(ctx context.Context, id string, u lantern.ReportStatusUpdate) (*lantern.ReportRecord, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *lantern.ReportRecord
	err := db.update(ctx, "set report status", func(tx pgx.Tx) error {
		var from string
		err := tx.QueryRow(ctx, `SELECT status FROM reports WHERE id = $1`, id).Scan(&from)
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Report not found.")
		} else if err != nil {
			return err
		}
		if !lantern.ReportTransitionAllowed(from, u.Status) {
			return lantern.Errorf(lantern.ECONFLICT, "A report cannot move from %s to %s.", from, u.Status)
		}
		_, err = tx.Exec(ctx, `UPDATE reports SET status = $1, status_reason = $2, status_by = $3, status_at = $4, updated_at = $5
			WHERE id = $6`, u.Status, u.Reason, u.By, ts(u.At), ts(db.timestamp()), id)
		if err != nil {
			return err
		}
		out, err = scanReport(tx.QueryRow(ctx, `SELECT `+reportCols+` FROM reports WHERE id = $1`, id), false)
		return err
	})
	return out, err
}

// reportExists returns ENOTFOUND unless the report exists.
func reportExists(ctx context.Context, tx pgx.Tx, id string) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reports WHERE id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return lantern.Errorf(lantern.ENOTFOUND, "Report not found.")
	}
	return nil
}

// AddReportMessage appends a message to a report's thread.
func (db *DB) AddReportMessage(ctx context.Context, m *lantern.ReportMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "add report message", func(tx pgx.Tx) error {
		if err := reportExists(ctx, tx, m.ReportID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO report_messages (report_id, sender, by_user, at, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			m.ReportID, m.From, m.By, ts(m.At), m.Body).Scan(&m.ID)
		if err != nil {
			return err
		}
		if m.From == lantern.FromReporter {
			_, err = tx.Exec(ctx, `UPDATE reports SET reporter_at = GREATEST(reporter_at, $1), updated_at = $2 WHERE id = $3`,
				ts(m.At), ts(db.timestamp()), m.ReportID)
		}
		return err
	})
}

// ReportMessages returns a report's thread in order.
func (db *DB) ReportMessages(ctx context.Context, reportID string) ([]*lantern.ReportMessage, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, report_id, sender, by_user, at, body FROM report_messages
		WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, wrap("read report messages", err)
	}
	defer rows.Close()
	var list []*lantern.ReportMessage
	for rows.Next() {
		var m lantern.ReportMessage
		var at time.Time
		if err := rows.Scan(&m.ID, &m.ReportID, &m.From, &m.By, &at, &m.Body); err != nil {
			return nil, wrap("read report messages", err)
		}
		m.At = at.UTC()
		list = append(list, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read report messages", err)
	}
	return list, nil
}

// AddAttachment stores an attachment.
func (db *DB) AddAttachment(ctx context.Context, a *lantern.Attachment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "add attachment", func(tx pgx.Tx) error {
		if err := reportExists(ctx, tx, a.ReportID); err != nil {
			return err
		}
		var san any
		if len(a.Sanitised) > 0 {
			san = a.Sanitised
		}
		_, err := tx.Exec(ctx, `INSERT INTO report_attachments (id, report_id, at, meta, original, sanitised)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.ReportID, ts(a.At), a.Meta, a.Original, san)
		return err
	})
}

// Attachments lists a report's attachments without their copies.
func (db *DB) Attachments(ctx context.Context, reportID string) ([]*lantern.Attachment, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, report_id, at, meta FROM report_attachments
		WHERE report_id = $1 ORDER BY at, id`, reportID)
	if err != nil {
		return nil, wrap("read attachments", err)
	}
	defer rows.Close()
	var list []*lantern.Attachment
	for rows.Next() {
		var a lantern.Attachment
		var at time.Time
		if err := rows.Scan(&a.ID, &a.ReportID, &at, &a.Meta); err != nil {
			return nil, wrap("read attachments", err)
		}
		a.At = at.UTC()
		list = append(list, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read attachments", err)
	}
	return list, nil
}

// Attachment returns one attachment with its copies.
func (db *DB) Attachment(ctx context.Context, id string) (*lantern.Attachment, error) {
	var a lantern.Attachment
	var at time.Time
	err := db.pool.QueryRow(ctx, `SELECT id, report_id, at, meta, original, sanitised FROM report_attachments
		WHERE id = $1`, id).Scan(&a.ID, &a.ReportID, &at, &a.Meta, &a.Original, &a.Sanitised)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Attachment not found.")
	} else if err != nil {
		return nil, wrap("read attachment", err)
	}
	a.At = at.UTC()
	if len(a.Sanitised) == 0 {
		a.Sanitised = nil
	}
	return &a, nil
}

// PutReportKeys stores wrapped keys, replacing any with the same key.
func (db *DB) PutReportKeys(ctx context.Context, keys []lantern.ReportKey) error {
	for i := range keys {
		if err := keys[i].Validate(); err != nil {
			return err
		}
	}
	return db.update(ctx, "put report keys", func(tx pgx.Tx) error {
		for _, k := range keys {
			if err := reportExists(ctx, tx, k.ReportID); err != nil {
				return err
			}
		}
		return putKeys(ctx, tx, keys)
	})
}

// ReportKey returns one wrapped key.
func (db *DB) ReportKey(ctx context.Context, reportID, recipientID, purpose string) (*lantern.ReportKey, error) {
	k := lantern.ReportKey{ReportID: reportID, RecipientID: recipientID, Purpose: purpose}
	var at time.Time
	err := db.pool.QueryRow(ctx, `SELECT wrapped, created_at FROM report_keys
		WHERE report_id = $1 AND recipient_id = $2 AND purpose = $3`, reportID, recipientID, purpose).Scan(&k.Wrapped, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No key for this report and recipient.")
	} else if err != nil {
		return nil, wrap("read report key", err)
	}
	k.CreatedAt = at.UTC()
	return &k, nil
}

// RecipientKeys returns every key wrapped for a recipient with a purpose.
func (db *DB) RecipientKeys(ctx context.Context, recipientID, purpose string) ([]lantern.ReportKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT report_id, wrapped, created_at FROM report_keys
		WHERE recipient_id = $1 AND purpose = $2 ORDER BY report_id`, recipientID, purpose)
	if err != nil {
		return nil, wrap("read recipient keys", err)
	}
	defer rows.Close()
	var list []lantern.ReportKey
	for rows.Next() {
		k := lantern.ReportKey{RecipientID: recipientID, Purpose: purpose}
		var at time.Time
		if err := rows.Scan(&k.ReportID, &k.Wrapped, &at); err != nil {
			return nil, wrap("read recipient keys", err)
		}
		k.CreatedAt = at.UTC()
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read recipient keys", err)
	}
	return list, nil
}

// PutKeyRecipient stores or replaces a key pair.
func (db *DB) PutKeyRecipient(ctx context.Context, r *lantern.KeyRecipient) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := db.timestamp()
	err := db.update(ctx, "put key recipient", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO key_recipients (user_id, role, public_key, wrapped_identity, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, public_key = excluded.public_key,
			wrapped_identity = excluded.wrapped_identity, created_at = excluded.created_at, updated_at = excluded.updated_at`,
			r.UserID, string(r.Role), r.PublicKey, r.WrappedIdentity, ts(r.CreatedAt), ts(now))
		return err
	})
	if err == nil {
		r.UpdatedAt = now
	}
	return err
}

const recipientCols = `user_id, role, public_key, wrapped_identity, created_at, updated_at`

func scanRecipient(row interface{ Scan(...any) error }) (*lantern.KeyRecipient, error) {
	var r lantern.KeyRecipient
	var created, updated time.Time
	if err := row.Scan(&r.UserID, &r.Role, &r.PublicKey, &r.WrappedIdentity, &created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = created.UTC(), updated.UTC()
	return &r, nil
}

// KeyRecipient returns one key pair.
func (db *DB) KeyRecipient(ctx context.Context, userID string) (*lantern.KeyRecipient, error) {
	r, err := scanRecipient(db.pool.QueryRow(ctx, `SELECT `+recipientCols+` FROM key_recipients WHERE user_id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "This user has no report key.")
	} else if err != nil {
		return nil, wrap("read key recipient", err)
	}
	return r, nil
}

// KeyRecipients returns every key pair by user id.
func (db *DB) KeyRecipients(ctx context.Context) ([]*lantern.KeyRecipient, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+recipientCols+` FROM key_recipients ORDER BY user_id`)
	if err != nil {
		return nil, wrap("read key recipients", err)
	}
	defer rows.Close()
	var list []*lantern.KeyRecipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, wrap("read key recipients", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read key recipients", err)
	}
	return list, nil
}

const disclosureCols = `id, report_id, requested_by, reason, requested_at, state, decided_by, decided_at, note`

func scanDisclosure(row interface{ Scan(...any) error }) (*lantern.DisclosureRequest, error) {
	var d lantern.DisclosureRequest
	var req time.Time
	var dec *time.Time
	if err := row.Scan(&d.ID, &d.ReportID, &d.RequestedBy, &d.Reason, &req, &d.State, &d.DecidedBy, &dec, &d.Note); err != nil {
		return nil, err
	}
	d.RequestedAt, d.DecidedAt = req.UTC(), utcPtr(dec)
	return &d, nil
}

// RequestDisclosure stores a new request for a confidential reporter's
// identity.
func (db *DB) RequestDisclosure(ctx context.Context, d *lantern.DisclosureRequest) error {
	d.State, d.DecidedBy, d.DecidedAt, d.Note = lantern.DisclosureRequested, "", nil, ""
	if err := d.Validate(); err != nil {
		return err
	}
	return db.update(ctx, "request disclosure", func(tx pgx.Tx) error {
		var kind string
		err := tx.QueryRow(ctx, `SELECT kind FROM reports WHERE id = $1`, d.ReportID).Scan(&kind)
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Report not found.")
		} else if err != nil {
			return err
		}
		if kind != lantern.ReportConfidential {
			return lantern.FieldErrorf("report_id", "An anonymous report has no identity to disclose.")
		}
		return tx.QueryRow(ctx, `INSERT INTO report_disclosures (report_id, requested_by, reason, requested_at, state)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, d.ReportID, d.RequestedBy, d.Reason, ts(d.RequestedAt), d.State).Scan(&d.ID)
	})
}

// DecideDisclosure approves or refuses a pending request.
func (db *DB) DecideDisclosure(ctx context.Context, id int64, u lantern.DisclosureDecision) (*lantern.DisclosureRequest, error) {
	var out *lantern.DisclosureRequest
	err := db.update(ctx, "decide disclosure", func(tx pgx.Tx) error {
		d, err := scanDisclosure(tx.QueryRow(ctx, `SELECT `+disclosureCols+` FROM report_disclosures WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Disclosure request not found.")
		} else if err != nil {
			return err
		}
		next, err := d.Decide(u)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE report_disclosures SET state = $1, decided_by = $2, decided_at = $3, note = $4 WHERE id = $5`,
			next.State, next.DecidedBy, tsPtr(next.DecidedAt), next.Note, id)
		out = next
		return err
	})
	return out, err
}

// DisclosureRequests returns a report's requests in order.
func (db *DB) DisclosureRequests(ctx context.Context, reportID string) ([]*lantern.DisclosureRequest, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+disclosureCols+` FROM report_disclosures WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, wrap("read disclosures", err)
	}
	defer rows.Close()
	var list []*lantern.DisclosureRequest
	for rows.Next() {
		d, err := scanDisclosure(rows)
		if err != nil {
			return nil, wrap("read disclosures", err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read disclosures", err)
	}
	return list, nil
}

// DisclosureRequest returns one request.
func (db *DB) DisclosureRequest(ctx context.Context, id int64) (*lantern.DisclosureRequest, error) {
	d, err := scanDisclosure(db.pool.QueryRow(ctx, `SELECT `+disclosureCols+` FROM report_disclosures WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Disclosure request not found.")
	} else if err != nil {
		return nil, wrap("read disclosure", err)
	}
	return d, nil
}

// DeleteKeyRecipient removes a key pair and every key wrapped for it.
func (db *DB) DeleteKeyRecipient(ctx context.Context, userID string) error {
	return db.update(ctx, "delete key recipient", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM report_keys WHERE recipient_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM intel_keys WHERE recipient_id = $1`, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM key_recipients WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return lantern.Errorf(lantern.ENOTFOUND, "This user has no report key.")
		}
		return nil
	})
}
