package sqlbase

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lantern"
)

// OpenPostgres connects to the PostgreSQL server at url (a postgres:// URL
// or keyword/value string, as pgx accepts) and creates a schema of its own,
// named sqlbase_ and random letters, for the batch's tables, so that it never
// touches anything else in the database; Close drops the schema. It returns
// EINVALID for a malformed url and EUNAVAILABLE when the server cannot be
// reached.
//
// The session is set up as one would for a nightly batch job: commits do not
// wait for the WAL to reach the disk (synchronous_commit=off; a crash loses
// the batch, which is rerun) and sorts and hashes get 64 MB of memory
// (work_mem) rather than the default 4 MB. The server's own settings are
// left alone.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, lantern.Errorf(lantern.EINVALID, "The PostgreSQL connection URL is invalid.")
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	schema := "sqlbase_" + strings.ToLower(rand.Text()[:12])
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	cfg.ConnConfig.RuntimeParams["work_mem"] = "64MB"
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		msg := err.Error()
		if pw := cfg.ConnConfig.Password; pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "Cannot connect to PostgreSQL at %s:%d: %s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, msg)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	return &DB{
		dialect: Postgres,
		conn: func(ctx context.Context) (session, error) {
			c, err := pool.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			return &pgSession{conn: c}, nil
		},
		close: func() error {
			defer pool.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := pool.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
				return fmt.Errorf("drop schema %s: %w", schema, err)
			}
			return nil
		},
	}, nil
}

// pgSession is one connection to a PostgreSQL database.
type pgSession struct {
	conn *pgxpool.Conn
}

func (s *pgSession) exec(ctx context.Context, query string) error {
	_, err := s.conn.Exec(ctx, query)
	return err
}

// insert writes rows with COPY, PostgreSQL's bulk load.
func (s *pgSession) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if _, err := s.conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

func (s *pgSession) flags(ctx context.Context, query string) ([]Flag, error) {
	rows, err := s.conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Flag, error) {
		var f Flag
		var n int64
		err := r.Scan(&f.Staff, &f.Key, &n)
		f.Matches = int(n)
		return f, err
	})
}

func (s *pgSession) release() { s.conn.Release() }
