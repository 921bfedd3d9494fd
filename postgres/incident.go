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

const incidentColumns = `id, type, status, opened_at, closed_at, status_at, area, updated_at`

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
	// ID order, stable so that the last of a duplicated ID still wins.
	incidents = slices.Clone(incidents)
	slices.SortStableFunc(incidents, func(a, b *lantern.Incident) int { return cmp.Compare(a.ID, b.ID) })
	ids := make([]string, len(incidents))
	for i, inc := range incidents {
		ids[i] = inc.ID
	}
	states, err := lockIncidentStates(ctx, tx, ids)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, inc := range incidents {
		cur, known := states[inc.ID]
		next, changes := planStatus(cur, known, inc)
		states[inc.ID] = next
		b.Queue(`INSERT INTO incidents (`+incidentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status,
				opened_at = excluded.opened_at, closed_at = excluded.closed_at,
				status_at = excluded.status_at, area = excluded.area, updated_at = excluded.updated_at`,
			inc.ID, inc.Type, next.status, ts(inc.OpenedAt), next.closedAt, next.statusAt, inc.Area, now)
		for _, c := range changes {
			b.Queue(recordStatusSQL, c.IncidentID, c.Status, c.At)
		}
	}
	return sendBatch(ctx, tx, b)
}

// lockIncidentStates locks, in ID order, the incidents among ids that exist
// and returns what the store holds about their statuses.
func lockIncidentStates(ctx context.Context, tx pgx.Tx, ids []string) (map[string]incidentState, error) {
	rows, err := tx.Query(ctx, `SELECT id, status, status_at, closed_at,
			(SELECT max(at) FROM incident_status_changes WHERE incident_id = incidents.id)
		FROM incidents WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, err
	}
	states := map[string]incidentState{}
	var (
		id     string
		st     incidentState
		latest *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &st.status, &st.statusAt, &st.closedAt, &latest}, func() error {
		st.statusAt, st.closedAt = st.statusAt.UTC(), utcPtr(st.closedAt)
		st.latest = time.Time{}
		if latest != nil {
			st.latest = latest.UTC()
		}
		states[id] = st
		return nil
	})
	return states, err
}

func scanIncident(row pgx.Row) (*lantern.Incident, error) {
	var inc lantern.Incident
	if err := row.Scan(&inc.ID, &inc.Type, &inc.Status, &inc.OpenedAt, &inc.ClosedAt, &inc.StatusAt, &inc.Area, &inc.UpdatedAt); err != nil {
		return nil, err
	}
	inc.OpenedAt, inc.ClosedAt, inc.UpdatedAt = inc.OpenedAt.UTC(), utcPtr(inc.ClosedAt), inc.UpdatedAt.UTC()
	inc.StatusAt = inc.StatusAt.UTC()
	return &inc, nil
}
