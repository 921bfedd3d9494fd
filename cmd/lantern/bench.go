package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"

	"lantern/ingest"
	"lantern/rules"
	"lantern/sim"
	"lantern/sqlite"
)

func benchSettings() []setting {
	return []setting{
		{Name: "format", Default: "text", Usage: "text or json (one object)", Check: checkOneOf("text", "json")},
		{Name: "postgres", Usage: "PostgreSQL URL to measure the SQL baseline on as well (a scratch database: bench creates and drops its own tables)", Check: checkDatabaseURL},
		{Name: "staff", Default: "1000", Usage: "without DIR: the simulated force's size", Check: checkIntRange(sim.MinStaff, sim.MaxStaff)},
		{Name: "days", Default: "30", Usage: "without DIR: the simulated force's days of events", Check: checkIntRange(1, sim.MaxDays)},
		{Name: "seed", Default: "1", Usage: "without DIR: the simulated force's seed", Check: checkIntRange(0, 1<<31-1)},
		{Name: "rate", Default: "20000", Usage: "events per second offered in the live latency run", Check: checkIntRange(100, 1_000_000)},
		{Name: "live", Default: "10s", Usage: "how long the live latency run sends events", Check: checkDuration},
		{Name: "log-level", Default: "warn", Usage: "debug, info, warn or error", Check: checkOneOf("debug", "info", "warn", "error")},
		{Name: "log-format", Default: "text", Usage: "text or json", Check: checkOneOf("text", "json")},
	}
}

// benchReport is what `lantern bench --format json` prints. Rates are events
// per second of wall-clock time on one goroutine (per core) for the engine
// and parsing; the SQL baselines are the databases' own, given the machine.
type benchReport struct {
	Force     string    `json:"force"`
	Staff     int       `json:"staff"`
	Events    int       `json:"events"`
	Reference int       `json:"reference_records"`
	CPUs      int       `json:"cpus"`
	At        time.Time `json:"at"`

	ParseEventsPerSecPerCore  float64 `json:"parse_events_per_sec_per_core"`
	EngineEventsPerSecPerCore float64 `json:"engine_events_per_sec_per_core"` // parsing plus the full rule library
	EngineAlerts              int     `json:"engine_alerts"`

	SQLiteEventsPerSec   *float64 `json:"sqlite_events_per_sec"`   // load plus the detections as SQL
	PostgresEventsPerSec *float64 `json:"postgres_events_per_sec"` // null when not measured
	SQLiteDetectOnly     *float64 `json:"sqlite_detect_events_per_sec,omitempty"`
	PostgresDetectOnly   *float64 `json:"postgres_detect_events_per_sec,omitempty"`
	EngineVsSQLite       *float64 `json:"engine_vs_sqlite"`
	EngineVsPostgres     *float64 `json:"engine_vs_postgres"`

	StateBytesPerStaff float64 `json:"state_bytes_per_staff"` // engine and world heap after the run, per member of staff

	LiveRate       float64 `json:"live_events_per_sec"`
	LiveEvents     int     `json:"live_events"`
	AckToAlertP50  float64 `json:"ack_to_alert_p50_ms"`
	AckToAlertP99  float64 `json:"ack_to_alert_p99_ms"`
	AckToAlertMax  float64 `json:"ack_to_alert_max_ms"`
	LiveAckBatches int     `json:"live_batches"`

	Notes []string `json:"notes"`
}

