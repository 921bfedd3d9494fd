package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lantern"
)

const incidentColumns = `id, type, status, opened_at, closed_at, area, updated_at`

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
// UpdatedAt. A new incident's opening is recorded in the status history at
// OpenedAt, and its closing at ClosedAt if it is created closed; a closing is
// recorded at ClosedAt, and a reopening at the store's clock, since an Incident
// carries no reopening time. EINVALID writes nothing.
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
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, inc.ID).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO incidents (`+incidentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status,
			opened_at = excluded.opened_at, closed_at = excluded.closed_at,
			area = excluded.area, updated_at = excluded.updated_at`,
		inc.ID, inc.Type, inc.Status, micros(inc.OpenedAt), nullMicros(inc.ClosedAt), inc.Area, micros(now))
	if err != nil {
		return err
	}
	switch {
	case prev == "":
		if err := recordStatus(ctx, tx, inc.ID, lantern.StatusOpen, inc.OpenedAt); err != nil {
			return err
		}
		if inc.Status == lantern.StatusClosed {
			return recordStatus(ctx, tx, inc.ID, lantern.StatusClosed, *inc.ClosedAt)
		}
	case prev != inc.Status && inc.Status == lantern.StatusClosed:
		return recordStatus(ctx, tx, inc.ID, lantern.StatusClosed, *inc.ClosedAt)
	case prev != inc.Status:
		return recordStatus(ctx, tx, inc.ID, lantern.StatusOpen, now)
	}
	return nil
}

func scanIncident(row scanner) (*lantern.Incident, error) {
	var (
		inc             lantern.Incident
		opened, updated int64
		closed          sql.NullInt64
	)
	if err := row.Scan(&inc.ID, &inc.Type, &inc.Status, &opened, &closed, &inc.Area, &updated); err != nil {
		return nil, err
	}
	inc.OpenedAt, inc.ClosedAt, inc.UpdatedAt = fromMicros(opened), fromNullMicros(closed), fromMicros(updated)
	return &inc, nil
}
