package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lantern"
)

const incidentColumns = `id, type, status, opened_at, closed_at, status_at, area, updated_at`

// FindIncidentByID returns one incident with its involvements, ordered by At,
// PersonID and Part, and its assignments, ordered by At, StaffID and Kind; or
// ENOTFOUND.
func (db *DB) FindIncidentByID(ctx context.Context, id string) (*lantern.Incident, error) {
	var inc *lantern.Incident
	err := db.view(ctx, "find incident", func(tx *sql.Tx) (err error) {
		if inc, err = findIncident(ctx, tx, id); err != nil {
			return err
		}
		if inc.Involvements, err = findInvolvements(ctx, tx, id); err != nil {
			return err
		}
		inc.Assignments, err = findAssignments(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return inc, nil
}

// FindIncidents returns incidents matching filter ordered by ID, without
// involvements or assignments, and the total number that match ignoring
// Offset and Limit. A negative Offset or Limit is EINVALID.
func (db *DB) FindIncidents(ctx context.Context, filter lantern.IncidentFilter) ([]*lantern.Incident, int, error) {
	var list []*lantern.Incident
	var n int
	err := db.view(ctx, "find incidents", func(tx *sql.Tx) (err error) {
		list, n, err = findIncidents(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// UpsertIncidents validates and inserts or replaces incidents by ID in one
// transaction, ignoring their Involvements and Assignments, and sets their
// UpdatedAt. The status history is written from the records alone, so that a
// replay gives the same history: a new incident's opening is recorded at
// OpenedAt, and its status at StatusAt when that is another change; for a
// known incident, a status or StatusAt other than the stored one is recorded
// at StatusAt. A record whose StatusAt is older than the latest change in the
// history replaces the other fields but keeps the current Status, ClosedAt and
// StatusAt. Upserting the stored record again adds nothing to the history.
// Within a batch the last record with an ID wins. EINVALID writes nothing.
func (db *DB) UpsertIncidents(ctx context.Context, incidents ...*lantern.Incident) error {
	for _, inc := range incidents {
		if err := inc.Validate(); err != nil {
			return err
		}
	}
	if len(incidents) == 0 {
		return nil
	}
	now := db.timestamp()
	err := db.update(ctx, "upsert incidents", func(tx *sql.Tx) error {
		for _, inc := range incidents {
			if err := upsertIncident(ctx, tx, inc, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, inc := range incidents {
		inc.UpdatedAt = now
	}
	return nil
}

func findIncident(ctx context.Context, tx *sql.Tx, id string) (*lantern.Incident, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id)
	inc, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Incident %q not found.", id)
	}
	return inc, err
}

func findIncidents(ctx context.Context, tx *sql.Tx, f lantern.IncidentFilter) ([]*lantern.Incident, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = ?", *f.ID)
	}
	if f.Type != nil {
		c.add("type = ?", *f.Type)
	}
	if f.Status != nil {
		c.add("status = ?", *f.Status)
	}
	if f.PersonID != nil {
		c.add("id IN (SELECT incident_id FROM involvements WHERE person_id = ?)", *f.PersonID)
	}
	if f.StaffID != nil {
		c.add("id IN (SELECT incident_id FROM assignments WHERE staff_id = ?)", *f.StaffID)
	}
	n, err := count(ctx, tx, "incidents", &c)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents`+c.where()+` ORDER BY id`+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Incident{}
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, inc)
	}
	return list, n, rows.Err()
}

// upsertIncident writes inc and records in the history how its status came to
// be what it is.
func upsertIncident(ctx context.Context, tx *sql.Tx, inc *lantern.Incident, now time.Time) error {
	cur, known, err := findIncidentState(ctx, tx, inc.ID)
	if err != nil {
		return err
	}
	next, changes := planStatus(cur, known, inc)
	_, err = tx.ExecContext(ctx, `INSERT INTO incidents (`+incidentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status,
			opened_at = excluded.opened_at, closed_at = excluded.closed_at,
			status_at = excluded.status_at, area = excluded.area, updated_at = excluded.updated_at`,
		inc.ID, inc.Type, next.status, micros(inc.OpenedAt), nullMicros(next.closedAt), micros(next.statusAt), inc.Area, micros(now))
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := recordStatus(ctx, tx, inc.ID, c.Status, c.At); err != nil {
			return err
		}
	}
	return nil
}

// findIncidentState returns what the store holds about an incident's status,
// and false if it holds nothing because the incident is new.
func findIncidentState(ctx context.Context, tx *sql.Tx, id string) (incidentState, bool, error) {
	var (
		st               incidentState
		statusAt         int64
		closedAt, latest sql.NullInt64
	)
	err := tx.QueryRowContext(ctx, `SELECT status, status_at, closed_at,
			(SELECT max(at) FROM incident_status_changes WHERE incident_id = incidents.id)
		FROM incidents WHERE id = ?`, id).Scan(&st.status, &statusAt, &closedAt, &latest)
	if errors.Is(err, sql.ErrNoRows) {
		return incidentState{}, false, nil
	} else if err != nil {
		return incidentState{}, false, err
	}
	st.statusAt, st.closedAt = fromMicros(statusAt), fromNullMicros(closedAt)
	if latest.Valid {
		st.latest = fromMicros(latest.Int64)
	}
	return st, true, nil
}

func scanIncident(row scanner) (*lantern.Incident, error) {
	var (
		inc                       lantern.Incident
		opened, statusAt, updated int64
		closed                    sql.NullInt64
	)
	if err := row.Scan(&inc.ID, &inc.Type, &inc.Status, &opened, &closed, &statusAt, &inc.Area, &updated); err != nil {
		return nil, err
	}
	inc.OpenedAt, inc.ClosedAt, inc.UpdatedAt = fromMicros(opened), fromNullMicros(closed), fromMicros(updated)
	inc.StatusAt = fromMicros(statusAt)
	return &inc, nil
}
