package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// FindShifts returns roster entries matching filter ordered by staff, start
// and kind, and the total number that match ignoring Offset and Limit. A shift
// matches From and To when it overlaps [From, To). A negative Offset or Limit
// is EINVALID.
func (db *DB) FindShifts(ctx context.Context, filter lantern.ShiftFilter) ([]*lantern.Shift, int, error) {
	var list []*lantern.Shift
	var n int
	err := db.view(ctx, "find shifts", func(tx pgx.Tx) (err error) {
		list, n, err = findShifts(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// AddShifts records roster entries in one transaction; an entry with the same
// staff, kind and start replaces the earlier one, and within a batch the last
// wins. It returns EINVALID, or ENOTFOUND if a member of staff is unknown, and
// then writes nothing.
func (db *DB) AddShifts(ctx context.Context, shifts ...*lantern.Shift) error {
	staff := make([]string, len(shifts))
	for i, s := range shifts {
		if err := s.Validate(); err != nil {
			return err
		}
		staff[i] = s.StaffID
	}
	if len(shifts) == 0 {
		return nil
	}
	shifts = slices.Clone(shifts)
	slices.SortStableFunc(shifts, func(a, b *lantern.Shift) int {
		return cmp.Or(cmp.Compare(a.StaffID, b.StaffID), cmp.Compare(a.Kind, b.Kind), ts(a.Start).Compare(ts(b.Start)))
	})
	return db.update(ctx, "add shifts", func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, nil, nil, staff); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, s := range shifts {
			b.Queue(`INSERT INTO shifts (staff_id, kind, start_at, end_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (staff_id, kind, start_at) DO UPDATE SET end_at = excluded.end_at`,
				s.StaffID, s.Kind, ts(s.Start), ts(s.End))
		}
		return sendBatch(ctx, tx, b)
	})
}

// OnDuty reports whether the member of staff was working at t: a duty,
// training or court entry covers t and no leave or sickness entry does. A
// member of staff the store does not know is not on duty.
func (db *DB) OnDuty(ctx context.Context, staffID string, t time.Time) (bool, error) {
	var on bool
	err := db.pool.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM shifts WHERE staff_id = $1 AND kind = ANY($3)
			AND start_at <= $2 AND end_at > $2)
		AND NOT EXISTS (SELECT 1 FROM shifts WHERE staff_id = $1 AND kind = ANY($4)
			AND start_at <= $2 AND end_at > $2)`, staffID, ts(t),
		[]string{lantern.ShiftDuty, lantern.ShiftTraining, lantern.ShiftCourt},
		[]string{lantern.ShiftLeave, lantern.ShiftSick}).Scan(&on)
	if err != nil {
		return false, wrap("on duty", err)
	}
	return on, nil
}

func findShifts(ctx context.Context, tx pgx.Tx, f lantern.ShiftFilter) ([]*lantern.Shift, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.StaffID != nil {
		c.add("staff_id = " + c.arg(*f.StaffID))
	}
	if !f.From.IsZero() {
		c.add("end_at > " + c.arg(ts(f.From)))
	}
	if !f.To.IsZero() {
		c.add("start_at < " + c.arg(ts(f.To)))
	}
	n, err := count(ctx, tx, "shifts", &c)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT staff_id, kind, start_at, end_at FROM shifts` + c.where() + ` ORDER BY staff_id, start_at, kind` + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Shift, error) {
		var s lantern.Shift
		if err := row.Scan(&s.StaffID, &s.Kind, &s.Start, &s.End); err != nil {
			return nil, err
		}
		s.Start, s.End = s.Start.UTC(), s.End.UTC()
		return &s, nil
	})
	return list, n, err
}
