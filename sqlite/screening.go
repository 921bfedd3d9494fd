package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lantern"
)

const screeningCols = `id, staff_id, checked_at, check_name, result, detail, reference, intel_id`

func scanScreening(row interface{ Scan(...any) error }) (*lantern.ScreeningResult, error) {
	var r lantern.ScreeningResult
	var at int64
	var intel sql.NullInt64
	if err := row.Scan(&r.ID, &r.StaffID, &at, &r.Check, &r.Result, &r.Detail, &r.Reference, &intel); err != nil {
		return nil, err
	}
	r.CheckedAt, r.IntelID = fromMicros(at), intel.Int64
	return &r, nil
}

// RecordScreeningResults stores the results not stored before and records
// each new finding as an intelligence item, with its audit entry, in the
// same transaction.
func (db *DB) RecordScreeningResults(ctx context.Context, seal lantern.IntelSeal, rs ...*lantern.ScreeningResult) ([]*lantern.IntelItem, error) {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	now := db.timestamp()
	var created []*lantern.IntelItem
	var from []*lantern.ScreeningResult
	err := db.update(ctx, "record screening results", func(tx *sql.Tx) error {
		created, from = created[:0], from[:0]
		ins, err := tx.PrepareContext(ctx, `INSERT INTO screening_results (id, staff_id, checked_at, check_name, result, detail, reference)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, r := range rs {
			res, err := ins.ExecContext(ctx, r.ID, r.StaffID, micros(r.CheckedAt), r.Check, r.Result, r.Detail, r.Reference)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 || !r.Finding() {
				continue
			}
			it, err := db.intelFromScreening(ctx, tx, seal, r, now)
			if err != nil {
				return err
			}
			created, from = append(created, it), append(from, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, it := range created {
		from[i].IntelID = it.ID
	}
	return created, nil
}

// intelFromScreening records the intelligence item of a new finding r, notes
// it on r's row and puts its creation on the audit trail, inside tx.
func (db *DB) intelFromScreening(ctx context.Context, tx *sql.Tx, seal lantern.IntelSeal, r *lantern.ScreeningResult, now time.Time) (*lantern.IntelItem, error) {
	it := r.IntelItem(now)
	if err := it.Validate(); err != nil {
		return nil, err
	}
	var summarySealed, sanitisedSealed []byte
	var keys []lantern.IntelKey
	if seal != nil {
		if err := seal(it); err != nil {
			return nil, err
		}
		if it.Sealed == nil {
			return nil, lantern.Errorf(lantern.EINTERNAL, "the intelligence seal left the item in clear")
		}
		summarySealed, sanitisedSealed, keys = it.Sealed.Summary, it.Sealed.Sanitised, it.Sealed.Keys
		if err := it.Validate(); err != nil {
			return nil, err
		}
		for i := range keys {
			if err := keys[i].Validate(); err != nil {
				return nil, err
			}
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO intel_items (source, source_ref, summary, sanitised, state, created_by, created_at, updated_at, summary_sealed, sanitised_sealed)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)`, it.Source, it.SourceRef, it.Summary, it.State, it.CreatedBy, micros(now), micros(now), summarySealed, sanitisedSealed)
	if err != nil {
		return nil, err
	}
	if it.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	for i := range keys {
		keys[i].ItemID = it.ID
	}
	if err := putIntelKeys(ctx, tx, keys); err != nil {
		return nil, err
	}
	it.UpdatedAt = now
	if _, err := tx.ExecContext(ctx, `UPDATE screening_results SET intel_id = ? WHERE id = ?`, it.ID, r.ID); err != nil {
		return nil, err
	}
	if _, err := appendAuditTx(ctx, tx, r.ScreeningAudit(it, now)); err != nil {
		return nil, err
	}
	return it, nil
}

// ScreeningResult returns one result.
func (db *DB) ScreeningResult(ctx context.Context, id string) (*lantern.ScreeningResult, error) {
	r, err := scanScreening(db.read.QueryRowContext(ctx, `SELECT `+screeningCols+` FROM screening_results WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Screening result not found.")
	} else if err != nil {
		return nil, wrap("read screening result", err)
	}
	return r, nil
}

// FindScreeningResults lists results, latest check first.
func (db *DB) FindScreeningResults(ctx context.Context, f lantern.ScreeningFilter) ([]*lantern.ScreeningResult, int, error) {
	var c conds
	if f.StaffID != "" {
		c.add("staff_id = ?", f.StaffID)
	}
	if f.Check != "" {
		c.add("check_name = ?", f.Check)
	}
	if f.Findings {
		c.add("result <> ?", lantern.ScreeningNoTrace)
	}
	if !f.Since.IsZero() {
		c.add("checked_at >= ?", micros(f.Since))
	}
	if !f.Until.IsZero() {
		c.add("checked_at < ?", micros(f.Until))
	}
	limit, largs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var list []*lantern.ScreeningResult
	var n int
	err = db.view(ctx, "find screening results", func(tx *sql.Tx) error {
		if n, err = count(ctx, tx, "screening_results", &c); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+screeningCols+` FROM screening_results`+c.where()+
			` ORDER BY checked_at DESC, id`+limit, append(c.args, largs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanScreening(rows)
			if err != nil {
				return err
			}
			list = append(list, r)
		}
		return rows.Err()
	})
	return list, n, err
}

// ScreeningCoverage counts results per check over a period.
func (db *DB) ScreeningCoverage(ctx context.Context, since, until time.Time) ([]lantern.ScreeningCoverage, error) {
	var c conds
	c.add("checked_at >= ?", micros(since))
	if !until.IsZero() {
		c.add("checked_at < ?", micros(until))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT check_name, count(*), count(DISTINCT staff_id),
		coalesce(sum(result <> 'no_trace'), 0), max(checked_at) FROM screening_results`+c.where()+` GROUP BY check_name`, c.args...)
	if err != nil {
		return nil, wrap("count screening coverage", err)
	}
	defer rows.Close()
	var out []lantern.ScreeningCoverage
	for rows.Next() {
		var cv lantern.ScreeningCoverage
		var last int64
		if err := rows.Scan(&cv.Check, &cv.Results, &cv.Staff, &cv.Findings, &last); err != nil {
			return nil, wrap("count screening coverage", err)
		}
		cv.Last = fromMicros(last)
		out = append(out, cv)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("count screening coverage", err)
	}
	lantern.SortScreeningCoverage(out)
	return out, nil
}
