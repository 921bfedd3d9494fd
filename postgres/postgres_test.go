package postgres

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lantern"
	"lantern/storetest"
)

// testServer returns the URL of the PostgreSQL server to test against and a
// pool on it for setting up schemas. Without LANTERN_TEST_POSTGRES the test is
// skipped, unless LANTERN_TEST_POSTGRES_REQUIRED=1 makes that a failure.
func testServer(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	u := os.Getenv("LANTERN_TEST_POSTGRES")
	if u == "" {
		const msg = "LANTERN_TEST_POSTGRES is not set: scripts/test starts a throwaway PostgreSQL and sets it"
		if os.Getenv("LANTERN_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	admin, err := pgxpool.New(t.Context(), withParams(t, u, map[string]string{"synchronous_commit": "off"}))
	if err != nil {
		t.Fatalf("connect to LANTERN_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(admin.Close)
	return u, admin
}

// freshSchema creates a schema with a random name, drops it when the test
// ends, and returns base with its search_path set to the schema.
func freshSchema(t testing.TB, base string, admin *pgxpool.Pool) string {
	t.Helper()
	name := "lantern_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	// Commits need not wait for the disk in a schema the test throws away.
	return withParams(t, base, map[string]string{"search_path": name, "pool_max_conns": "4", "synchronous_commit": "off"})
}

// withParams returns the URL u with query parameters set.
func withParams(t testing.TB, u string, params map[string]string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("LANTERN_TEST_POSTGRES must be a URL: %v", err)
	}
	q := parsed.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

// openFresh opens a store in a fresh schema and closes it when the test ends,
// before the schema is dropped.
func openFresh(t testing.TB, base string, admin *pgxpool.Pool) *DB {
	t.Helper()
	u := freshSchema(t, base, admin)
	db, err := Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	base, admin := testServer(t)
	storetest.Run(t, func(t *testing.T) lantern.Store { return openFresh(t, base, admin) })
}

func TestUpdatedAtUsesClock(t *testing.T) {
	base, admin := testServer(t)
	db := openFresh(t, base, admin)
	at := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.UTC)
	db.SetClock(func() time.Time { return at })
	s := &lantern.Staff{ID: "S1", Category: lantern.CategoryStaff, Role: lantern.RoleAnalyst, Gender: lantern.GenderMale, StartDate: at}
	if err := db.UpsertStaff(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindStaffByID(t.Context(), "S1")
	if err != nil {
		t.Fatal(err)
	}
	want := at.Truncate(time.Microsecond)
	if !got.UpdatedAt.Equal(want) || !s.UpdatedAt.Equal(want) {
		t.Errorf("UpdatedAt stored %s, set %s; want %s", got.UpdatedAt, s.UpdatedAt, want)
	}

	// A nil clock is the real one.
	db.SetClock(nil)
	before := time.Now().Add(-time.Second)
	if err := db.UpsertStaff(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if s.UpdatedAt.Before(before) || s.UpdatedAt.After(time.Now()) {
		t.Errorf("after SetClock(nil), UpdatedAt = %s, want about now", s.UpdatedAt)
	}
}

func TestMigrateReopen(t *testing.T) {
	base, admin := testServer(t)
	u := freshSchema(t, base, admin)
	// Several processes starting at once: the advisory lock makes them take
	// turns, and all but the first find nothing to do.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			db, err := Open(t.Context(), u)
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
				return
			}
			db.Close()
		})
	}
	wg.Wait()

	db, err := Open(t.Context(), u)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) {
		t.Errorf("schema_migrations holds %d rows, want %d", n, len(migrations))
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	base, admin := testServer(t)
	db := openFresh(t, base, admin)
	if _, err := db.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	u := db.pool.Config().ConnString()
	db.Close()

	db, err := Open(t.Context(), u)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a database from a newer Lantern")
	}
	if lantern.ErrorCode(err) != lantern.ECONFLICT || !strings.Contains(err.Error(), "9999") {
		t.Errorf("error = %v; want ECONFLICT naming version 9999", err)
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	base, admin := testServer(t)
	u := freshSchema(t, base, admin)
	pool, err := pgxpool.New(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	migrations := []migration{
		{1, "0001_a.sql", "CREATE TABLE a (x integer);"},
		{2, "0002_b.sql", "CREATE TABLE b (x integer); INSERT INTO nowhere VALUES (1);"},
	}
	if err := migrate(t.Context(), pool, migrations, time.Now); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate = %v, want an error naming 0002_b.sql", err)
	}
	var tables string
	err = pool.QueryRow(t.Context(), `SELECT string_agg(table_name::text, ',' ORDER BY table_name)
		FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables)
	if err != nil {
		t.Fatal(err)
	}
	if tables != "a,schema_migrations" {
		t.Errorf("tables = %s, want a,schema_migrations: the failed migration must leave nothing", tables)
	}
}

// TestOpenErrors needs no server: it checks that Open fails fast and never
// repeats the password.
func TestOpenErrors(t *testing.T) {
	const password = "s3cret-Pa55"
	tests := []struct {
		name string
		url  string
		code string
		host string
	}{
		{"Refused", "postgres://lantern:" + password + "@127.0.0.1:1/lantern?sslmode=disable", lantern.EUNAVAILABLE, "127.0.0.1:1"},
		{"RefusedKeywordValue", "host=127.0.0.1 port=1 user=lantern password=" + password + " sslmode=disable", lantern.EUNAVAILABLE, "127.0.0.1:1"},
		{"BadPort", "postgres://lantern:" + password + "@db.example:notaport/lantern", lantern.EINVALID, ""},
		{"BadParameter", "postgres://lantern:" + password + "@db.example/lantern?sslmode=sometimes", lantern.EINVALID, ""},
		{"NotAURL", "postgres://lantern:" + password + "@db example/%zz", lantern.EINVALID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			db, err := Open(t.Context(), tt.url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("Open took %s to fail", time.Since(start))
			}
			if code := lantern.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q (%v)", code, tt.code, err)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error repeats the password: %v", err)
			}
			if !strings.Contains(err.Error(), tt.host) {
				t.Errorf("error %q does not name %s", err, tt.host)
			}
		})
	}
}

func TestConnectTimeout(t *testing.T) {
	tests := []struct {
		url  string
		want time.Duration
	}{
		{"postgres://db.example/lantern", connectTimeout},
		{"postgres://db.example/lantern?connect_timeout=2", 2 * time.Second},
	}
	for _, tt := range tests {
		cfg, err := parseConfig(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.ConnConfig.ConnectTimeout; got != tt.want {
			t.Errorf("%s: connect timeout %s, want %s", tt.url, got, tt.want)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	list, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range list {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d: versions must run 1, 2, 3, ...", m.name, m.version, i+1)
		}
	}
}

// TestMigrateBackfillsStatusAt checks that migration 0002 dates the current
// status of incidents written before it: a closed incident from its closing,
// a reopened one from its latest opening, and any other from its opening.
func TestMigrateBackfillsStatusAt(t *testing.T) {
	base, admin := testServer(t)
	u := freshSchema(t, base, admin)
	pool, err := pgxpool.New(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), pool, migrations[:1], time.Now); err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time {
		return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO incidents (id, type, status, opened_at, closed_at, updated_at) VALUES
			('open', 'theft', 'open', $1, NULL, now()),
			('closed', 'theft', 'closed', $1, $2, now()),
			('reopened', 'theft', 'open', $1, NULL, now())`, at(0), at(5))
	b.Queue(`INSERT INTO incident_status_changes (incident_id, status, at) VALUES
			('open', 'open', $1),
			('closed', 'open', $1), ('closed', 'closed', $3),
			('reopened', 'open', $1), ('reopened', 'closed', $2), ('reopened', 'open', $3)`, at(0), at(2), at(5))
	if err := pool.SendBatch(t.Context(), b).Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[string]time.Time{"open": at(0), "closed": at(5), "reopened": at(5)} {
		inc, err := db.FindIncidentByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !inc.StatusAt.Equal(want) {
			t.Errorf("%s: StatusAt %s, want %s", id, inc.StatusAt, want)
		}
	}
}

// BenchmarkAddRejections adds batches of the largest size intake sends.
func BenchmarkAddRejections(b *testing.B) {
	base, admin := testServer(b)
	db := openFresh(b, base, admin)
	const rows = 4000
	raw := []byte(strings.Repeat("x", 300))
	for b.Loop() {
		batch := make([]*lantern.Rejection, rows)
		for i := range batch {
			batch[i] = &lantern.Rejection{Source: "bench.csv", Kind: "call", Format: "jsonl", Line: i + 1,
				Reason: "bad", Raw: raw, State: lantern.RejectionOpen, ReceivedAt: time.Now()}
		}
		if err := db.AddRejections(b.Context(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
