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

const staffColumns = `id, collar_number, name, category, role, rank, team, station, area, gender, start_date, left_date, updated_at`

// FindStaffByID returns one member of staff, or ENOTFOUND.
func (db *DB) FindStaffByID(ctx context.Context, id string) (*lantern.Staff, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id)
	s, err := scanStaff(row)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.view(ctx, "find staff", func(tx pgx.Tx) (err error) {
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
	err := db.update(ctx, "upsert staff", func(tx pgx.Tx) error {
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

func findStaff(ctx context.Context, tx pgx.Tx, f lantern.StaffFilter) ([]*lantern.Staff, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = " + c.arg(*f.ID))
	}
	if f.Role != nil {
		c.add("role = " + c.arg(*f.Role))
	}
	if f.Team != nil {
		c.add("team = " + c.arg(*f.Team))
	}
	if f.Area != nil {
		c.add("area = " + c.arg(*f.Area))
	}
	n, err := count(ctx, tx, "staff", &c)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + staffColumns + ` FROM staff` + c.where() + ` ORDER BY id` + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Staff, error) { return scanStaff(row) })
	return list, n, err
}

func upsertStaff(ctx context.Context, tx pgx.Tx, staff []*lantern.Staff, now time.Time) error {
	// ID order, stable so that the last of a duplicated ID still wins.
	staff = slices.Clone(staff)
	slices.SortStableFunc(staff, func(a, b *lantern.Staff) int { return cmp.Compare(a.ID, b.ID) })
	b := &pgx.Batch{}
	for _, s := range staff {
		b.Queue(`INSERT INTO staff (`+staffColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (id) DO UPDATE SET
				collar_number = excluded.collar_number, name = excluded.name,
				category = excluded.category, role = excluded.role, rank = excluded.rank,
				team = excluded.team, station = excluded.station, area = excluded.area,
				gender = excluded.gender, start_date = excluded.start_date,
				left_date = excluded.left_date, updated_at = excluded.updated_at`,
			s.ID, s.CollarNumber, s.Name, s.Category, s.Role, s.Rank, s.Team, s.Station, s.Area, s.Gender,
			ts(s.StartDate), tsPtr(s.LeftDate), now)
	}
	return sendBatch(ctx, tx, b)
}

func scanStaff(row pgx.Row) (*lantern.Staff, error) {
	var s lantern.Staff
	err := row.Scan(&s.ID, &s.CollarNumber, &s.Name, &s.Category, &s.Role, &s.Rank,
		&s.Team, &s.Station, &s.Area, &s.Gender, &s.StartDate, &s.LeftDate, &s.UpdatedAt)
	if err != nil {
		return nil, err
	}
	s.StartDate, s.LeftDate, s.UpdatedAt = s.StartDate.UTC(), utcPtr(s.LeftDate), s.UpdatedAt.UTC()
	return &s, nil
}
