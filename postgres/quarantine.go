package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const rejectionColumns = `id, source, kind, format, line, field, reason, raw, state, received_at, updated_at`

// rejectionCopyColumns are the columns AddRejections copies, in the order of
// rejectionColumns.
var rejectionCopyColumns = []string{"id", "source", "kind", "format", "line", "field", "reason", "raw", "state", "received_at", "updated_at"}

// AddRejections validates and stores rejected rows in one transaction,
// assigns their IDs in the order given, and sets their UpdatedAt from the
// store's clock. IDs ascend within a call and are never reused; a call that
// fails may leave a gap. It returns EINVALID and writes nothing, assigning no
// IDs, if any row is invalid.
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
	var ids []int64
	err := db.update(ctx, "add rejections", func(tx pgx.Tx) (err error) {
		ids, err = addRejections(ctx, tx, rejections, now)
		return err
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
	err := db.view(ctx, "find rejections", func(tx pgx.Tx) (err error) {
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
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	return db.update(ctx, "set rejection state", func(tx pgx.Tx) error {
		// Lock in ID order, so that overlapping calls cannot deadlock.
		rows, err := tx.Query(ctx, `SELECT id FROM rejections WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for i, id := range ids {
			if i >= len(found) || found[i] != id {
				return lantern.Errorf(lantern.ENOTFOUND, "Quarantined row %d not found.", id)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE rejections SET state = $1, updated_at = $2 WHERE id = ANY($3)`, state, ts(at), ids)
		return err
	})
}

// addRejections reserves a block of IDs and copies rejections in with them,
// since a batch may hold thousands of rows of up to tens of kilobytes.
func addRejections(ctx context.Context, tx pgx.Tx, rejections []*lantern.Rejection, now time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('rejections', 'id')) FROM generate_series(1, $1)`, len(rejections))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	src := pgx.CopyFromSlice(len(rejections), func(i int) ([]any, error) {
		r := rejections[i]
		raw := r.Raw
		if raw == nil {
			raw = []byte{} // bytea, not NULL
		}
		return []any{ids[i], r.Source, r.Kind, r.Format, int64(r.Line), r.Field, r.Reason, raw,
			r.State, ts(r.ReceivedAt), now}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"rejections"}, rejectionCopyColumns, src); err != nil {
		return nil, err
	}
	return ids, nil
}

func findRejections(ctx context.Context, tx pgx.Tx, f lantern.RejectionFilter) ([]*lantern.Rejection, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = " + c.arg(*f.ID))
	}
	if f.Source != nil {
		c.add("source = " + c.arg(*f.Source))
	}
	if f.Kind != nil {
		c.add("kind = " + c.arg(*f.Kind))
	}
	if f.State != nil {
		c.add("state = " + c.arg(*f.State))
	}
	n, err := count(ctx, tx, "rejections", &c)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + rejectionColumns + ` FROM rejections` + c.where() + ` ORDER BY id` + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Rejection, error) { return scanRejection(row) })
	return list, n, err
}

func scanRejection(row pgx.Row) (*lantern.Rejection, error) {
	var (
		r    lantern.Rejection
		line int64
	)
	err := row.Scan(&r.ID, &r.Source, &r.Kind, &r.Format, &line, &r.Field, &r.Reason, &r.Raw,
		&r.State, &r.ReceivedAt, &r.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if len(r.Raw) == 0 {
		r.Raw = nil
	}
	r.Line, r.ReceivedAt, r.UpdatedAt = int(line), r.ReceivedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}
