// Package postgres stores Lantern's reference data, the rows intake
// quarantined, the API sources and the alerts in PostgreSQL through a pgx
// connection pool, and implements lantern.Store with hand-written SQL.
//
// Times are timestamptz, which keeps microseconds; the store truncates to the
// microsecond itself and answers in UTC. A person's flags and phone hashes are
// sorted text[] columns with GIN indexes, since a person is always read and
// written whole. Bulk upserts go to the server as one pgx.Batch per call,
// in ID order, so that concurrent batches lock rows in the same order and
// cannot deadlock; quarantined rows, thousands at a time, go in by COPY;
// alerts, on the detection hot path, go as one INSERT from arrays per call.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"lantern"
)

// connectTimeout bounds each attempt to connect, unless the URL sets
// connect_timeout, so that an unreachable server fails start-up quickly.
const connectTimeout = 5 * time.Second

// DB is a PostgreSQL database that implements lantern.Store.
type DB struct {
	pool *pgxpool.Pool

	// now stamps UpdatedAt and the records of applied migrations.
	now func() time.Time

	closeOnce sync.Once
}

var _ lantern.Store = (*DB)(nil)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// keyword/value string, as pgx accepts) and brings its schema, in the
// connection's search_path, up to date with the migrations embedded in this
// build. It returns EINVALID for a malformed url, EUNAVAILABLE naming the host
// when the server cannot be reached within the connect timeout, and ECONFLICT
// for a database whose schema is newer than this build knows. No error
// contains the password.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := parseConfig(url)
	if err != nil {
		return nil, err
	}
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, fmt.Errorf("load postgres migrations: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(cfg, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, connectError(cfg, err)
	}
	db := &DB{pool: pool, now: time.Now}
	if err := migrate(ctx, pool, migrations, db.now); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate PostgreSQL database at %s: %w", address(cfg), err)
	}
	return db, nil
}

// parseConfig parses a connection string and sets the default connect
// timeout.
func parseConfig(connString string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx masks the password in what it echoes back, but only as far as
		// it can parse the string; mask again what we can find.
		u, uerr := url.Parse(connString)
		if uerr != nil {
			return nil, lantern.Errorf(lantern.EINVALID, "The PostgreSQL connection URL is malformed.")
		}
		secrets := []string{u.Query().Get("password")}
		if pw, ok := u.User.Password(); ok {
			_, raw, _ := strings.Cut(u.User.String(), ":")
			secrets = append(secrets, pw, raw)
		}
		return nil, lantern.Errorf(lantern.EINVALID, "The PostgreSQL connection URL is invalid: %s", redact(err.Error(), secrets...))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	return cfg, nil
}

// connectError describes a failure to reach the server named in cfg.
func connectError(cfg *pgxpool.Config, err error) error {
	return lantern.Errorf(lantern.EUNAVAILABLE, "Cannot connect to PostgreSQL at %s: %s",
		address(cfg), redact(err.Error(), cfg.ConnConfig.Password))
}

// address is the host and port cfg connects to first.
func address(cfg *pgxpool.Config) string {
	return net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
}

// redact replaces each non-empty secret in s.
func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "xxxxx")
		}
	}
	return s
}

// Close closes the pool. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(db.pool.Close)
	return nil
}

// Ping reports whether the server answers, with EUNAVAILABLE if not.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w: %w", lantern.Errorf(lantern.EUNAVAILABLE, "The database is not available."), err)
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

// update runs fn in a read-committed transaction and commits it if fn
// succeeds.
func (db *DB) update(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return wrap(op+": begin", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(op+": commit", err)
	}
	return nil
}

// view runs fn in a read-only repeatable-read transaction, so that the
// queries it makes see one snapshot.
func (db *DB) view(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return wrap(op+": begin", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(op+": commit", err)
	}
	return nil
}

// wrap adds op to err and, where the server's error has a meaning in the
// domain, a Lantern code. Errors that already carry a code keep it.
func wrap(op string, err error) error {
	var le *lantern.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23503": // foreign_key_violation; the existence checks should catch it first
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.ENOTFOUND, "A referenced record does not exist."), err)
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.ECONFLICT, "The record conflicts with one already stored."), err)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.ECONFLICT, "A concurrent change got in the way; try again."), err)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || pgconn.Timeout(err) {
		return fmt.Errorf("%s: %w: %w", op, lantern.Errorf(lantern.EUNAVAILABLE, "The database is not available."), err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ts returns t as it will be stored.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// tsPtr returns an optional time as it will be stored.
func tsPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

// utcPtr returns a scanned optional time in UTC; pgx scans into local time.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}
