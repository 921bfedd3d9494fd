package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"lantern"
)

// defaultAuditPage is the number of entries AuditEntries returns when the
// query sets no limit.
const defaultAuditPage = 1000

// AppendAudit adds e to the end of the trail. Appends are serialised by the
// single write connection, so each reads the last entry and chains to it in
// the same transaction. EINVALID for an entry that fails Validate.
func (db *DB) AppendAudit(ctx context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return e, err
	}
	if e.Time.IsZero() {
		e.Time = db.timestamp()
	}
	if err := lantern.ValidateTime("time", e.Time); err != nil {
		return e, err
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	err := db.update(ctx, "append audit entry", func(tx *sql.Tx) error {
		var err error
		e, err = appendAuditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return e, err
	}
	return e, nil
}

// appendAuditTx chains e (valid, with its time set) to the last entry inside
// tx and inserts it.
func appendAuditTx(ctx context.Context, tx *sql.Tx, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	var last sql.NullInt64
	var prev sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	e.Seq = last.Int64 + 1
	e.PrevHash = lantern.AuditGenesis
	if prev.Valid {
		e.PrevHash = prev.String
	}
	e.Hash = lantern.AuditHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_trail (seq, at, user_id, role, action, object, outcome, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, micros(e.Time), e.UserID, string(e.Role), e.Action, e.Object, e.Outcome, e.Detail, e.PrevHash, e.Hash)
	return e, err
}

// AuditEntries returns entries matching q in Seq order, at most q.Limit (a
// default page when 0). EINVALID for a negative limit.
func (db *DB) AuditEntries(ctx context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	if q.Limit < 0 {
		return nil, lantern.FieldErrorf("limit", "limit cannot be negative")
	}
	if q.Limit == 0 {
		q.Limit = defaultAuditPage
	}
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	add("seq > ?", q.AfterSeq)
	if q.UserID != "" {
		add("user_id = ?", q.UserID)
	}
	if q.Action != "" {
		add("action = ?", q.Action)
	}
	if q.Object != "" {
		add("object = ?", q.Object)
	}
	if !q.Since.IsZero() {
		add("at >= ?", micros(q.Since))
	}
	if !q.Until.IsZero() {
		add("at < ?", micros(q.Until))
	}
	args = append(args, q.Limit)
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, user_id, role, action, object, outcome, detail, prev_hash, hash
		FROM audit_trail WHERE `+strings.Join(where, " AND ")+` ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, wrap("read audit trail", err)
	}
	defer rows.Close()
	list := []lantern.AuditEntry{}
	for rows.Next() {
		var e lantern.AuditEntry
		var at int64
		var role string
		if err := rows.Scan(&e.Seq, &at, &e.UserID, &role, &e.Action, &e.Object, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, wrap("read audit trail", err)
		}
		e.Time, e.Role = fromMicros(at), lantern.UserRole(role)
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read audit trail", err)
	}
	return list, nil
}
