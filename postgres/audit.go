package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// defaultAuditPage is the number of entries AuditEntries returns when the
// query sets no limit.
const defaultAuditPage = 1000

// AppendAudit adds e to the end of the trail. An exclusive lock on the
// table, held until commit, serialises appends from every process sharing
// the database while leaving the trail readable. EINVALID for an entry that
// fails Validate.
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
	e.Time = ts(e.Time)
	err := db.update(ctx, "append audit entry", func(tx pgx.Tx) error {
		var err error
		e, err = appendAuditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return e, err
	}
	return e, nil
}

// appendAuditTx locks the trail, chains e (valid, with its time set) to the
// last entry inside tx and inserts it.
func appendAuditTx(ctx context.Context, tx pgx.Tx, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	if _, err := tx.Exec(ctx, `LOCK TABLE audit_trail IN EXCLUSIVE MODE`); err != nil {
		return e, err
	}
	var last int64
	prev := lantern.AuditGenesis
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return e, err
	}
	e.Seq, e.PrevHash = last+1, prev
	e.Hash = lantern.AuditHash(e)
	_, err = tx.Exec(ctx, `INSERT INTO audit_trail (seq, at, user_id, role, action, object, outcome, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.Seq, e.Time, e.UserID, string(e.Role), e.Action, e.Object, e.Outcome, e.Detail, e.PrevHash, e.Hash)
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
	args := []any{q.AfterSeq}
	where := []string{"seq > $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.UserID != "" {
		add("user_id = $%d", q.UserID)
	}
	if q.Action != "" {
		add("action = $%d", q.Action)
	}
	if q.Object != "" {
		add("object = $%d", q.Object)
	}
	if !q.Since.IsZero() {
		add("at >= $%d", ts(q.Since))
	}
	if !q.Until.IsZero() {
		add("at < $%d", ts(q.Until))
	}
	args = append(args, q.Limit)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`SELECT seq, at, user_id, role, action, object, outcome, detail, prev_hash, hash
		FROM audit_trail WHERE %s ORDER BY seq LIMIT $%d`, strings.Join(where, " AND "), len(args)), args...)
	if err != nil {
		return nil, wrap("read audit trail", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lantern.AuditEntry, error) {
		var e lantern.AuditEntry
		var role string
		var at time.Time
		err := row.Scan(&e.Seq, &at, &e.UserID, &role, &e.Action, &e.Object, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash)
		e.Time, e.Role = at.UTC(), lantern.UserRole(role)
		return e, err
	})
	if err != nil {
		return nil, wrap("read audit trail", err)
	}
	if list == nil {
		list = []lantern.AuditEntry{}
	}
	return list, nil
}
