package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/intake"
	"lantern/nats"
	"lantern/postgres"
	"lantern/report"
	"lantern/sqlite"
	"lantern/web"
)

// systemSettings are the settings of every command that opens Lantern's data:
// where it lives, which store and which event log.
func systemSettings() []setting {
	return []setting{
		{Name: "data-dir", Default: "./lantern-data", Usage: "directory for the embedded database and event log", Check: checkNotEmpty},
		{Name: "database", Usage: "PostgreSQL URL (postgres://…); empty uses SQLite in the data directory", Check: checkDatabaseURL},
		{Name: "nats", Usage: "external NATS server or cluster URLs (nats://host:port,…); empty runs JetStream embedded"},
		{Name: "nats-listen", Usage: "embedded NATS only: host:port to accept client connections on; empty means no listener"},
		{Name: "secrets-dir", Usage: "directory holding the installation's keys (phone hashing, quarantine sealing); empty means <data-dir>/secrets"},
		{Name: "nats-replicas", Default: "1", Usage: "external NATS only: stream replicas (1 or 3)", Check: checkOneOf("1", "3")},
		{Name: "log-level", Default: "info", Usage: "debug, info, warn or error", Check: checkOneOf("debug", "info", "warn", "error")},
		{Name: "log-format", Default: "text", Usage: "text or json", Check: checkOneOf("text", "json")},
	}
}

func checkDatabaseURL(v string) error {
	if v == "" || strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		return nil
	}
	return errors.New("must be empty (SQLite in the data directory) or a postgres:// URL")
}

// newLogger builds the process logger. Logs carry no secrets or personal data:
// callers log identifiers of Lantern's own objects, never event contents.
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.str("log-level")))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.str("log-format") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// dataDir is an open, locked data directory.
type dataDir struct {
	path string
	lock *os.File
}

// openDataDir creates the data directory if needed, proves it writable, and
// with lock takes an exclusive lock so two processes never share an embedded
// event log. Commands that use only the store do not lock.
func openDataDir(cfg *config, lock bool) (*dataDir, error) {
	path, err := filepath.Abs(cfg.str("data-dir"))
	if err != nil {
		return nil, cfg.settingError("data-dir", err)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, cfg.settingError("data-dir", fmt.Errorf("cannot create %s: %w", path, errors.Unwrap(err)))
	}
	probe, err := os.CreateTemp(path, ".write-test-*")
	if err != nil {
		return nil, cfg.settingError("data-dir", fmt.Errorf("%s is not writable: %w", path, errors.Unwrap(err)))
	}
	probe.Close()
	os.Remove(probe.Name())
	if !lock {
		return &dataDir{path: path}, nil
	}
	f, err := os.OpenFile(filepath.Join(path, "lantern.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, cfg.settingError("data-dir", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, cfg.settingError("data-dir", fmt.Errorf("%s is in use by another lantern process (a running 'lantern serve'? send records to it with --server)", path))
	}
	return &dataDir{path: path, lock: f}, nil
}

// Close releases the lock, if held.
func (d *dataDir) Close() error {
	if d.lock == nil {
		return nil
	}
	return d.lock.Close()
}

// openStore opens the store named by the configuration. Failing to reach it
// is a configuration error naming the setting.
func openStore(ctx context.Context, cfg *config, dir *dataDir) (lantern.Store, string, error) {
	if u := cfg.str("database"); u != "" {
		st, err := postgres.Open(ctx, u)
		if err != nil {
			return nil, "", cfg.settingError("database", errors.New(describe(err)))
		}
		return st, "postgres", nil
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir.path, "lantern.db"))
	if err != nil {
		return nil, "", cfg.settingError("data-dir", fmt.Errorf("cannot open the SQLite store: %s", describe(err)))
	}
	return st, "sqlite", nil
}

