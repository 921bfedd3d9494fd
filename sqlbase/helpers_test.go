package sqlbase_test

import (
	"os"
	"slices"
	"testing"

	"lantern/ingest"
	"lantern/sqlbase"
)

// dialects are the databases to test against: SQLite always, PostgreSQL
// when LANTERN_TEST_POSTGRES names a server (scripts/test starts one), and
// a failure without it when LANTERN_TEST_POSTGRES_REQUIRED=1.
func dialects(t testing.TB) []sqlbase.Dialect {
	t.Helper()
	out := []sqlbase.Dialect{sqlbase.SQLite}
	if os.Getenv("LANTERN_TEST_POSTGRES") != "" {
		return append(out, sqlbase.Postgres)
	}
	if os.Getenv("LANTERN_TEST_POSTGRES_REQUIRED") == "1" {
		t.Fatal("LANTERN_TEST_POSTGRES is not set: scripts/test starts a throwaway PostgreSQL and sets it")
	}
	return out
}

// open opens a fresh database of dialect d, closed when the test ends: a
// SQLite database in memory, or a schema of its own in
// LANTERN_TEST_POSTGRES.
func open(t testing.TB, d sqlbase.Dialect) *sqlbase.DB {
	t.Helper()
	return openAt(t, d, "")
}

// openAt is open with the SQLite database in the file path ("" for
// memory).
func openAt(t testing.TB, d sqlbase.Dialect, path string) *sqlbase.DB {
	t.Helper()
	var db *sqlbase.DB
	var err error
	switch d {
	case sqlbase.SQLite:
		db, err = sqlbase.OpenSQLite(t.Context(), path)
	case sqlbase.Postgres:
		db, err = sqlbase.OpenPostgres(t.Context(), os.Getenv("LANTERN_TEST_POSTGRES"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// loadAndDetect loads recs into a fresh database of dialect d and runs
// Detect.
func loadAndDetect(t testing.TB, d sqlbase.Dialect, recs []*ingest.Record) sqlbase.Result {
	t.Helper()
	return loadAndDetectIn(t, open(t, d), recs)
}

// loadAndDetectIn loads recs into db and runs Detect.
func loadAndDetectIn(t testing.TB, db *sqlbase.DB, recs []*ingest.Record) sqlbase.Result {
	t.Helper()
	if _, err := sqlbase.Load(t.Context(), db, slices.Values(recs)); err != nil {
		t.Fatal(err)
	}
	res, err := sqlbase.Detect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// pair is a (rule, staff, key) an alert or a flag is about.
type pair struct{ rule, staff, key string }
