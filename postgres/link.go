package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// AddInvolvements records people's parts in incidents in one transaction.
// Recording the same (incident, person, part) again is a no-op: the first
// recording's At stands. It returns EINVALID, or ENOTFOUND if an incident or
// person does not exist, and then writes nothing.
func (db *DB) AddInvolvements(ctx context.Context, involvements ...*lantern.Involvement) error {
	incidents, persons := make([]string, len(involvements)), make([]string, len(involvements))
	for i, v := range involvements {
		if err := v.Validate(); err != nil {
			return err
		}
		incidents[i], persons[i] = v.IncidentID, v.PersonID
	}
	if len(involvements) == 0 {
		return nil
	}
	involvements = slices.Clone(involvements)
	slices.SortStableFunc(involvements, func(a, b *lantern.Involvement) int {
		return cmp.Or(cmp.Compare(a.IncidentID, b.IncidentID), cmp.Compare(a.PersonID, b.PersonID), cmp.Compare(a.Part, b.Part))
	})
	return db.update(ctx, "add involvements", func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, incidents, persons, nil); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, v := range involvements {
			b.Queue(`INSERT INTO involvements (incident_id, person_id, part, at) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, v.IncidentID, v.PersonID, v.Part, ts(v.At))
		}
		return sendBatch(ctx, tx, b)
	})
}

// AddAssignments records staff links to incidents in one transaction.
// Recording the same (incident, staff, kind, at) again replaces Until; within a
// batch the last wins. It returns EINVALID, or ENOTFOUND if an incident or
// member of staff does not exist, and then writes nothing.
func (db *DB) AddAssignments(ctx context.Context, assignments ...*lantern.Assignment) error {
	incidents, staff := make([]string, len(assignments)), make([]string, len(assignments))
	for i, a := range assignments {
		if err := a.Validate(); err != nil {
			return err
		}
		incidents[i], staff[i] = a.IncidentID, a.StaffID
	}
	if len(assignments) == 0 {
		return nil
	}
	assignments = slices.Clone(assignments)
	slices.SortStableFunc(assignments, func(a, b *lantern.Assignment) int {
		return cmp.Or(cmp.Compare(a.IncidentID, b.IncidentID), cmp.Compare(a.StaffID, b.StaffID),
			cmp.Compare(a.Kind, b.Kind), ts(a.At).Compare(ts(b.At)))
	})
	return db.update(ctx, "add assignments", func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, incidents, nil, staff); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, a := range assignments {
			b.Queue(`INSERT INTO assignments (incident_id, staff_id, kind, at, until) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (incident_id, staff_id, kind, at) DO UPDATE SET until = excluded.until`,
				a.IncidentID, a.StaffID, a.Kind, ts(a.At), tsPtr(a.Until))
		}
		return sendBatch(ctx, tx, b)
	})
}

func findInvolvements(ctx context.Context, tx pgx.Tx, incidentID string) ([]*lantern.Involvement, error) {
	rows, err := tx.Query(ctx, `SELECT incident_id, person_id, part, at FROM involvements
		WHERE incident_id = $1 ORDER BY at, person_id, part`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("involvements: %w", err)
	}
	var list []*lantern.Involvement
	var v lantern.Involvement
	_, err = pgx.ForEachRow(rows, []any{&v.IncidentID, &v.PersonID, &v.Part, &v.At}, func() error {
		c := v
		c.At = c.At.UTC()
		list = append(list, &c)
		return nil
	})
	return list, err
}

func findAssignments(ctx context.Context, tx pgx.Tx, incidentID string) ([]*lantern.Assignment, error) {
	rows, err := tx.Query(ctx, `SELECT incident_id, staff_id, kind, at, until FROM assignments
		WHERE incident_id = $1 ORDER BY at, staff_id, kind`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	var list []*lantern.Assignment
	var a lantern.Assignment
	var until *time.Time
	_, err = pgx.ForEachRow(rows, []any{&a.IncidentID, &a.StaffID, &a.Kind, &a.At, &until}, func() error {
		c := a
		c.At, c.Until = c.At.UTC(), utcPtr(until)
		list = append(list, &c)
		return nil
	})
	return list, err
}
