package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// recordStatusSQL adds a change to an incident's status history. A change
// already there takes a new seq, which makes it the last recorded at its
// instant and so the one that wins there, as the change just applied must.
const recordStatusSQL = `INSERT INTO incident_status_changes (incident_id, status, at) VALUES ($1, $2, $3)
	ON CONFLICT (incident_id, at, status) DO UPDATE SET seq = DEFAULT`

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
	return db.update(ctx, "set incident status", func(tx pgx.Tx) error {
		return setIncidentStatus(ctx, tx, change, now)
	})
}

// IncidentOpenAt reports whether the incident was open at t according to its
// status history: the latest change at or before t decides, and of changes at
// one instant the one recorded last. It returns ENOTFOUND if the incident is
// unknown.
func (db *DB) IncidentOpenAt(ctx context.Context, incidentID string, t time.Time) (bool, error) {
	var status *string
	err := db.pool.QueryRow(ctx, `SELECT (SELECT status FROM incident_status_changes
			WHERE incident_id = $1 AND at <= $2 ORDER BY at DESC, seq DESC LIMIT 1)
		FROM incidents WHERE id = $1`, incidentID, ts(t)).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, lantern.Errorf(lantern.ENOTFOUND, "Incident %q not found.", incidentID)
	} else if err != nil {
		return false, wrap("incident open at", err)
	}
	return status != nil && *status == lantern.StatusOpen, nil
}

func setIncidentStatus(ctx context.Context, tx pgx.Tx, c *lantern.StatusChange, now time.Time) error {
	// The row lock orders concurrent changes to one incident.
	inc, err := findIncident(ctx, tx, c.IncidentID, true)
	if err != nil {
		return err
	}
	at := ts(c.At)
	if at.Before(inc.OpenedAt) {
		return lantern.FieldErrorf("at", "at is before the incident opened")
	}
	var latest *time.Time
	if err := tx.QueryRow(ctx, `SELECT max(at) FROM incident_status_changes WHERE incident_id = $1`, c.IncidentID).Scan(&latest); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, recordStatusSQL, c.IncidentID, c.Status, at); err != nil {
		return err
	}
	if latest != nil && at.Before(*latest) || c.Status == inc.Status {
		return nil
	}
	var closedAt *time.Time
	if c.Status == lantern.StatusClosed {
		closedAt = &at
	}
	_, err = tx.Exec(ctx, `UPDATE incidents SET status = $1, closed_at = $2, status_at = $3, updated_at = $4 WHERE id = $5`,
		c.Status, closedAt, at, now, c.IncidentID)
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
	at := ts(inc.StatusAt)
	change := lantern.StatusChange{IncidentID: inc.ID, Status: inc.Status, At: at}
	next := incidentState{status: inc.Status, statusAt: at, closedAt: inc.ClosedAt, latest: at}
	if next.closedAt != nil {
		next.closedAt = &at // Validate made StatusAt equal ClosedAt
	}
	switch {
	case !known:
		opened := ts(inc.OpenedAt)
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
