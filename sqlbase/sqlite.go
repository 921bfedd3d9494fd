package sqlbase

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"

	"lantern"
)

// OpenSQLite opens (creating it if need be) the SQLite database file at
// path for one batch, through modernc.org/sqlite as the sqlite package
// does; "" opens a private in-memory database, gone when the DB is closed.
// The file should be new: Load fails with the database's error if the
// tables exist.
//
// The connection is set up as one would for a nightly batch job on a
// scratch database: write-ahead log with synchronous=NORMAL (no fsync per
// commit, still consistent after a crash), a 256 MiB page cache and
// temporary tables in memory.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := registerRegexp(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, lantern.Errorf(lantern.EINVALID, "sqlite database path %q must be a plain file name", path)
	}
	q := url.Values{}
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-262144)")
	q.Add("_pragma", "temp_store(MEMORY)")
	dsn := ":memory:?" + q.Encode()
	if path != "" {
		q.Add("_pragma", "journal_mode(WAL)")
		dsn = path + "?" + q.Encode()
	}
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	// One connection, kept for the life of the DB: an in-memory database
	// lives and dies with its connection.
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	return &DB{
		dialect: SQLite,
		conn: func(ctx context.Context) (session, error) {
			c, err := pool.Conn(ctx)
			if err != nil {
				return nil, err
			}
			return &sqliteSession{conn: c, stmts: map[string]*sql.Stmt{}}, nil
		},
		close: pool.Close,
	}, nil
}

// sqliteSession is one connection to a SQLite database.
type sqliteSession struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt // multi-row INSERTs by table and row count
}

func (s *sqliteSession) exec(ctx context.Context, query string) error {
	_, err := s.conn.ExecContext(ctx, query)
	return err
}

// maxSQLiteVars is SQLite's default limit on the parameters of a statement.
const maxSQLiteVars = 32766

// insert writes rows with multi-row INSERT statements of up to 256 rows,
// each prepared once: SQLite has no COPY, and one statement per row costs a
// round trip through the driver per row.
func (s *sqliteSession) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	per := min(256, maxSQLiteVars/len(cols))
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		stmt, err := s.stmt(ctx, table, cols, n)
		if err != nil {
			return err
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

func (s *sqliteSession) stmt(ctx context.Context, table string, cols []string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", table, n)
	if st := s.stmts[key]; st != nil {
		return st, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+",", n), ",")
	st, err := s.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	s.stmts[key] = st
	return st, nil
}

func (s *sqliteSession) flags(ctx context.Context, query string) ([]Flag, error) {
	rows, err := s.conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Flag
	for rows.Next() {
		var f Flag
		if err := rows.Scan(&f.Staff, &f.Key, &f.Matches); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *sqliteSession) release() {
	for _, st := range s.stmts {
		st.Close()
	}
	s.conn.Close()
}

// registerRegexp gives SQLite's REGEXP operator the function it calls,
// regexp(pattern, text), with Go's regular expressions: SQLite leaves it
// to the application. Patterns are compiled once each.
var registerRegexp = sync.OnceValue(func() error {
	var cache sync.Map // pattern → *regexp.Regexp
	err := sqlite.RegisterDeterministicScalarFunction("regexp", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		pattern, ok1 := args[0].(string)
		text, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, nil // NULL, as SQL does for NULL operands
		}
		re, ok := cache.Load(pattern)
		if !ok {
			c, err := regexp.Compile(pattern)
			if err != nil {
				return nil, err
			}
			re, _ = cache.LoadOrStore(pattern, c)
		}
		return re.(*regexp.Regexp).MatchString(text), nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: register regexp: %w", err)
	}
	return nil
})
