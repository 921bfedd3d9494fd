package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/detect"
	"lantern/index"
	"lantern/intake"
	"lantern/monitor"
)

// detectionSettings are the settings of the detection monitor in serve.
func detectionSettings() []setting {
	return []setting{
		{Name: "rules", Usage: "directory of rule files (YAML) to detect with; empty means the built-in library. Reloaded on SIGHUP or POST /api/v1/rules/reload"},
		{Name: "partitions", Default: "all", Usage: "event-log partitions (0-31) this process judges, as 0-15 or 0,2,4-7; run one process per share on an external NATS cluster", Check: checkPartitions},
		{Name: "peer-wait", Default: "1m", Usage: "with some partitions: how long to wait for the other processes' peer figures before going on without them", Check: checkDuration},
		{Name: "event-retention", Usage: "how long raw access and comms events stay in the event log and the event index (90d, 2y); empty keeps them all. Reference data is always kept", Check: checkLongDuration},
		{Name: "workspace-capacity", Default: "25", Usage: "alerts the unit can handle in a week: the size of the workspace's alert queue", Check: checkIntRange(1, 100000)},
	}
}

func checkPartitions(v string) error {
	_, err := monitor.ParsePartitions(v)
	return err
}

// detection is the running monitor of serve, with its rule source.
type detection struct {
	monitor *monitor.Monitor
	peers   *monitor.PeerExchange
	rules   rulesSource
	owner   string
	logger  *slog.Logger

	// The event index runs beside the monitor over the same partitions.
	indexer      *index.Indexer
	stopIndex    context.CancelFunc
	indexStopped chan struct{}

	mu      sync.Mutex // serialises reloads
	cancel  context.CancelFunc
	stopped chan struct{} // closed when the monitor has stopped
	err     error         // why, once stopped
}

// progressOwner names a monitor's progress in the store: by the partitions
// it judges, so that processes sharing the partitions keep their own.
func progressOwner(partitions []int) string {
	if len(partitions) == 0 {
		return "monitor:all"
	}
	return "monitor:" + monitor.FormatPartitions(partitions)
}

// startDetection loads the rule set and starts a monitor over the event log
// that saves alerts to the store. A rule set that does not load stops start-up
// with its file:line errors.
func startDetection(ctx context.Context, cfg *config, sys *system, logger *slog.Logger, reg prometheus.Registerer) (*detection, error) {
	src := rulesSource{dir: cfg.str("rules")}
	set, err := src.load()
	if err != nil {
		return nil, cfg.settingError("rules", err)
	}
	partitions, _ := monitor.ParsePartitions(cfg.str("partitions"))
	d := &detection{rules: src, owner: progressOwner(partitions), logger: logger.With("component", "detect")}
	resume, err := sys.store.MonitorProgress(ctx, d.owner)
	if err != nil {
		return nil, fmt.Errorf("read detection progress: %w", err)
	}
	mcfg := monitor.Config{
		Log: sys.log, Phones: sys.keys.phones, Rules: set, Sink: storeSink{sys.store, d.owner},
		Partitions: partitions, Logger: d.logger, Metrics: reg, Resume: resume,
	}
	if len(partitions) > 0 {
		d.peers, err = monitor.OpenPeerExchange(ctx, sys.log, partitions, cfg.duration("peer-wait"), logger)
		if err != nil {
			return nil, err
		}
		mcfg.Peers = d.peers
	}
	if d.monitor, err = monitor.New(mcfg); err != nil {
		d.closePeers()
		return nil, err
	}
	mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.stopped = cancel, make(chan struct{})
	go func() {
		d.err = d.monitor.Run(mctx)
		close(d.stopped)
	}()
	if err := d.startIndex(ctx, sys, partitions, logger, reg); err != nil {
		d.Close()
		return nil, err
	}
	d.logger.Info("detection started", "rules", src.String(), "rule_count", len(set.Rules()),
		"partitions", cfg.str("partitions"), "resume_seq", resume)
	return d, nil
}

