package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"lantern"
)

// migrationFiles holds the schema migrations, named NNNN_description.sql and
// applied in order of NNNN. A released migration is never edited: a change is
// a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one versioned schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the *.sql files under migrations/ in fsys, sorted by
// version. It fails on a file whose name does not start with a positive
// version number and an underscore, and on two files with one version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive version number and '_'", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		list = append(list, migration{version: v, name: base, sql: string(body)})
	}
	slices.SortFunc(list, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(list); i++ {
		if list[i].version == list[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", list[i-1].name, list[i].name)
		}
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no migrations")
	}
	return list, nil
}

// migrate applies to db, in order, each migration not yet recorded in
// schema_migrations, each in its own transaction together with its record. It
// returns ECONFLICT, changing nothing, if the database records a version
// newer than the newest in migrations.
//
// db must be the write pool: its transactions begin IMMEDIATE, so two
// processes migrating one file at once take turns, and the second finds the
// work done.
func migrate(ctx context.Context, db *sql.DB, migrations []migration, now func() time.Time) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	latest := migrations[len(migrations)-1].version
	var current int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return lantern.Errorf(lantern.ECONFLICT,
			"The database has schema version %d but this build of Lantern knows versions up to %d only: run a newer Lantern.", current, latest)
	}
	for _, m := range migrations {
		if err := apply(ctx, db, m, now); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// apply runs m in a transaction unless it is already recorded.
func apply(ctx context.Context, db *sql.DB, m migration, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)", m.version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, micros(now()))
	if err != nil {
		return err
	}
	return tx.Commit()
}
