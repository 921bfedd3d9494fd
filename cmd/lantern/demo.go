package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lantern"
	"lantern/auth"
	"lantern/intake"
	"lantern/sim"
)

func demoSettings() []setting {
	s := []setting{
		{Name: "staff", Default: "2000", Usage: "size of the simulated force", Check: checkIntRange(10, 100_000)},
		{Name: "days", Default: "90", Usage: "days of activity to simulate", Check: checkIntRange(1, 3650)},
		{Name: "seed", Default: "1", Usage: "random seed: the same seed gives the same force", Check: checkIntRange(0, 1<<31-1)},
		{Name: "offenders", Default: "0.005", Usage: "share of staff planted as offenders", Check: checkFraction},
	}
	for _, base := range serveSettings() {
		if base.Name == "data-dir" {
			base.Default = "./lantern-demo"
			base.Usage = "directory for the demo force: its input files, database and event log"
		}
		s = append(s, base)
	}
	return s
}

// demoMarker records what a demo data directory holds, so a second run can
// reuse it or replace it cleanly.
type demoMarker struct {
	Staff     int       `json:"staff"`
	Days      int       `json:"days"`
	Seed      int       `json:"seed"`
	Offenders string    `json:"offenders"`
	Loaded    time.Time `json:"loaded"`
}

const demoMarkerFile = "demo.json"

// runDemo simulates a force, loads it through the real intake path, and
// serves it: one command from a fresh clone to a working system.
func runDemo(ctx context.Context, e *env, args []string) error {
	cfg, flags, rest, err := loadConfig("demo", args, e.getenv, e.stderr, demoSettings(), "fresh")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("demo takes flags only, got %q", rest[0])
	}
	want := demoMarker{Staff: cfg.integer("staff"), Days: cfg.integer("days"), Seed: cfg.integer("seed"), Offenders: cfg.str("offenders")}
	path, err := filepath.Abs(cfg.str("data-dir"))
	if err != nil {
		return cfg.settingError("data-dir", err)
	}
	have, err := readDemoMarker(path)
	switch {
	case err != nil:
		return cfg.settingError("data-dir", err)
	case have != nil && !flags["fresh"] && have.Staff == want.Staff && have.Days == want.Days && have.Seed == want.Seed && have.Offenders == want.Offenders:
		fmt.Fprintf(e.stdout, "Reusing the demo force in %s (%d staff, %d days, seed %d, loaded %s). Run with --fresh to replace it.\n",
			path, have.Staff, have.Days, have.Seed, have.Loaded.Format(time.RFC3339))
	default:
		if have != nil {
			fmt.Fprintf(e.stdout, "Replacing the demo force in %s.\n", path)
		}
		if err := os.RemoveAll(path); err != nil {
			return cfg.settingError("data-dir", err)
		}
		if err := loadDemo(ctx, e, cfg, path, want); err != nil {
			return err
		}
	}
	if err := demoUsers(ctx, e, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Detection runs as the server starts, over everything loaded (progress: lantern_detect_processed_seq on /metrics).\n")
	fmt.Fprintf(e.stdout, "See what it found: lantern risk --data-dir %s   and   lantern alerts --data-dir %s\n", path, path)
	fmt.Fprintf(e.stdout, "Or through the API: lantern source add --data-dir %s --scope alerts NAME, then GET /api/v1/risk and /api/v1/alerts with the token.\n", path)
	if addr := cfg.str("http"); strings.HasSuffix(addr, ":0") {
		fmt.Fprintln(e.stdout, "Starting Lantern on a free port: its address is in the log line \"http listening\" (Ctrl-C to stop).")
	} else {
		fmt.Fprintf(e.stdout, "Starting Lantern on http://%s/ (Ctrl-C to stop). Sign in there as one of the users above.\n", addr)
	}
	return runServe(ctx, e, serveArgs(cfg))
}

// checkFraction accepts a share between 0 and 0.5.
func checkFraction(v string) error {
	var f float64
	if _, err := fmt.Sscanf(v, "%g", &f); err != nil || f < 0 || f > 0.5 {
		return fmt.Errorf("%q is not a share between 0 and 0.5", v)
	}
	return nil
}

