package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const sourceColumns = `id, name, scope, token_hash, created_at, disabled_at`

// CreateSource validates and stores a new API source and assigns its ID. It
// returns EINVALID, or ECONFLICT if the name or the token hash belongs to a
// source already stored, disabled or not.
func (db *DB) CreateSource(ctx context.Context, s *lantern.Source) error {
	if err := s.Validate(); err != nil {
		return err
	}
	var id int64
	err := db.update(ctx, "create source", func(tx pgx.Tx) (err error) {
		id, err = createSource(ctx, tx, s)
		return err
	})
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// FindSourceByTokenHash returns the enabled source with this token hash, or
// ENOTFOUND, also when the source is disabled.
func (db *DB) FindSourceByTokenHash(ctx context.Context, hash []byte) (*lantern.Source, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+sourceColumns+` FROM sources
		WHERE token_hash = $1 AND disabled_at IS NULL`, hash)
	s, err := scanSource(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Source not found.")
	} else if err != nil {
		return nil, wrap("find source", err)
	}
	return s, nil
}

// FindSources returns every source, disabled ones too, ordered by the byte
// order of their names.
func (db *DB) FindSources(ctx context.Context) ([]*lantern.Source, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, wrap("find sources", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Source, error) { return scanSource(row) })
	if err != nil {
		return nil, wrap("find sources", err)
	}
	return list, nil
}

// DisableSource disables the named source at the given time, so that its
// token is refused. Disabling a disabled source keeps the first time. It
// returns EINVALID for an implausible time and ENOTFOUND for an unknown name.
func (db *DB) DisableSource(ctx context.Context, name string, at time.Time) error {
	if err := lantern.ValidateTime("at", at); err != nil {
		return err
	}
	return db.update(ctx, "disable source", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sources SET disabled_at = coalesce(disabled_at, $1) WHERE name = $2`, ts(at), name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return lantern.Errorf(lantern.ENOTFOUND, "Source %q not found.", name)
		}
		return nil
	})
}

// createSource inserts s after checking that its name and token hash are
// free, so that a clash gets a message saying which. Two concurrent calls can
// both pass the check; the unique constraints then refuse the second, which
// wrap reports as ECONFLICT.
func createSource(ctx context.Context, tx pgx.Tx, s *lantern.Source) (int64, error) {
	var nameTaken, hashTaken bool
	err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM sources WHERE name = $1),
			EXISTS (SELECT 1 FROM sources WHERE token_hash = $2)`, s.Name, s.TokenHash).Scan(&nameTaken, &hashTaken)
	switch {
	case err != nil:
		return 0, err
	case nameTaken:
		return 0, lantern.Errorf(lantern.ECONFLICT, "Source %q already exists.", s.Name)
	case hashTaken:
		return 0, lantern.Errorf(lantern.ECONFLICT, "The token is already in use.")
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO sources (name, scope, token_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		s.Name, s.Scope, s.TokenHash, ts(s.CreatedAt), tsPtr(s.DisabledAt)).Scan(&id)
	return id, err
}

func scanSource(row pgx.Row) (*lantern.Source, error) {
	var s lantern.Source
	if err := row.Scan(&s.ID, &s.Name, &s.Scope, &s.TokenHash, &s.CreatedAt, &s.DisabledAt); err != nil {
		return nil, err
	}
	s.CreatedAt, s.DisabledAt = s.CreatedAt.UTC(), utcPtr(s.DisabledAt)
	return &s, nil
}
