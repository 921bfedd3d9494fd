package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const screeningCols = `id, staff_id, checked_at, check_name, result, detail, reference, intel_id`

func scanScreening(row interface{ Scan(...any) error }) (*lantern.ScreeningResult, error) {
	var r lantern.ScreeningResult
	var at time.Time
	var intel *int64
	if err := row.Scan(&r.ID, &r.StaffID, &at, &r.Check, &r.Result, &r.Detail, &r.Reference, &intel); err != nil {
		return nil, err
	}
	r.CheckedAt = at.UTC()
	if intel != nil {
		r.IntelID = *intel
	}
	return &r, nil
}

// RecordScreeningResults stores the results not stored before and records
// each new finding as an intelligence item, with its audit entry, in the
// same transaction.
func (db *DB) RecordScreeningResults(ctx context.Context, seal lantern.IntelSeal, rs ...*lantern.ScreeningResult) ([]*lantern.IntelItem, error) {
	findings := false
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		findings = findings || r.Finding()
	}
	if len(rs) == 0 {
		return nil, nil
	}
	now := db.timestamp()
	var created []*lantern.IntelItem
	var from []*lantern.ScreeningResult
	err := db.update(ctx, "record screening results", func(tx pgx.Tx) error {
		created, from = created[:0], from[:0]
		if findings {
			// Taken first, so that concurrent batches queue here rather
			// than deadlock between the results' keys and the trail.
			if _, err := tx.Exec(ctx, `LOCK TABLE audit_trail IN EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		b := &pgx.Batch{}
		for _, r := range rs {
			b.Queue(`INSERT INTO screening_results (id, staff_id, checked_at, check_name, result, detail, reference)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
				r.ID, r.StaffID, ts(r.CheckedAt), r.Check, r.Result, r.Detail, r.Reference)
		}
		br := tx.SendBatch(ctx, b)
		inserted := make([]bool, len(rs))
		for i := range rs {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return err
			}
			inserted[i] = tag.RowsAffected() == 1
		}
		if err := br.Close(); err != nil {
			return err
		}
		for i, r := range rs {
			if !inserted[i] || !r.Finding() {
				continue
			}
			it, err := intelFromScreening(ctx, tx, seal, r, now)
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
func intelFromScreening(ctx context.Context, tx pgx.Tx, seal lantern.IntelSeal, r *lantern.ScreeningResult, now time.Time) (*lantern.IntelItem, error) {
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
	err := tx.QueryRow(ctx, `INSERT INTO intel_items (source, source_ref, summary, sanitised, state, created_by, created_at, updated_at, summary_sealed, sanitised_sealed)
		VALUES ($1, $2, $3, '', $4, $5, $6, $6, $7, $8) RETURNING id`, it.Source, it.SourceRef, it.Summary, it.State, it.CreatedBy, now, summarySealed, sanitisedSealed).Scan(&it.ID)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		keys[i].ItemID = it.ID
	}
	if err := putIntelKeys(ctx, tx, keys); err != nil {
		return nil, err
	}
	it.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE screening_results SET intel_id = $1 WHERE id = $2`, it.ID, r.ID); err != nil {
		return nil, err
	}
	if _, err := appendAuditTx(ctx, tx, r.ScreeningAudit(it, now)); err != nil {
		return nil, err
	}
	return it, nil
}

// ScreeningResult returns one result.
func (db *DB) ScreeningResult(ctx context.Context, id string) (*lantern.ScreeningResult, error) {
	r, err := scanScreening(db.pool.QueryRow(ctx, `SELECT `+screeningCols+` FROM screening_results WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Screening result not found.")
	} else if err != nil {
		return nil, wrap("read screening result", err)
	}
	return r, nil
}

// FindScreeningResults lists results, latest check first.
func (db *DB) FindScreeningResults(ctx context.Context, f lantern.ScreeningFilter) ([]*lantern.ScreeningResult, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.StaffID != "" {
		c.add("staff_id = " + c.arg(f.StaffID))
	}
	if f.Check != "" {
		c.add("check_name = " + c.arg(f.Check))
	}
	if f.Findings {
		c.add("result <> " + c.arg(lantern.ScreeningNoTrace))
	}
	if !f.Since.IsZero() {
		c.add("checked_at >= " + c.arg(ts(f.Since)))
	}
	if !f.Until.IsZero() {
		c.add("checked_at < " + c.arg(ts(f.Until)))
	}
	var list []*lantern.ScreeningResult
	var n int
	err := db.view(ctx, "find screening results", func(tx pgx.Tx) error {
		var err error
		if n, err = count(ctx, tx, "screening_results", &c); err != nil {
			return err
		}
		where := c.where()
		limit := c.page(f.Offset, f.Limit)
		rows, err := tx.Query(ctx, `SELECT `+screeningCols+` FROM screening_results`+where+` ORDER BY checked_at DESC, id`+limit, c.args...)
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
	c.add("checked_at >= " + c.arg(ts(since)))
	if !until.IsZero() {
		c.add("checked_at < " + c.arg(ts(until)))
	}
	rows, err := db.pool.Query(ctx, `SELECT check_name, count(*), count(DISTINCT staff_id),
		count(*) FILTER (WHERE result <> 'no_trace'), max(checked_at) FROM screening_results`+c.where()+` GROUP BY check_name`, c.args...)
	if err != nil {
		return nil, wrap("count screening coverage", err)
	}
	defer rows.Close()
	var out []lantern.ScreeningCoverage
	for rows.Next() {
		var cv lantern.ScreeningCoverage
		if err := rows.Scan(&cv.Check, &cv.Results, &cv.Staff, &cv.Findings, &cv.Last); err != nil {
			return nil, wrap("count screening coverage", err)
		}
		cv.Last = cv.Last.UTC()
		out = append(out, cv)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("count screening coverage", err)
	}
	lantern.SortScreeningCoverage(out)
	return out, nil
}
