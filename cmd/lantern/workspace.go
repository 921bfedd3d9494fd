package main

import (
	"fmt"
	"log/slog"
	"strings"

	"lantern"
	"lantern/auth"
	"lantern/web"
	"lantern/workspace"
)

// workspaceSettings are the settings of the analysts' pages besides signing
// in (authSettings) and the queue's size (workspace-capacity): how the
// sign-in page names single sign-on.
func workspaceSettings() []setting {
	return []setting{
		{Name: "oidc-name", Usage: "single sign-on: what the sign-in button calls the identity provider (\"Sign in with …\"); empty says \"single sign-on\""},
		{Name: "force-names", Usage: "comma-separated names this force goes by (\"Midshire Police, Midshire Constabulary\"): a referral naming another force says so beside each proposed member of staff; empty notes any named force for checking"},
	}
}

// forceNames is the force-names setting as a list.
func forceNames(cfg *config) []string {
	var out []string
	for _, n := range strings.Split(cfg.str("force-names"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// newWorkspace builds the workspace's domain services over the store, the
// running rules and the audit trail, sized by the workspace-capacity
// setting, for the web layer.
func newWorkspace(cfg *config, sys *system, det *detection, audit lantern.AuditService, intel lantern.IntelService, logger *slog.Logger) (*workspace.Service, error) {
	return workspace.NewFromStore(sys.store, audit, det, workspace.Options{
		Capacity: cfg.integer("workspace-capacity"), HalfLife: web.RiskHalfLife,
		Logger: logger.With("component", "workspace"), Intel: intel,
	})
}

// openWorkspace builds the authenticator and the workspace service over
// the open system, the running detection and the intelligence log (sealed
// at rest; the workspace needs items' metadata only).
func openWorkspace(cfg *config, dir *dataDir, sys *system, det *detection, intel lantern.IntelService, logger *slog.Logger, hooks ...auth.Hook) (*auth.Manager, *workspace.Service, error) {
	ac, err := authConfig(cfg, dir)
	if err != nil {
		return nil, nil, err
	}
	ac.Hooks = append(ac.Hooks, hooks...)
	am, err := auth.New(sys.store, ac)
	if err != nil {
		return nil, nil, fmt.Errorf("sign-in: %w", err)
	}
	ws, err := newWorkspace(cfg, sys, det, sys.store, intel, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("workspace: %w", err)
	}
	return am, ws, nil
}
