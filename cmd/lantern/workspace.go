package main

import (
	"log/slog"

	"lantern"
	"lantern/web"
	"lantern/workspace"
)

// newWorkspace builds the workspace's domain services over the store, the
// running rules and the audit trail, sized by the workspace-capacity
// setting, for the web layer.
func newWorkspace(cfg *config, sys *system, det *detection, audit lantern.AuditService, logger *slog.Logger) (*workspace.Service, error) {
	return workspace.NewFromStore(sys.store, audit, det, workspace.Options{
		Capacity: cfg.integer("workspace-capacity"), HalfLife: web.RiskHalfLife,
		Logger: logger.With("component", "workspace"),
	})
}

// storeWorkspace builds the workspace when the store keeps the audit trail
// (every store that can serve the workspace does), or returns nil.
func storeWorkspace(cfg *config, sys *system, det *detection, logger *slog.Logger) (*workspace.Service, error) {
	audit, ok := sys.store.(lantern.AuditService)
	if !ok {
		return nil, nil
	}
	return newWorkspace(cfg, sys, det, audit, logger)
}
