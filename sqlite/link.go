package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
	return db.update(ctx, "add involvements", func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, incidents, persons, nil); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO involvements (incident_id, person_id, part, at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		for _, v := range involvements {
			if _, err := stmt.ExecContext(ctx, v.IncidentID, v.PersonID, v.Part, micros(v.At)); err != nil {
				return err
			}
		}
		return nil
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
	return db.update(ctx, "add assignments", func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, incidents, nil, staff); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO assignments (incident_id, staff_id, kind, at, until)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (incident_id, staff_id, kind, at) DO UPDATE SET until = excluded.until`)
		if err != nil {
			return err
		}
		for _, a := range assignments {
			if _, err := stmt.ExecContext(ctx, a.IncidentID, a.StaffID, a.Kind, micros(a.At), nullMicros(a.Until)); err != nil {
				return err
			}
		}
		return nil
	})
}

// mustExist returns ENOTFOUND unless every incident, person and member of
// staff named exists. The message names an incident, but not a person or a
// member of staff, whose identifiers are personal data.
func mustExist(ctx context.Context, tx *sql.Tx, incidents, persons, staff []string) error {
	id, err := missing(ctx, tx, "incidents", incidents)
	if err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "Incident %q not found.", id)
	}
	if id, err = missing(ctx, tx, "persons", persons); err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "A person named in the batch does not exist.")
	}
	if id, err = missing(ctx, tx, "staff", staff); err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "A member of staff named in the batch does not exist.")
	}
	return nil
}

func findInvolvements(ctx context.Context, tx *sql.Tx, incidentID string) ([]*lantern.Involvement, error) {
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, person_id, part, at FROM involvements
		WHERE incident_id = ? ORDER BY at, person_id, part`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("involvements: %w", err)
	}
	defer rows.Close()
	var list []*lantern.Involvement
	for rows.Next() {
		var v lantern.Involvement
		var at int64
		if err := rows.Scan(&v.IncidentID, &v.PersonID, &v.Part, &at); err != nil {
			return nil, err
		}
		v.At = fromMicros(at)
		list = append(list, &v)
	}
	return list, rows.Err()
}

func findAssignments(ctx context.Context, tx *sql.Tx, incidentID string) ([]*lantern.Assignment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT incident_id, staff_id, kind, at, until FROM assignments
		WHERE incident_id = ? ORDER BY at, staff_id, kind`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	defer rows.Close()
	var list []*lantern.Assignment
	for rows.Next() {
		var a lantern.Assignment
		var at int64
		var until sql.NullInt64
		if err := rows.Scan(&a.IncidentID, &a.StaffID, &a.Kind, &at, &until); err != nil {
			return nil, err
		}
		a.At, a.Until = fromMicros(at), fromNullMicros(until)
		list = append(list, &a)
	}
	return list, rows.Err()
}
