package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"lantern"
)

// personColumns selects a person with their flags and phone hashes as JSON
// arrays, sorted, so that one query fills a page of people.
const personColumns = `p.id, p.gender, p.birth_year, p.area, p.updated_at,
	(SELECT json_group_array(flag ORDER BY flag) FROM person_flags WHERE person_id = p.id),
	(SELECT json_group_array(phone_hash ORDER BY phone_hash) FROM person_phone_hashes WHERE person_id = p.id)`

// FindPersonByID returns one person, or ENOTFOUND.
func (db *DB) FindPersonByID(ctx context.Context, id string) (*lantern.Person, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons p WHERE p.id = ?`, id)
	p, err := scanPerson(row)
	if errors.Is(err, sql.ErrNoRows) {
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
	err := db.view(ctx, "find persons", func(tx *sql.Tx) (err error) {
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
	err := db.update(ctx, "upsert persons", func(tx *sql.Tx) error {
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

func findPersons(ctx context.Context, tx *sql.Tx, f lantern.PersonFilter) ([]*lantern.Person, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.ID != nil {
		c.add("p.id = ?", *f.ID)
	}
	if f.Flag != nil {
		c.add("p.id IN (SELECT person_id FROM person_flags WHERE flag = ?)", *f.Flag)
	}
	if f.PhoneHash != nil {
		c.add("p.id IN (SELECT person_id FROM person_phone_hashes WHERE phone_hash = ?)", *f.PhoneHash)
	}
	n, err := count(ctx, tx, "persons p", &c)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM persons p`+c.where()+` ORDER BY p.id`+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Person{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, p)
	}
	return list, n, rows.Err()
}

func upsertPersons(ctx context.Context, tx *sql.Tx, persons []*lantern.Person, now time.Time) error {
	var stmts [5]*sql.Stmt
	for i, q := range []string{
		`INSERT INTO persons (id, gender, birth_year, area, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET gender = excluded.gender, birth_year = excluded.birth_year,
			area = excluded.area, updated_at = excluded.updated_at`,
		`DELETE FROM person_flags WHERE person_id = ?`,
		`INSERT INTO person_flags (person_id, flag) VALUES (?, ?)`,
		`DELETE FROM person_phone_hashes WHERE person_id = ?`,
		`INSERT INTO person_phone_hashes (person_id, phone_hash) VALUES (?, ?)`,
	} {
		var err error
		if stmts[i], err = tx.PrepareContext(ctx, q); err != nil {
			return err
		}
	}
	upsert, clearFlags, addFlag, clearHashes, addHash := stmts[0], stmts[1], stmts[2], stmts[3], stmts[4]
	for _, p := range persons {
		if _, err := upsert.ExecContext(ctx, p.ID, p.Gender, p.BirthYear, p.Area, micros(now)); err != nil {
			return err
		}
		if err := replaceSet(ctx, clearFlags, addFlag, p.ID, p.Flags); err != nil {
			return fmt.Errorf("flags: %w", err)
		}
		if err := replaceSet(ctx, clearHashes, addHash, p.ID, p.PhoneHashes); err != nil {
			return fmt.Errorf("phone hashes: %w", err)
		}
	}
	return nil
}

// replaceSet replaces a person's rows in a child table with values.
func replaceSet(ctx context.Context, clear, add *sql.Stmt, id string, values []string) error {
	if _, err := clear.ExecContext(ctx, id); err != nil {
		return err
	}
	for _, v := range values {
		if _, err := add.ExecContext(ctx, id, v); err != nil {
			return err
		}
	}
	return nil
}

func scanPerson(row scanner) (*lantern.Person, error) {
	var (
		p             lantern.Person
		updated       int64
		flags, hashes string
	)
	if err := row.Scan(&p.ID, &p.Gender, &p.BirthYear, &p.Area, &updated, &flags, &hashes); err != nil {
		return nil, err
	}
	p.UpdatedAt = fromMicros(updated)
	var err error
	if p.Flags, err = decodeSet(flags); err != nil {
		return nil, fmt.Errorf("person flags: %w", err)
	}
	if p.PhoneHashes, err = decodeSet(hashes); err != nil {
		return nil, fmt.Errorf("person phone hashes: %w", err)
	}
	return &p, nil
}

// decodeSet decodes a JSON array of strings, giving nil for an empty one.
func decodeSet(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}
