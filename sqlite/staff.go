package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lantern"
)

const staffColumns = `id, collar_number, name, category, role, rank, team, station, area, gender, start_date, left_date, updated_at`

// FindStaffByID returns one member of staff, or ENOTFOUND.
func (db *DB) FindStaffByID(ctx context.Context, id string) (*lantern.Staff, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id)
	s, err := scanStaff(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Member of staff not found.")
	} else if err != nil {
		return nil, wrap("find staff", err)
	}
	return s, nil
}

// FindStaff returns the staff matching filter ordered by ID, and the total
// number that match ignoring Offset and Limit. A negative Offset or Limit is
// EINVALID.
func (db *DB) FindStaff(ctx context.Context, filter lantern.StaffFilter) ([]*lantern.Staff, int, error) {
	var list []*lantern.Staff
	var n int
	err := db.view(ctx, "find staff", func(tx *sql.Tx) (err error) {
		list, n, err = findStaff(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// UpsertStaff validates and inserts or replaces staff records by ID in one
// transaction, and sets their UpdatedAt. It returns EINVALID and writes
// nothing if any is invalid; within a batch the last record with an ID wins.
func (db *DB) UpsertStaff(ctx context.Context, staff ...*lantern.Staff) error {
	for _, s := range staff {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	if len(staff) == 0 {
		return nil
	}
	now := db.timestamp()
	err := db.update(ctx, "upsert staff", func(tx *sql.Tx) error {
		return upsertStaff(ctx, tx, staff, now)
	})
	if err != nil {
		return err
	}
	for _, s := range staff {
		s.UpdatedAt = now
	}
	return nil
}

func findStaff(ctx context.Context, tx *sql.Tx, f lantern.StaffFilter) ([]*lantern.Staff, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = ?", *f.ID)
	}
	if f.Role != nil {
		c.add("role = ?", *f.Role)
	}
	if f.Team != nil {
		c.add("team = ?", *f.Team)
	}
	if f.Area != nil {
		c.add("area = ?", *f.Area)
	}
	n, err := count(ctx, tx, "staff", &c)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff`+c.where()+` ORDER BY id`+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Staff{}
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, s)
	}
	return list, n, rows.Err()
}

func upsertStaff(ctx context.Context, tx *sql.Tx, staff []*lantern.Staff, now time.Time) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO staff (`+staffColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			collar_number = excluded.collar_number, name = excluded.name,
			category = excluded.category, role = excluded.role, rank = excluded.rank,
			team = excluded.team, station = excluded.station, area = excluded.area,
			gender = excluded.gender, start_date = excluded.start_date,
			left_date = excluded.left_date, updated_at = excluded.updated_at`)
	if err != nil {
		return err
	}
	for _, s := range staff {
		_, err := stmt.ExecContext(ctx, s.ID, s.CollarNumber, s.Name, s.Category, s.Role, s.Rank,
			s.Team, s.Station, s.Area, s.Gender, micros(s.StartDate), nullMicros(s.LeftDate), micros(now))
		if err != nil {
			return err
		}
	}
	return nil
}

func scanStaff(row scanner) (*lantern.Staff, error) {
	var (
		s              lantern.Staff
		start, updated int64
		left           sql.NullInt64
	)
	err := row.Scan(&s.ID, &s.CollarNumber, &s.Name, &s.Category, &s.Role, &s.Rank,
		&s.Team, &s.Station, &s.Area, &s.Gender, &start, &left, &updated)
	if err != nil {
		return nil, err
	}
	s.StartDate, s.LeftDate, s.UpdatedAt = fromMicros(start), fromNullMicros(left), fromMicros(updated)
	return &s, nil
}
