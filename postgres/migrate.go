package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lantern"
)

// migrationFiles holds the schema migrations, named NNNN_description.sql and
// applied in order of NNNN. A released migration is never edited: a change is
// a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the first key of the advisory lock held while migrating;
// the second is a hash of the schema, so that stores in different schemas of
// one database migrate independently.
const migrationLock = 0x4c616e74 // "Lant"

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

// migrate applies, in order, each migration not yet recorded in the
// schema_migrations table of the connection's current schema, each in its own
// transaction together with its record. It holds an advisory lock on the
// schema throughout, so that two processes starting at once take turns and
// the second finds the work done. It returns ECONFLICT, changing nothing, if
// the database records a version newer than the newest in migrations.
func migrate(ctx context.Context, pool *pgxpool.Pool, migrations []migration, now func() time.Time) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	const key = `$1::integer, hashtext(coalesce(current_schema(), ''))`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`, migrationLock); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// A lock left behind by a failed unlock ends with the session; make
		// sure the session ends too.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`, migrationLock); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema versions: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("read schema versions: %w", err)
	}
	latest := migrations[len(migrations)-1].version
	if len(applied) > 0 && int(slices.Max(applied)) > latest {
		return lantern.Errorf(lantern.ECONFLICT,
			"The database has schema version %d but this build of Lantern knows versions up to %d only: run a newer Lantern.", slices.Max(applied), latest)
	}
	for _, m := range migrations {
		if slices.Contains(applied, int32(m.version)) {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}
