// Package sqlite stores Lantern's reference data, the rows intake quarantined,
// the API sources and the alerts in a SQLite database file. It uses the pure-Go
// modernc.org/sqlite driver, so the binary builds with CGO_ENABLED=0, and
// implements lantern.Store with hand-written SQL.
//
// Times are stored as INTEGER microseconds since the Unix epoch in UTC, so
// they sort and compare as numbers and come back exactly as Go's
// time.UnixMicro gives them. Flags and phone hashes live in child tables keyed
// by person, indexed for the look-ups FindPersons makes.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"lantern"
)

// busyTimeout is how long a connection waits for a lock held by another
// process before failing. Within one process writers queue on the single
// write connection instead, so this only matters when two processes share a
// file (a migration running while the server starts, a backup tool).
const busyTimeout = 10 * time.Second

// DB is a SQLite database that implements lantern.Store.
//
// It keeps two pools on the same file. Writes go through a pool of exactly one
// connection whose transactions begin IMMEDIATE: SQLite admits one writer at a
// time, and queueing writers in Go rather than in SQLite is what keeps
// concurrent writers from failing with SQLITE_BUSY. Reads go through a pool of
// read-only connections, which WAL mode lets run alongside the writer.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB

	// now stamps UpdatedAt and the records of applied migrations.
	now func() time.Time

	closeOnce sync.Once
	closeErr  error
}

var _ lantern.Store = (*DB)(nil)

// Open opens the SQLite database file at path, creating it if it does not
// exist, and brings its schema up to date with the migrations embedded in this
// build. The directory must exist. Open refuses, with ECONFLICT, a database
// whose schema is newer than this build knows; it returns EINVALID for a path
// that is not a plain file name (empty, ":memory:", a URI or containing '?').
// Other errors name the path.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil, lantern.Errorf(lantern.EINVALID, "sqlite database path %q must be a file name", path)
	}
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, fmt.Errorf("load sqlite migrations: %w", err)
	}
	db := &DB{path: path, now: time.Now}

	db.write, err = openPool(ctx, path, false, 1)
	if err != nil {
		return nil, err
	}
	if err := checkWAL(ctx, db.write); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	if err := migrate(ctx, db.write, migrations, db.now); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("migrate sqlite database %s: %w", path, err)
	}
	db.read, err = openPool(ctx, path, true, max(4, runtime.NumCPU()))
	if err != nil {
		db.write.Close()
		return nil, err
	}
	return db, nil
}

// openPool opens a pool of at most conns connections to path and checks that
// one can be made.
func openPool(ctx context.Context, path string, readOnly bool, conns int) (*sql.DB, error) {
	pool, err := sql.Open("sqlite", dsn(path, readOnly))
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	return pool, nil
}

// dsn returns the driver's data source name for path. The pragmas are set on
// every new connection.
//
// synchronous=FULL makes every commit durable across a power cut, not just
// across a crash of the process: the cost is one fsync of the WAL per commit,
// which batched upserts amortise, and losing the last few minutes of status
// changes or assignments would weaken the audit trail this database holds.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// checkWAL fails if the database did not switch to WAL mode, which some file
// systems (network shares) do not support and without which readers and the
// writer block each other.
func checkWAL(ctx context.Context, pool *sql.DB) error {
	var mode string
	if err := pool.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not WAL: is the file on a local file system?", mode)
	}
	return nil
}

// Close closes the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.closeErr = errors.Join(db.read.Close(), db.write.Close())
	})
	return db.closeErr
}

// Ping reports whether the database can be read, with EUNAVAILABLE if not. It
// does not wait for the write connection, which a long import may hold.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if err != nil {
		return fmt.Errorf("ping sqlite: %w: %w", lantern.Errorf(lantern.EUNAVAILABLE, "The database is not available."), err)
	}
	return nil
}

// SetClock sets the clock the store reads to stamp UpdatedAt on the records
// it upserts or adds, so that a replay or a test can run on a clock of its
// own; nil restores time.Now. The status history never comes from the clock:
// the records date it. Call SetClock before the store is shared between
// goroutines: it must not race with other methods.
func (db *DB) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	db.now = now
}

// timestamp returns the store's clock reading as it will be stored.
func (db *DB) timestamp() time.Time {
	return db.now().UTC().Truncate(time.Microsecond)
}

// update runs fn in a write transaction and commits it if fn succeeds.
func (db *DB) update(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op+": begin", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(op+": commit", err)
	}
	return nil
}

// view runs fn in a read-only transaction, so that the queries it makes see
// one snapshot.
func (db *DB) view(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(op+": begin", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	return nil
}

// wrap adds op to err and, where the driver's error has a meaning in the
// domain, a Lantern code. Errors that already carry a code keep it.
func wrap(op string, err error) error {
	var le *lantern.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			// The explicit existence checks should have caught this first.
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.ENOTFOUND, "A referenced record does not exist."), err)
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.ECONFLICT, "The record conflicts with one already stored."), err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.EUNAVAILABLE, "The database is busy."), err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// micros converts t to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros converts an optional time to the stored form.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros converts a stored time back.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// fromNullMicros converts a stored optional time back.
func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
