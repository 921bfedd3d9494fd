package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"lantern/auth"
	"lantern/index"
	"lantern/monitor"
	"lantern/workspace"
)

// workspaceSettings are the settings of the analysts' workspace in serve
// besides signing in (authSettings): the unit's capacity and how the
// sign-in page names single sign-on.
func workspaceSettings() []setting {
	return []setting{
		{Name: "unit-capacity", Default: "25", Usage: "alerts the unit can handle in a week: the size of the alert queue", Check: checkIntRange(1, 100_000)},
		{Name: "oidc-name", Usage: "single sign-on: what the sign-in button calls the identity provider (\"Sign in with …\"); empty says \"single sign-on\""},
	}
}

// fixtures gives the workspace the running rule library's fixtures.
func (d *detection) Fixtures() (fs.FS, string) {
	fsys, dir, err := d.rules.fs()
	if err != nil {
		return nil, ""
	}
	return fsys, dir
}

// openWorkspace builds the authenticator and the workspace service over
// the open system and the running detection.
func openWorkspace(cfg *config, dir *dataDir, sys *system, det *detection, logger *slog.Logger) (*auth.Manager, *workspace.Service, error) {
	ac, err := authConfig(cfg, dir)
	if err != nil {
		return nil, nil, err
	}
	am, err := auth.New(sys.store, ac)
	if err != nil {
		return nil, nil, fmt.Errorf("sign-in: %w", err)
	}
	var rules workspace.RuleSource
	if det != nil {
		rules = det
	}
	ws, err := workspace.New(workspace.Config{
		Alerts: sys.store, Staff: sys.store, Persons: sys.store, Incidents: sys.store, Roster: sys.store,
		Quarantine: sys.store, Sources: sys.store, Index: sys.store, Audit: sys.store, Rules: rules,
		Capacity: cfg.integer("unit-capacity"), Logger: logger.With("component", "workspace"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("workspace: %w", err)
	}
	return am, ws, nil
}

// startIndex projects the event log's access and comms events, with their
// purpose verdicts, into the store's event index for the workspace's
// evidence timelines and person views. It runs until ctx ends, and the
// channel it returns closes once it has stopped; a failure is logged and
// leaves the pages without the newest events.
func startIndex(ctx context.Context, cfg *config, sys *system, logger *slog.Logger, reg prometheus.Registerer) (<-chan struct{}, error) {
	partitions, _ := monitor.ParsePartitions(cfg.str("partitions"))
	x, err := index.New(index.Config{Log: sys.log, Phones: sys.keys.phones, Store: sys.store, Partitions: partitions,
		Logger: logger.With("component", "index"), Metrics: reg})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := x.Run(ctx); err != nil && ctx.Err() == nil {
			logger.Error("event index stopped", "error", err)
		}
	}()
	return done, nil
}