// runBench measures Lantern beside a plain SQL baseline on the same events.
func runBench(ctx context.Context, e *env, args []string) error {
	cfg, _, dirs, err := loadConfig("bench", args, e.getenv, e.stderr, benchSettings())
	if err != nil {
		return err
	}
	if len(dirs) > 1 {
		return usageErrorf("bench takes at most one DIR")
	}
	logger := newLogger(cfg, e.stderr)
	work, err := os.MkdirTemp("", "lantern-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	rep := &benchReport{CPUs: runtime.NumCPU(), At: time.Now().UTC(), Notes: []string{}}
	say := func(format string, args ...any) { fmt.Fprintf(e.stderr, "bench: "+format+"\n", args...) }
	force := ""
	if len(dirs) == 1 {
		force = dirs[0]
		rep.Force = force
	} else {
		force = filepath.Join(work, "force")
		c := sim.Config{Staff: cfg.integer("staff"), Days: cfg.integer("days"), Seed: int64(cfg.integer("seed"))}
		rep.Force = "simulated: " + c.String()
		say("simulating %s …", c)
		if _, err := sim.Generate(ctx, c, force); err != nil {
			return err
		}
	}
	phones, err := ingest.NewPhoneHasher(randomKey())
	if err != nil {
		return err
	}
	say("reading %s …", force)
	f, err := readBenchForce(ctx, force, phones)
	if err != nil {
		return err
	}
	rep.Staff, rep.Events, rep.Reference = f.staff, len(f.events), len(f.reference)
	set, err := rules.Load()
	if err != nil {
		return err
	}

	say("parsing %d events on one goroutine …", len(f.events))
	if rep.ParseEventsPerSecPerCore, err = f.timeParse(phones); err != nil {
		return err
	}
	say("parsing and judging with the rule library on one goroutine …")
	if rep.EngineEventsPerSecPerCore, rep.EngineAlerts, rep.StateBytesPerStaff, err = f.timeEngine(set, phones); err != nil {
		return err
	}

	recs, err := f.records(phones)
	if err != nil {
		return err
	}
	say("the same detections as SQL in SQLite …")
	if total, detect, err := sqlBaseline(ctx, "sqlite", filepath.Join(work, "baseline.db"), recs); err != nil {
		rep.Notes = append(rep.Notes, "SQLite baseline failed: "+err.Error())
	} else {
		rep.SQLiteEventsPerSec, rep.SQLiteDetectOnly = &total, &detect
		r := rep.EngineEventsPerSecPerCore / total
		rep.EngineVsSQLite = &r
	}
	if u := cfg.str("postgres"); u != "" {
		say("the same detections as SQL in PostgreSQL …")
		if total, detect, err := sqlBaseline(ctx, "postgres", u, recs); err != nil {
			rep.Notes = append(rep.Notes, "PostgreSQL baseline failed: "+err.Error())
		} else {
			rep.PostgresEventsPerSec, rep.PostgresDetectOnly = &total, &detect
			r := rep.EngineEventsPerSecPerCore / total
			rep.EngineVsPostgres = &r
		}
	} else {
		rep.Notes = append(rep.Notes, "PostgreSQL not measured: give --postgres URL")
	}
	recs = nil

	say("live: %d events/s for %s through intake, the event log and the monitor …", cfg.integer("rate"), cfg.duration("live"))
	store, err := sqlite.Open(ctx, filepath.Join(work, "live.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	live, err := measureLive(ctx, filepath.Join(work, "live"), f, set, store, storeSink{store, "monitor:bench"}, cfg.integer("rate"), cfg.duration("live"), logger)
	if err != nil {
		return fmt.Errorf("live run: %w", err)
	}
	rep.LiveRate, rep.LiveEvents, rep.LiveAckBatches = live.Rate, live.Events, live.Batches
	rep.AckToAlertP50, rep.AckToAlertP99, rep.AckToAlertMax = ms(live.P50), ms(live.P99), ms(live.Max)
	if live.Events < int(live.Rate*cfg.duration("live").Seconds()) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the force has only %d events: the live run sent them all", live.Events))
	}

	if cfg.str("format") == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	writeBenchText(e.stdout, rep)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func writeBenchText(w io.Writer, r *benchReport) {
	fmt.Fprintf(w, "Force: %s — %d staff, %d events, %d reference records; %d CPUs\n\n", r.Force, r.Staff, r.Events, r.Reference, r.CPUs)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measure\tevents/s\tvs engine\t")
	row := func(name string, v *float64) {
		if v == nil {
			fmt.Fprintf(tw, "%s\tnot measured\t\t\n", name)
			return
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.1fx slower\t\n", name, *v, r.EngineEventsPerSecPerCore / *v)
	}
	fmt.Fprintf(tw, "parsing alone, one core\t%.0f\t\t\n", r.ParseEventsPerSecPerCore)
	fmt.Fprintf(tw, "engine: parsing + %s, one core\t%.0f\t1x\t\n", "rule library", r.EngineEventsPerSecPerCore)
	row("SQL baseline, SQLite (load + detect)", r.SQLiteEventsPerSec)
	row("SQL baseline, PostgreSQL (load + detect)", r.PostgresEventsPerSec)
	tw.Flush()
	fmt.Fprintf(w, "\nEngine alerts raised: %d. Engine state: %.0f bytes per member of staff.\n", r.EngineAlerts, r.StateBytesPerStaff)
	fmt.Fprintf(w, "Live: %d events at %.0f/s in %d acknowledged batches; acknowledgement to stored alerts p50 %.1f ms, p99 %.1f ms, max %.1f ms.\n",
		r.LiveEvents, r.LiveRate, r.LiveAckBatches, r.AckToAlertP50, r.AckToAlertP99, r.AckToAlertMax)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}
