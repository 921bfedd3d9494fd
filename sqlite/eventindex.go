package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"lantern"
)

const indexColumns = `id, kind, time, staff_id, system, action, person_id, incident_id, fields, query,
	workstation, duration, purpose, purpose_reason, seq`

// SaveIndexedEvents validates events and stores them by ID in one
// transaction, replacing any stored with the same ID. EINVALID writes
// nothing.
func (db *DB) SaveIndexedEvents(ctx context.Context, events ...*lantern.IndexedEvent) error {
	fields := make([]string, len(events))
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
		if e.Seq > math.MaxInt64 {
			return lantern.FieldErrorf("seq", "sequence %d is out of range", e.Seq)
		}
		var err error
		if fields[i], err = encodeList(e.Fields); err != nil {
			return fmt.Errorf("save indexed events: %w", err)
		}
	}
	if len(events) == 0 {
		return nil
	}
	return db.update(ctx, "save indexed events", func(tx *sql.Tx) error {
		return saveIndexed(ctx, tx, events, fields)
	})
}

// indexRowsPerInsert is how many events one INSERT statement carries:
// fewer statements make a batch about twice as fast.
const indexRowsPerInsert = 64

func saveIndexed(ctx context.Context, tx *sql.Tx, events []*lantern.IndexedEvent, fields []string) error {
	var full *sql.Stmt // the statement for a whole chunk, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, 15*indexRowsPerInsert)
	for start := 0; start < len(events); start += indexRowsPerInsert {
		chunk := events[start:min(start+indexRowsPerInsert, len(events))]
		args = args[:0]
		for i, e := range chunk {
			args = append(args, e.ID, e.Kind, micros(e.Time), e.StaffID, e.System, e.Action,
				e.PersonID, e.IncidentID, fields[start+i], e.Query, e.Workstation, int64(e.Duration),
				e.Purpose, e.PurposeReason, int64(e.Seq))
		}
		q := `INSERT OR REPLACE INTO event_index (` + indexColumns + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
		if len(chunk) < indexRowsPerInsert {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
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
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT ` + indexColumns + ` FROM event_index WHERE id IN (?` + strings.Repeat(", ?", len(ids)-1) + `) ORDER BY time, id`
	err := db.view(ctx, "read indexed events", func(tx *sql.Tx) (err error) {
		out, err = queryIndexed(ctx, tx, q, args...)
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
	err = db.view(ctx, "read person accesses", func(tx *sql.Tx) (err error) {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_index WHERE person_id = ? AND person_id <> ''`, personID).Scan(&n); err != nil {
			return err
		}
		out, err = queryIndexed(ctx, tx, `SELECT `+indexColumns+` FROM event_index
			WHERE person_id = ? AND person_id <> '' ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`,
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
	err := db.view(ctx, "read staff events", func(tx *sql.Tx) (err error) {
		out, err = queryIndexed(ctx, tx, `SELECT `+indexColumns+` FROM event_index
			WHERE staff_id = ? AND time >= ? AND time < ? ORDER BY time, id LIMIT ?`,
			staffID, micros(from), micros(to), limit)
		return err
	})
	return out, err
}

// IndexCounts returns, per kind, how many events have Time >= since and the
// latest event time, ordered by kind.
func (db *DB) IndexCounts(ctx context.Context, since time.Time) ([]lantern.IndexCount, error) {
	out := []lantern.IndexCount{}
	err := db.view(ctx, "count indexed events", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT kind, count(*), max(time) FROM event_index WHERE time >= ? GROUP BY kind ORDER BY kind`, micros(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c lantern.IndexCount
			var latest int64
			if err := rows.Scan(&c.Kind, &c.Events, &latest); err != nil {
				return err
			}
			c.Latest = fromMicros(latest)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// PurgeIndexBefore deletes events with Time before t and returns how many.
func (db *DB) PurgeIndexBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.update(ctx, "purge event index", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM event_index WHERE time < ?`, micros(t))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func queryIndexed(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]*lantern.IndexedEvent, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*lantern.IndexedEvent{}
	for rows.Next() {
		var e lantern.IndexedEvent
		var at, dur, seq int64
		var fields string
		if err := rows.Scan(&e.ID, &e.Kind, &at, &e.StaffID, &e.System, &e.Action, &e.PersonID, &e.IncidentID,
			&fields, &e.Query, &e.Workstation, &dur, &e.Purpose, &e.PurposeReason, &seq); err != nil {
			return nil, err
		}
		e.Time, e.Duration, e.Seq = fromMicros(at), time.Duration(dur), uint64(seq)
		if fields != "[]" {
			if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
				return nil, fmt.Errorf("indexed event fields: %w", err)
			}
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
