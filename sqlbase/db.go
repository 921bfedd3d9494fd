package sqlbase

import (
	"context"
	"time"
)

// Dialect names the database a DB holds the tables in.
type Dialect string

// The dialects sqlbase writes.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database that holds, or is about to hold, one batch of records in
// sqlbase's tables. Open it with OpenSQLite or OpenPostgres, fill it once with
// Load, then run Detect as often as wanted. A DB is not safe for concurrent
// use.
type DB struct {
	dialect Dialect
	// conn opens the one connection that Load and Detect run on: temporary
	// tables belong to a connection, and a batch job runs on one anyway.
	conn   func(ctx context.Context) (session, error)
	close  func() error
	loaded Loaded
}

// Dialect reports which database db is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close releases the database; for OpenPostgres it also drops the schema it
// created. It is safe to call more than once.
func (db *DB) Close() error {
	if db.close == nil {
		return nil
	}
	c := db.close
	db.close = nil
	return c()
}

// session is one connection to the database, with the three things sqlbase
// asks of it.
type session interface {
	// exec runs one statement that returns no rows.
	exec(ctx context.Context, query string) error
	// insert appends rows to table; each row holds int64, int32, string, bool
	// or nil values in the order of cols.
	insert(ctx context.Context, table string, cols []string, rows [][]any) error
	// flags runs a query returning (staff_id, key, matches) rows.
	flags(ctx context.Context, query string) ([]Flag, error)
	// release returns the connection.
	release()
}

// Loaded describes what Load put in a database.
type Loaded struct {
	Records int           // every record loaded
	Events  int           // access and comms events among them
	Rows    int           // table rows written (a person's flags and numbers are rows of their own)
	Time    time.Duration // creating the tables, writing the rows, deriving the as-of tables and indexing
}