// readDemoMarker returns the marker of a demo directory, nil for a missing
// or empty directory, and an error for a directory that is not a demo's (so
// that demo never deletes someone's real data).
func readDemoMarker(path string) (*demoMarker, error) {
	entries, err := os.ReadDir(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(path, demoMarkerFile))
	if err != nil {
		return nil, fmt.Errorf("%s exists and is not a demo directory (no %s); choose another --data-dir", path, demoMarkerFile)
	}
	var m demoMarker
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(path, demoMarkerFile), err)
	}
	return &m, nil
}

// loadDemo simulates the force into <dir>/input and ingests it through
// intake exactly as `lantern ingest` would, then writes the marker.
func loadDemo(ctx context.Context, e *env, cfg *config, path string, m demoMarker) error {
	input := filepath.Join(path, "input")
	var share float64
	fmt.Sscanf(m.Offenders, "%g", &share)
	fmt.Fprintf(e.stdout, "Simulating a force of %d staff over %d days (seed %d) into %s …\n", m.Staff, m.Days, m.Seed, input)
	stats, err := sim.Generate(ctx, sim.Config{Staff: m.Staff, Days: m.Days, Seed: int64(m.Seed), OffenderRate: share}, input)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	fmt.Fprintf(e.stdout, "  %s\n", stats)

	dir, err := openDataDir(cfg, true)
	if err != nil {
		return err
	}
	defer dir.Close()
	sys, err := openSystem(ctx, cfg, dir, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer sys.Close()
	jobs, err := planIngest("", []string{input})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Loading it through intake …")
	ld := intakeLoader(sys.intake, nil, func(j ingestJob) string { return filepath.Base(j.path) })
	if _, err := ld.load(ctx, e, jobs, func(sum *intake.Summary) {
		fmt.Fprint(e.stdout, "  ")
		printSummary(e.stdout, sum)
	}); err != nil {
		return err
	}
	if err := sys.Close(); err != nil {
		return err
	}
	m.Loaded = time.Now().UTC()
	b, _ := json.MarshalIndent(m, "", "  ")
	return os.WriteFile(filepath.Join(path, demoMarkerFile), b, 0o600)
}

// serveArgs passes the demo's resolved server settings on to serve.
func serveArgs(cfg *config) []string {
	var args []string
	for _, s := range serveSettings() {
		if v := cfg.values[s.Name]; v.Source != fromDefault || s.Name == "data-dir" {
			args = append(args, "--"+s.Name, v.Value)
		}
	}
	return args
}

// demoUser is one of the demo's sign-in users.
type demoUser struct {
	username string
	role     lantern.UserRole
	note     string
}

var demoUserList = []demoUser{
	{"demo.analyst", lantern.UserAnalyst, "works the alert queue, staff profiles and person views"},
	{"demo.auditor", lantern.UserAuditor, "searches and verifies the audit trail"},
	{"demo.admin", lantern.UserAdministrator, "sees rules and intake, and reloads rules; reads no alert"},
}

// demoUsers creates the demo's sign-in users, or gives them new
// credentials when the demo directory already has them, and prints how to
// sign in as each. Every run prints fresh secrets, since none is kept in
// the clear.
func demoUsers(ctx context.Context, e *env, cfg *config) error {
	dir, err := openDataDir(cfg, true)
	if err != nil {
		return err
	}
	defer dir.Close()
	st, _, err := openStore(ctx, cfg, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	ac, err := authConfig(cfg, dir)
	if err != nil {
		return err
	}
	m, err := auth.New(st, ac)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Demo users for the workspace (new secrets on every start):")
	for _, du := range demoUserList {
		_, cred, err := m.AddUser(ctx, "cli:demo", auth.NewUser{Username: du.username, Role: du.role})
		if lantern.ErrorCode(err) == lantern.ECONFLICT {
			_, cred, err = m.ResetUser(ctx, "cli:demo", du.username)
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", du.username, err)
		}
		fmt.Fprintf(e.stdout, "  %-13s %-13s password %s", du.username, du.role, cred.Password)
		if cred.TOTPSecret != "" {
			fmt.Fprintf(e.stdout, "  TOTP secret %s", cred.TOTPSecret)
		}
		fmt.Fprintf(e.stdout, "\n                              (%s)\n", du.note)
	}
	fmt.Fprintln(e.stdout, "  Add a TOTP secret to an authenticator app (as a time-based key) to get the sign-in codes.")
	return nil
}
