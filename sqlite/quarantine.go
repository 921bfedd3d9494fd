package sqlite

import (
	"context"
	"database/sql"
	"time"

	"lantern"
)

const rejectionColumns = `id, source, kind, format, line, field, reason, raw, state, received_at, updated_at`

// AddRejections validates and stores rejected rows in one transaction,
// assigns their IDs in the order given, and sets their UpdatedAt from the
// store's clock. IDs ascend and are never reused. It returns EINVALID and
// writes nothing, assigning no IDs, if any row is invalid.
func (db *DB) AddRejections(ctx context.Context, rejections ...*lantern.Rejection) error {
	for _, r := range rejections {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	if len(rejections) == 0 {
		return nil
	}
	now := db.timestamp()
	ids := make([]int64, len(rejections))
	err := db.update(ctx, "add rejections", func(tx *sql.Tx) error {
		return addRejections(ctx, tx, rejections, ids, now)
	})
	if err != nil {
		return err
	}
	for i, r := range rejections {
		r.ID, r.UpdatedAt = ids[i], now
	}
	return nil
}

// FindRejections returns the rows matching filter ordered by ID, with Raw (nil
// when empty), and the total number that match ignoring Offset and Limit. A
// negative Offset or Limit is EINVALID.
func (db *DB) FindRejections(ctx context.Context, filter lantern.RejectionFilter) ([]*lantern.Rejection, int, error) {
	var list []*lantern.Rejection
	var n int
	err := db.view(ctx, "find rejections", func(tx *sql.Tx) (err error) {
		list, n, err = findRejections(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// SetRejectionState moves the rows with the given IDs to state and sets their
// UpdatedAt to at, in one transaction. It returns EINVALID for an unknown
// state or an implausible time, and ENOTFOUND, changing nothing, if any ID is
// unknown. No IDs is a no-op.
func (db *DB) SetRejectionState(ctx context.Context, state string, at time.Time, ids ...int64) error {
	if err := lantern.ValidateOneOf("state", state, lantern.RejectionOpen, lantern.RejectionRetried, lantern.RejectionResolved); err != nil {
		return err
	}
	if err := lantern.ValidateTime("at", at); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return db.update(ctx, "set rejection state", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE rejections SET state = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			res, err := stmt.ExecContext(ctx, state, micros(at), id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return lantern.Errorf(lantern.ENOTFOUND, "Quarantined row %d not found.", id)
			}
		}
		return nil
	})
}

// addRejections inserts rejections through one prepared statement, since a
// batch may hold thousands, and puts their IDs in ids.
func addRejections(ctx context.Context, tx *sql.Tx, rejections []*lantern.Rejection, ids []int64, now time.Time) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO rejections
		(source, kind, format, line, field, reason, raw, state, received_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i, r := range rejections {
		raw := r.Raw
		if raw == nil {
			raw = []byte{} // a BLOB, not NULL
		}
		res, err := stmt.ExecContext(ctx, r.Source, r.Kind, r.Format, r.Line, r.Field, r.Reason, raw,
			r.State, micros(r.ReceivedAt), micros(now))
		if err != nil {
			return err
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

func findRejections(ctx context.Context, tx *sql.Tx, f lantern.RejectionFilter) ([]*lantern.Rejection, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = ?", *f.ID)
	}
	if f.Source != nil {
		c.add("source = ?", *f.Source)
	}
	if f.Kind != nil {
		c.add("kind = ?", *f.Kind)
	}
	if f.State != nil {
		c.add("state = ?", *f.State)
	}
	n, err := count(ctx, tx, "rejections", &c)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+rejectionColumns+` FROM rejections`+c.where()+` ORDER BY id`+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Rejection{}
	for rows.Next() {
		r, err := scanRejection(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, r)
	}
	return list, n, rows.Err()
}

func scanRejection(row scanner) (*lantern.Rejection, error) {
	var (
		r                 lantern.Rejection
		received, updated int64
	)
	err := row.Scan(&r.ID, &r.Source, &r.Kind, &r.Format, &r.Line, &r.Field, &r.Reason, &r.Raw,
		&r.State, &received, &updated)
	if err != nil {
		return nil, err
	}
	if len(r.Raw) == 0 {
		r.Raw = nil
	}
	r.ReceivedAt, r.UpdatedAt = fromMicros(received), fromMicros(updated)
	return &r, nil
}
