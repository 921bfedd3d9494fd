package postgres

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const incidentColumns = `id, type, status, opened_at, closed_at, area, updated_at`

// FindIncidentByID returns one incident with its involvements, ordered by At,
// PersonID and Part, and its assignments, ordered by At, StaffID and Kind; or
// ENOTFOUND.
func (db *DB) FindIncidentByID(ctx context.Context, id string) (*lantern.Incident, error) {
	var inc *lantern.Incident
	err := db.view(ctx, "find incident", func(tx pgx.Tx) (err error) {
		if inc, err = findIncident(ctx, tx, id, false); err != nil {
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
	err := db.view(ctx, "find incidents", func(tx pgx.Tx) (err error) {
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
	err := db.update(ctx, "upsert incidents", func(tx pgx.Tx) error {
		return upsertIncidents(ctx, tx, incidents, now)
	})
	if err != nil {
		return err
	}
	for _, inc := range incidents {
		inc.UpdatedAt = now
	}
	return nil
}

// findIncident returns the incident, locked against concurrent change if
// forUpdate, or ENOTFOUND.
func findIncident(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (*lantern.Incident, error) {
	q := `SELECT ` + incidentColumns + ` FROM incidents WHERE id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	inc, err := scanIncident(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Incident %q not found.", id)
	}
	return inc, err
}

func findIncidents(ctx context.Context, tx pgx.Tx, f lantern.IncidentFilter) ([]*lantern.Incident, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = " + c.arg(*f.ID))
	}
	if f.Type != nil {
		c.add("type = " + c.arg(*f.Type))
	}
	if f.Status != nil {
		c.add("status = " + c.arg(*f.Status))
	}
	if f.PersonID != nil {
		c.add("id IN (SELECT incident_id FROM involvements WHERE person_id = " + c.arg(*f.PersonID) + ")")
	}
	if f.StaffID != nil {
		c.add("id IN (SELECT incident_id FROM assignments WHERE staff_id = " + c.arg(*f.StaffID) + ")")
	}
	n, err := count(ctx, tx, "incidents", &c)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents` + c.where() + ` ORDER BY id` + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Incident, error) { return scanIncident(row) })
	return list, n, err
}

// upsertIncidents writes incidents and records in the history how their
// statuses came to be what they are.
func upsertIncidents(ctx context.Context, tx pgx.Tx, incidents []*lantern.Incident, now time.Time) error {
	incidents = slices.Clone(incidents)
	slices.SortStableFunc(incidents, func(a, b *lantern.Incident) int { return cmp.Compare(a.ID, b.ID) })
	ids := make([]string, len(incidents))
	for i, inc := range incidents {
		ids[i] = inc.ID
	}
	rows, err := tx.Query(ctx, `SELECT id, status FROM incidents WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return err
	}
	status := map[string]string{}
	var id, st string
	_, err = pgx.ForEachRow(rows, []any{&id, &st}, func() error { status[id] = st; return nil })
	if err != nil {
		return err
	}

	b := &pgx.Batch{}
	for _, inc := range incidents {
		b.Queue(`INSERT INTO incidents (`+incidentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status,
				opened_at = excluded.opened_at, closed_at = excluded.closed_at,
				area = excluded.area, updated_at = excluded.updated_at`,
			inc.ID, inc.Type, inc.Status, ts(inc.OpenedAt), tsPtr(inc.ClosedAt), inc.Area, now)
		prev, known := status[inc.ID]
		switch {
		case !known:
			queueStatus(b, inc.ID, lantern.StatusOpen, inc.OpenedAt)
			if inc.Status == lantern.StatusClosed {
				queueStatus(b, inc.ID, lantern.StatusClosed, *inc.ClosedAt)
			}
		case prev != inc.Status && inc.Status == lantern.StatusClosed:
			queueStatus(b, inc.ID, lantern.StatusClosed, *inc.ClosedAt)
		case prev != inc.Status:
			queueStatus(b, inc.ID, lantern.StatusOpen, now)
		}
		status[inc.ID] = inc.Status
	}
	return sendBatch(ctx, tx, b)
}

func scanIncident(row pgx.Row) (*lantern.Incident, error) {
	var inc lantern.Incident
	if err := row.Scan(&inc.ID, &inc.Type, &inc.Status, &inc.OpenedAt, &inc.ClosedAt, &inc.Area, &inc.UpdatedAt); err != nil {
		return nil, err
	}
	inc.OpenedAt, inc.ClosedAt, inc.UpdatedAt = inc.OpenedAt.UTC(), utcPtr(inc.ClosedAt), inc.UpdatedAt.UTC()
	return &inc, nil
}