// openLog opens the event log named by the configuration.
func openLog(ctx context.Context, cfg *config, dir *dataDir, logger *slog.Logger) (*nats.Log, string, error) {
	ncfg := nats.Config{
		URL:        cfg.str("nats"),
		Listen:     cfg.str("nats-listen"),
		Replicas:   cfg.integer("nats-replicas"),
		SyncAlways: true,
		Logger:     logger,
	}
	kind := "nats-external"
	if ncfg.URL == "" {
		kind, ncfg.DataDir, ncfg.Replicas = "nats-embedded", filepath.Join(dir.path, "nats"), 1
	}
	l, err := nats.Open(ctx, ncfg)
	if err != nil {
		name := "nats"
		if ncfg.URL == "" {
			name = "nats-listen"
			if ncfg.Listen == "" {
				name = "data-dir"
			}
		}
		return nil, "", cfg.settingError(name, fmt.Errorf("cannot open the event log: %s", describe(err)))
	}
	return l, kind, nil
}

// system is the store, event log and intake a command works with.
type system struct {
	store     lantern.Store
	storeKind string
	log       *nats.Log
	logKind   string
	keys      *keys
	intake    *intake.Intake
	// clearIntel is set while intelligence items wait in clear for a unit
	// member's key (see sealClearIntel).
	clearIntel atomic.Bool
	// keyring and intel are made once, by sealedIntel.
	keyring *report.Keyring
	intel   *report.SealedIntel
}

// describe returns the message of a Lantern error, or the text of any other.
func describe(err error) string {
	var le *lantern.Error
	if errors.As(err, &le) {
		return le.Message
	}
	return err.Error()
}

// openSystem opens the store, the event log and intake (which replays the log
// into its indexes before it accepts anything).
func openSystem(ctx context.Context, cfg *config, dir *dataDir, logger *slog.Logger) (*system, error) {
	sys, err := openParts(ctx, cfg, dir, logger)
	if err != nil {
		return nil, err
	}
	if err := sys.startIntake(ctx, dir, logger, nil); err != nil {
		sys.Close()
		return nil, err
	}
	return sys, nil
}

// openParts opens the keys, the store and the event log: quick, and where a
// bad setting shows.
func openParts(ctx context.Context, cfg *config, dir *dataDir, logger *slog.Logger) (_ *system, err error) {
	sys := &system{}
	defer func() {
		if err != nil {
			sys.Close()
		}
	}()
	if sys.keys, err = loadKeys(cfg, dir); err != nil {
		return nil, err
	}
	if sys.store, sys.storeKind, err = openStore(ctx, cfg, dir); err != nil {
		return nil, err
	}
	if sys.log, sys.logKind, err = openLog(ctx, cfg, dir, logger); err != nil {
		return nil, err
	}
	return sys, nil
}

// startIntake starts intake, which first replays the event log from its last
// snapshot: this can take a while after a crash on a large log.
func (sys *system) startIntake(ctx context.Context, dir *dataDir, logger *slog.Logger, reg prometheus.Registerer) (err error) {
	sealIntel, err := screeningSealer(sys, logger)
	if err != nil {
		return err
	}
	sys.intake, err = intake.Open(ctx, intake.Config{
		Metrics: reg,
		Log:     sys.log, Store: sys.store, Phones: sys.keys.phones, Sealer: sys.keys.sealer,
		SnapshotPath: filepath.Join(dir.path, "intake.ids"),
		Logger:       logger.With("component", "intake"),
		SealIntel:    sealIntel,
	})
	if err != nil {
		return fmt.Errorf("start intake: %w", err)
	}
	return nil
}

// checks returns the readiness checks of the store and the event log.
func (s *system) checks() []web.Check {
	return []web.Check{
		{Name: "store (" + s.storeKind + ")", Check: s.store.Ping},
		{Name: "event log (" + s.logKind + ")", Check: s.log.Ready},
	}
}

// Close stops intake (saving its snapshot), closes the event log so nothing
// in flight is lost, then the store. It closes whatever was opened, once.
func (s *system) Close() error {
	var errs []error
	if s.intake != nil {
		errs = append(errs, s.intake.Close())
		s.intake = nil
	}
	if s.log != nil {
		errs = append(errs, s.log.Close())
		s.log = nil
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
		s.store = nil
	}
	return errors.Join(errs...)
}
