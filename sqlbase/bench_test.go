package sqlbase_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"lantern/detect"
	"lantern/rules"
	"lantern/sim"
	"lantern/sqlbase"
)

// benchConfig is the simulated force the benchmarks judge: 500 staff over 40
// days (about 300,000 events), or LANTERN_BENCH_STAFF and
// LANTERN_BENCH_DAYS.
func benchConfig(b *testing.B) sim.Config {
	cfg := sim.Config{Staff: 500, Days: 40, Seed: 1}
	for _, v := range []struct {
		env string
		to  *int
	}{{"LANTERN_BENCH_STAFF", &cfg.Staff}, {"LANTERN_BENCH_DAYS", &cfg.Days}} {
		if s := os.Getenv(v.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				b.Fatalf("%s: %v", v.env, err)
			}
			*v.to = n
		}
	}
	return cfg
}

// BenchmarkDetectSQLite loads a simulated force into a fresh SQLite file
// and runs Detect, reporting events per second over load and detection
// together (events/s) and over detection alone (detect-events/s).
func BenchmarkDetectSQLite(b *testing.B) { benchDetect(b, sqlbase.SQLite) }

// BenchmarkDetectPostgres is BenchmarkDetectSQLite in a fresh schema of
// LANTERN_TEST_POSTGRES; it is skipped without it.
func BenchmarkDetectPostgres(b *testing.B) {
	if os.Getenv("LANTERN_TEST_POSTGRES") == "" {
		b.Skip("LANTERN_TEST_POSTGRES is not set")
	}
	benchDetect(b, sqlbase.Postgres)
}

func benchDetect(b *testing.B, d sqlbase.Dialect) {
	cfg := benchConfig(b)
	recs := simForce(b, cfg)
	n := 0
	for _, r := range recs {
		if r.Access != nil || r.Comms != nil {
			n++
		}
	}
	b.Logf("%s: %d records, %d events", cfg, len(recs), n)
	var load, det time.Duration
	events := 0
	var last sqlbase.Result
	for b.Loop() {
		// A file, as a batch job's database would be.
		last = loadAndDetectIn(b, openAt(b, d, filepath.Join(b.TempDir(), "batch.db")), recs)
		load += last.Loaded.Time
		det += last.Detect
		events += last.Loaded.Events
	}
	var rules []string
	for _, rr := range last.Rules {
		rules = append(rules, fmt.Sprintf("%s %v", rr.Rule, rr.Time.Round(time.Millisecond)))
	}
	b.Logf("last run: load %v, prepare %v; %s", last.Loaded.Time.Round(time.Millisecond), last.Prepare.Round(time.Millisecond), strings.Join(rules, ", "))
	b.ReportMetric(float64(events)/(load+det).Seconds(), "events/s")
	b.ReportMetric(float64(events)/det.Seconds(), "detect-events/s")
	b.ReportMetric(float64(events)/load.Seconds(), "load-events/s")
}

// BenchmarkEngineSameForce judges the same simulated force with the engine
// and the built-in library, from the decoded records (no parsing), on one
// goroutine: the figure the SQL is compared with.
func BenchmarkEngineSameForce(b *testing.B) {
	recs := simForce(b, benchConfig(b))
	set, err := rules.Load()
	if err != nil {
		b.Fatal(err)
	}
	perRun := 0
	for _, r := range recs {
		if r.Access != nil || r.Comms != nil {
			perRun++
		}
	}
	for b.Loop() {
		e := detect.NewEngine(detect.NewWorld(), set)
		for _, r := range recs {
			e.Apply(r)
		}
	}
	b.ReportMetric(float64(perRun*b.N)/b.Elapsed().Seconds(), "events/s")
}