// Reload loads the rule set again and, if it loads, puts it in place; a rule
// set that fails leaves the one running in place and returns the errors.
func (d *detection) Reload() (*detect.RuleSet, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	set, err := d.rules.load()
	if err != nil {
		d.logger.Warn("rule reload failed; the running rules stay in place", "rules", d.rules.String(), "error", err)
		return nil, err
	}
	d.monitor.SetRules(set)
	d.logger.Info("rules reloaded", "rules", d.rules.String(), "rule_count", len(set.Rules()))
	return set, nil
}

// Rules returns the rule set in use.
func (d *detection) Rules() *detect.RuleSet { return d.monitor.Engine().Rules() }

// Stopped is closed when the monitor stops; Err then says why (nil when it
// was asked to stop).
func (d *detection) Stopped() <-chan struct{} { return d.stopped }

// Err returns why the monitor stopped, once Stopped is closed.
func (d *detection) Err() error { return d.err }

// Close stops the monitor (what it judged and saved stays saved; the next
// start replays the rest).
func (d *detection) Close() error {
	if d.stopIndex != nil {
		d.stopIndex()
		<-d.indexStopped
	}
	d.cancel()
	<-d.stopped
	d.closePeers()
	return d.err
}

// startIndex starts the event index's projection of the partitions the
// monitor judges. If it fails it logs why and stops; detection goes on,
// and the next start replays what it missed.
func (d *detection) startIndex(ctx context.Context, sys *system, partitions []int, logger *slog.Logger, reg prometheus.Registerer) error {
	ilog := logger.With("component", "index")
	x, err := index.New(index.Config{Log: sys.log, Phones: sys.keys.phones, Store: sys.store,
		Partitions: partitions, Logger: ilog, Metrics: reg})
	if err != nil {
		return err
	}
	ictx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.indexer, d.stopIndex, d.indexStopped = x, cancel, make(chan struct{})
	go func() {
		defer close(d.indexStopped)
		if err := x.Run(ictx); err != nil {
			ilog.Error("the event index stopped; it catches up on the next start", "error", err)
		}
	}()
	return nil
}

// Fixtures returns where the rule set's fixture files are, for the
// workspace's rules page.
func (d *detection) Fixtures() (fs.FS, string) {
	fsys, dir, err := d.rules.fs()
	if err != nil {
		return nil, ""
	}
	return fsys, path.Join(dir, "testdata")
}

func (d *detection) closePeers() {
	if d.peers != nil {
		d.peers.Close()
	}
}

// storeSink saves a monitor's alerts and progress in the store.
type storeSink struct {
	store lantern.Store
	owner string
}

func (s storeSink) SaveAlerts(ctx context.Context, alerts []detect.Alert, upTo uint64) error {
	if len(alerts) > 0 {
		out := make([]*lantern.Alert, len(alerts))
		for i := range alerts {
			out[i] = domainAlert(alerts[i])
		}
		if err := s.store.SaveAlerts(ctx, out...); err != nil {
			return err
		}
	}
	return s.store.SetMonitorProgress(ctx, s.owner, upTo)
}

// domainAlert converts an engine finding to the stored alert.
func domainAlert(a detect.Alert) *lantern.Alert {
	return &lantern.Alert{
		ID: a.ID, Rule: a.Rule, StaffID: a.StaffID, Key: a.Key, Severity: a.Severity, Score: a.Score,
		Signal: a.Signal, FirstEvidence: a.FirstEvidence, LastEvidence: a.LastEvidence,
		EvidenceIDs: a.EvidenceIDs, Matches: a.Matches, Explanation: a.Explanation,
	}
}

// retention purges raw events older than keep from the event log, and
// from the event index, once an hour until ctx ends.
func retention(ctx context.Context, sys *system, keep time.Duration, logger *slog.Logger) {
	purge := func() {
		before := time.Now().Add(-keep)
		n, err := sys.log.PurgeBefore(ctx, intake.EventSubjects, before)
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			logger.Error("event retention: purge failed", "error", err)
		case n > 0:
			logger.Info("event retention: purged raw events", "messages", n, "older_than", keep.String())
		}
		m, err := index.Purge(ctx, sys.store, before)
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			logger.Error("event retention: purging the event index failed", "error", err)
		case m > 0:
			logger.Info("event retention: purged indexed events", "events", m, "older_than", keep.String())
		}
	}
	purge()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			purge()
		}
	}
}
