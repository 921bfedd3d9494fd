package sqlite

import (
	"context"
	"database/sql"
	"time"

	"lantern"
)

// FindShifts returns roster entries matching filter ordered by staff, start
// and kind, and the total number that match ignoring Offset and Limit. A shift
// matches From and To when it overlaps [From, To). A negative Offset or Limit
// is EINVALID.
func (db *DB) FindShifts(ctx context.Context, filter lantern.ShiftFilter) ([]*lantern.Shift, int, error) {
	var list []*lantern.Shift
	var n int
	err := db.view(ctx, "find shifts", func(tx *sql.Tx) (err error) {
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
	return db.update(ctx, "add shifts", func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, nil, nil, staff); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO shifts (staff_id, kind, start_at, end_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (staff_id, kind, start_at) DO UPDATE SET end_at = excluded.end_at`)
		if err != nil {
			return err
		}
		for _, s := range shifts {
			if _, err := stmt.ExecContext(ctx, s.StaffID, s.Kind, micros(s.Start), micros(s.End)); err != nil {
				return err
			}
		}
		return nil
	})
}

// OnDuty reports whether the member of staff was working at t: a duty,
// training or court entry covers t and no leave or sickness entry does. A
// member of staff the store does not know is not on duty.
func (db *DB) OnDuty(ctx context.Context, staffID string, t time.Time) (bool, error) {
	var on bool
	err := db.read.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM shifts WHERE staff_id = ?1 AND kind IN (?3, ?4, ?5)
			AND start_at <= ?2 AND end_at > ?2)
		AND NOT EXISTS (SELECT 1 FROM shifts WHERE staff_id = ?1 AND kind IN (?6, ?7)
			AND start_at <= ?2 AND end_at > ?2)`, staffID, micros(t),
		lantern.ShiftDuty, lantern.ShiftTraining, lantern.ShiftCourt, lantern.ShiftLeave, lantern.ShiftSick).Scan(&on)
	if err != nil {
		return false, wrap("on duty", err)
	}
	return on, nil
}

func findShifts(ctx context.Context, tx *sql.Tx, f lantern.ShiftFilter) ([]*lantern.Shift, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.StaffID != nil {
		c.add("staff_id = ?", *f.StaffID)
	}
	if !f.From.IsZero() {
		c.add("end_at > ?", micros(f.From))
	}
	if !f.To.IsZero() {
		c.add("start_at < ?", micros(f.To))
	}
	n, err := count(ctx, tx, "shifts", &c)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT staff_id, kind, start_at, end_at FROM shifts`+c.where()+
		` ORDER BY staff_id, start_at, kind`+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Shift{}
	for rows.Next() {
		var s lantern.Shift
		var start, end int64
		if err := rows.Scan(&s.StaffID, &s.Kind, &start, &end); err != nil {
			return nil, 0, err
		}
		s.Start, s.End = fromMicros(start), fromMicros(end)
		list = append(list, &s)
	}
	return list, n, rows.Err()
}
