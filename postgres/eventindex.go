package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const indexColumns = `id, kind, time, staff_id, system, action, person_id, incident_id, fields, query,
	workstation, duration, purpose, purpose_reason, seq`

// SaveIndexedEvents validates events and stores them by ID in one
// transaction, replacing any stored with the same ID. EINVALID writes
// nothing.
func (db *DB) SaveIndexedEvents(ctx context.Context, events ...*lantern.IndexedEvent) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
		if e.Seq > math.MaxInt64 {
			return lantern.FieldErrorf("seq", "sequence %d is out of range", e.Seq)
		}
	}
	if len(events) == 0 {
		return nil
	}
	return db.update(ctx, "save indexed events", func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, e := range events {
			fields := e.Fields
			if fields == nil {
				fields = []string{}
			}
			b.Queue(`INSERT INTO event_index (`+indexColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
				ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, time = excluded.time,
					staff_id = excluded.staff_id, system = excluded.system, action = excluded.action,
					person_id = excluded.person_id, incident_id = excluded.incident_id,
					fields = excluded.fields, query = excluded.query, workstation = excluded.workstation,
					duration = excluded.duration, purpose = excluded.purpose,
					purpose_reason = excluded.purpose_reason, seq = excluded.seq`,
				e.ID, e.Kind, ts(e.Time), e.StaffID, e.System, e.Action, e.PersonID, e.IncidentID, fields,
				e.Query, e.Workstation, int64(e.Duration), e.Purpose, e.PurposeReason, int64(e.Seq))
		}
		return sendBatch(ctx, tx, b)
	})
}

// IndexedEvents returns the stored events among ids, ordered by time then
// ID. EINVALID for more than MaxIndexPage ids.
func (db *DB) IndexedEvents(ctx context.Context, ids ...string) ([]*lantern.IndexedEvent, error) {
	if len(ids) > lantern.MaxIndexPage {
		return nil, lantern.FieldErrorf("ids", "more than %d ids", lantern.MaxIndexPage)
	}
	out := []*lantern.IndexedEvent{}
	if len(ids) == 0 {
		return out, nil
	}
	err := db.view(ctx, "read indexed events", func(tx pgx.Tx) (err error) {
		out, err = queryIndexed(ctx, tx, `SELECT `+indexColumns+` FROM event_index WHERE id = ANY($1) ORDER BY time, id`, ids)
		return err
	})
	return out, err
}

// PersonAccesses returns the events about a person, newest first, and how
// many there are in all.
func (db *DB) PersonAccesses(ctx context.Context, personID string, page lantern.IndexPage) ([]*lantern.IndexedEvent, int, error) {
	page, err := page.Normalize()
	if err != nil {
		return nil, 0, err
	}
	var out []*lantern.IndexedEvent
	var n int
	err = db.view(ctx, "read person accesses", func(tx pgx.Tx) (err error) {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM event_index WHERE person_id = $1 AND person_id <> ''`, personID).Scan(&n); err != nil {
			return err
		}
		out, err = queryIndexed(ctx, tx, `SELECT `+indexColumns+` FROM event_index
			WHERE person_id = $1 AND person_id <> '' ORDER BY time DESC, id DESC LIMIT $2 OFFSET $3`,
			personID, page.Limit, page.Offset)
		return err
	})
	return out, n, err
}

// StaffEvents returns a member of staff's events with from <= Time < to,
// oldest first, at most limit.
func (db *DB) StaffEvents(ctx context.Context, staffID string, from, to time.Time, limit int) ([]*lantern.IndexedEvent, error) {
	if limit <= 0 || limit > lantern.MaxIndexPage {
		limit = lantern.MaxIndexPage
	}
	var out []*lantern.IndexedEvent
	err := db.view(ctx, "read staff events", func(tx pgx.Tx) (err error) {
		out, err = queryIndexed(ctx, tx, `SELECT `+indexColumns+` FROM event_index
			WHERE staff_id = $1 AND time >= $2 AND time < $3 ORDER BY time, id LIMIT $4`,
			staffID, ts(from), ts(to), limit)
		return err
	})
	return out, err
}

// IndexCounts returns, per kind, how many events have Time >= since and the
// latest event time, ordered by kind.
func (db *DB) IndexCounts(ctx context.Context, since time.Time) ([]lantern.IndexCount, error) {
	out := []lantern.IndexCount{}
	err := db.view(ctx, "count indexed events", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT kind, count(*), max(time) FROM event_index WHERE time >= $1 GROUP BY kind ORDER BY kind`, ts(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c lantern.IndexCount
			if err := rows.Scan(&c.Kind, &c.Events, &c.Latest); err != nil {
				return err
			}
			c.Latest = c.Latest.UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// PurgeIndexBefore deletes events with Time before t and returns how many.
func (db *DB) PurgeIndexBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.update(ctx, "purge event index", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM event_index WHERE time < $1`, ts(t))
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

func queryIndexed(ctx context.Context, tx pgx.Tx, q string, args ...any) ([]*lantern.IndexedEvent, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*lantern.IndexedEvent{}
	for rows.Next() {
		var e lantern.IndexedEvent
		var dur, seq int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Time, &e.StaffID, &e.System, &e.Action, &e.PersonID, &e.IncidentID,
			&e.Fields, &e.Query, &e.Workstation, &dur, &e.Purpose, &e.PurposeReason, &seq); err != nil {
			return nil, err
		}
		e.Time, e.Duration, e.Seq = e.Time.UTC(), time.Duration(dur), uint64(seq)
		if len(e.Fields) == 0 {
			e.Fields = nil
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
