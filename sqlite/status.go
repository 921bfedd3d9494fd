package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lantern"
)

// SetIncidentStatus records change in the incident's status history and, unless
// it is older than the latest change already recorded, applies it: the
// incident takes the new status with StatusAt at change.At, and ClosedAt at
// change.At for a closing or none for a reopening. A change to the status the
// incident already has alters nothing. A change recorded twice is kept once,
// as the later recording. It returns EINVALID for an invalid change or one
// dated before the incident opened, and ENOTFOUND if the incident is unknown.
func (db *DB) SetIncidentStatus(ctx context.Context, change *lantern.StatusChange) error {
	if err := change.Validate(); err != nil {
		return err
	}
	now := db.timestamp()
	return db.update(ctx, "set incident status", func(tx *sql.Tx) error {
		return setIncidentStatus(ctx, tx, change, now)
	})
}

// IncidentOpenAt reports whether the incident was open at t according to its
// status history: the latest change at or before t decides, and of changes at
// one instant the one recorded last. It returns ENOTFOUND if the incident is
// unknown.
func (db *DB) IncidentOpenAt(ctx context.Context, incidentID string, t time.Time) (bool, error) {
	var open bool
	err := db.view(ctx, "incident open at", func(tx *sql.Tx) error {
		if _, err := findIncident(ctx, tx, incidentID); err != nil {
			return err
		}
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM incident_status_changes
			WHERE incident_id = ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT 1`,
			incidentID, micros(t)).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		open = status == lantern.StatusOpen
		return err
	})
	return open, err
}

func setIncidentStatus(ctx context.Context, tx *sql.Tx, c *lantern.StatusChange, now time.Time) error {
	inc, err := findIncident(ctx, tx, c.IncidentID)
	if err != nil {
		return err
	}
	if c.At.Before(inc.OpenedAt) {
		return lantern.FieldErrorf("at", "at is before the incident opened")
	}
	var latest sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT max(at) FROM incident_status_changes WHERE incident_id = ?`, c.IncidentID).Scan(&latest)
	if err != nil {
		return err
	}
	if err := recordStatus(ctx, tx, c.IncidentID, c.Status, c.At); err != nil {
		return err
	}
	if latest.Valid && micros(c.At) < latest.Int64 || c.Status == inc.Status {
		return nil
	}
	var closedAt any
	if c.Status == lantern.StatusClosed {
		closedAt = micros(c.At)
	}
	_, err = tx.ExecContext(ctx, `UPDATE incidents SET status = ?, closed_at = ?, status_at = ?, updated_at = ? WHERE id = ?`,
		c.Status, closedAt, micros(c.At), micros(now), c.IncidentID)
	return err
}

// incidentState is what the store holds about an incident's status, with
// times as stored.
type incidentState struct {
	status   string
	statusAt time.Time
	closedAt *time.Time
	latest   time.Time // of the changes in the history; zero if there are none
}

// planStatus works out what upserting inc does to the status of an incident
// whose stored state is cur (known is false for a new incident): the state to
// store, and the changes to record in the history, in order. It reads no
// clock, so that replaying the same records gives the same history.
func planStatus(cur incidentState, known bool, inc *lantern.Incident) (incidentState, []lantern.StatusChange) {
	at := fromMicros(micros(inc.StatusAt))
	change := lantern.StatusChange{IncidentID: inc.ID, Status: inc.Status, At: at}
	next := incidentState{status: inc.Status, statusAt: at, closedAt: inc.ClosedAt, latest: at}
	if next.closedAt != nil {
		next.closedAt = &at // Validate made StatusAt equal ClosedAt
	}
	switch {
	case !known:
		opened := fromMicros(micros(inc.OpenedAt))
		changes := []lantern.StatusChange{{IncidentID: inc.ID, Status: lantern.StatusOpen, At: opened}}
		if inc.Status != lantern.StatusOpen || !at.Equal(opened) {
			changes = append(changes, change)
		}
		return next, changes
	case inc.Status == cur.status && at.Equal(cur.statusAt):
		return cur, nil
	case at.Before(cur.latest):
		// A late record: it belongs in the history, but a later change
		// decided the current status.
		return cur, []lantern.StatusChange{change}
	}
	return next, []lantern.StatusChange{change}
}

// recordStatus adds a change to an incident's status history. A change
// already there is replaced by a new recording, which takes the next seq and
// so wins among the changes at its instant, as the change just applied must.
func recordStatus(ctx context.Context, tx *sql.Tx, id, status string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO incident_status_changes (incident_id, status, at) VALUES (?, ?, ?)`,
		id, status, micros(at))
	return err
}
