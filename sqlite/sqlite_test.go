package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"lantern"
	"lantern/storetest"
)

// openTemp opens a new database in a temporary directory and closes it when
// the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
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

func TestStore(t *testing.T) {
	// Migrating a new file for each of the suite's hundred or so subtests
	// dominates its run time under -race, so migrate one and copy it. Open
	// still runs on every copy and finds the schema current.
	db := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	template := db.path
	storetest.Run(t, func(t *testing.T) lantern.Store {
		path := filepath.Join(t.TempDir(), "lantern.db")
		copyFile(t, template, path)
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// copyFile copies a closed database file.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestUpdatedAtUsesClock(t *testing.T) {
	db := openTemp(t)
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

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		code string
	}{
		{"ParentIsFile", filepath.Join(file, "lantern.db"), lantern.EINTERNAL},
		{"NotADatabase", garbage, lantern.EINTERNAL},
		{"NoSuchDirectory", filepath.Join(dir, "missing", "lantern.db"), lantern.EINTERNAL},
		{"Empty", "", lantern.EINVALID},
		{"Memory", ":memory:", lantern.EINVALID},
		{"QueryString", filepath.Join(dir, "x.db?mode=ro"), lantern.EINVALID},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "read-only")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct{ name, path, code string }{"UnwritableDirectory", filepath.Join(ro, "lantern.db"), lantern.EINTERNAL})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(t.Context(), tt.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", tt.path)
			}
			if code := lantern.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q (%v)", code, tt.code, err)
			}
			if tt.path != "" && !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
}

func TestMigrateReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lantern.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertPersons(t.Context(), &lantern.Person{ID: "P1", Gender: lantern.GenderFemale, Flags: []string{lantern.FlagChild}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err = Open(t.Context(), path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if _, err := db.FindPersonByID(t.Context(), "P1"); err != nil {
			t.Errorf("after reopen: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if got := appliedVersions(t, path); got != len(migrations) {
		t.Errorf("schema_migrations holds %d rows, want %d", got, len(migrations))
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lantern.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawOpen(t, path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err = Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a database from a newer Lantern")
	}
	if lantern.ErrorCode(err) != lantern.ECONFLICT || !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v; want ECONFLICT naming version 9999 and the path", err)
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lantern.db")
	pool, err := openPool(t.Context(), path, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")},
	}
	migrations, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), pool, migrations, time.Now); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate = %v, want an error naming 0002_b.sql", err)
	}
	var tables string
	if err := pool.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != "a,schema_migrations" {
		t.Errorf("tables = %s, want a,schema_migrations: the failed migration must leave nothing", tables)
	}
}

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		ok    bool
	}{
		{"Embedded", nil, true},
		{"Ordered", []string{"0002_b.sql", "0010_c.sql", "0001_a.sql"}, true},
		{"NoVersion", []string{"0001_a.sql", "b.sql"}, false},
		{"ZeroVersion", []string{"0000_a.sql"}, false},
		{"DuplicateVersion", []string{"0001_a.sql", "1_b.sql"}, false},
		{"None", []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list []migration
			var err error
			if tt.files == nil {
				list, err = loadMigrations(migrationFiles)
			} else {
				fsys := fstest.MapFS{}
				for _, f := range tt.files {
					fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
				}
				list, err = loadMigrations(fsys)
			}
			if (err == nil) != tt.ok {
				t.Fatalf("loadMigrations: error %v, want ok=%v", err, tt.ok)
			}
			for i := 1; i < len(list); i++ {
				if list[i].version <= list[i-1].version {
					t.Errorf("not in version order: %s before %s", list[i-1].name, list[i].name)
				}
			}
		})
	}
}

func rawOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func appliedVersions(t *testing.T, path string) int {
	t.Helper()
	raw := rawOpen(t, path)
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrateBackfillsStatusAt checks that migration 0002 dates the current
// status of incidents written before it: a closed incident from its closing,
// a reopened one from its latest opening, and any other from its opening.
func TestMigrateBackfillsStatusAt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lantern.db")
	pool, err := openPool(t.Context(), path, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), pool, migrations[:1], time.Now); err != nil {
		t.Fatal(err)
	}
	at := func(h int64) int64 {
		return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour).UnixMicro()
	}
	_, err = pool.Exec(`INSERT INTO incidents (id, type, status, opened_at, closed_at, updated_at) VALUES
			('open', 'theft', 'open', ?1, NULL, 0),
			('closed', 'theft', 'closed', ?1, ?3, 0),
			('reopened', 'theft', 'open', ?1, NULL, 0);
		INSERT INTO incident_status_changes (incident_id, status, at) VALUES
			('open', 'open', ?1),
			('closed', 'open', ?1), ('closed', 'closed', ?3),
			('reopened', 'open', ?1), ('reopened', 'closed', ?2), ('reopened', 'open', ?3)`,
		at(0), at(2), at(5))
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()

	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[string]int64{"open": at(0), "closed": at(5), "reopened": at(5)} {
		inc, err := db.FindIncidentByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got := inc.StatusAt.UnixMicro(); got != want {
			t.Errorf("%s: StatusAt %s, want %s", id, inc.StatusAt, fromMicros(want))
		}
	}
}

// BenchmarkAddRejections adds batches of the largest size intake sends.
func BenchmarkAddRejections(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "lantern.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
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
