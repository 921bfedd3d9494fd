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

const personColumns = `id, gender, birth_year, area, flags, phone_hashes, updated_at`

// FindPersonByID returns one person, or ENOTFOUND.
func (db *DB) FindPersonByID(ctx context.Context, id string) (*lantern.Person, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id)
	p, err := scanPerson(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Person not found.")
	} else if err != nil {
		return nil, wrap("find person", err)
	}
	return p, nil
}

// FindPersons returns the people matching filter ordered by ID, and the total
// number that match ignoring Offset and Limit. A negative Offset or Limit is
// EINVALID.
func (db *DB) FindPersons(ctx context.Context, filter lantern.PersonFilter) ([]*lantern.Person, int, error) {
	var list []*lantern.Person
	var n int
	err := db.view(ctx, "find persons", func(tx pgx.Tx) (err error) {
		list, n, err = findPersons(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// UpsertPersons validates and inserts or replaces people by ID, flags and
// phone hashes included, in one transaction, and sets their UpdatedAt.
// EINVALID writes nothing; within a batch the last person with an ID wins.
func (db *DB) UpsertPersons(ctx context.Context, persons ...*lantern.Person) error {
	for _, p := range persons {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	if len(persons) == 0 {
		return nil
	}
	now := db.timestamp()
	err := db.update(ctx, "upsert persons", func(tx pgx.Tx) error {
		return upsertPersons(ctx, tx, persons, now)
	})
	if err != nil {
		return err
	}
	for _, p := range persons {
		p.UpdatedAt = now
	}
	return nil
}

func findPersons(ctx context.Context, tx pgx.Tx, f lantern.PersonFilter) ([]*lantern.Person, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("id = " + c.arg(*f.ID))
	}
	if f.Flag != nil {
		c.add("flags @> ARRAY[" + c.arg(*f.Flag) + "::text]")
	}
	if f.PhoneHash != nil {
		c.add("phone_hashes @> ARRAY[" + c.arg(*f.PhoneHash) + "::text]")
	}
	n, err := count(ctx, tx, "persons", &c)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + personColumns + ` FROM persons` + c.where() + ` ORDER BY id` + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Person, error) { return scanPerson(row) })
	return list, n, err
}

func upsertPersons(ctx context.Context, tx pgx.Tx, persons []*lantern.Person, now time.Time) error {
	persons = slices.Clone(persons)
	slices.SortStableFunc(persons, func(a, b *lantern.Person) int { return cmp.Compare(a.ID, b.ID) })
	b := &pgx.Batch{}
	for _, p := range persons {
		b.Queue(`INSERT INTO persons (`+personColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET gender = excluded.gender, birth_year = excluded.birth_year,
				area = excluded.area, flags = excluded.flags, phone_hashes = excluded.phone_hashes,
				updated_at = excluded.updated_at`,
			p.ID, p.Gender, p.BirthYear, p.Area, nonNil(p.Flags), nonNil(p.PhoneHashes), now)
	}
	return sendBatch(ctx, tx, b)
}

// nonNil returns s, or an empty slice for nil, which pgx would send as NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func scanPerson(row pgx.Row) (*lantern.Person, error) {
	var p lantern.Person
	if err := row.Scan(&p.ID, &p.Gender, &p.BirthYear, &p.Area, &p.Flags, &p.PhoneHashes, &p.UpdatedAt); err != nil {
		return nil, err
	}
	if len(p.Flags) == 0 {
		p.Flags = nil
	}
	if len(p.PhoneHashes) == 0 {
		p.PhoneHashes = nil
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return &p, nil
}
