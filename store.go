package lantern

import "context"

// Store is the reference data store: the workforce, people, incidents and
// rosters that give monitored events their meaning, the alerts raised on
// them, and the workspace's users, sessions and audit trail. The SQLite and
// PostgreSQL adapters implement it and both pass the storetest contract
// suite.
type Store interface {
	StaffService
	PersonService
	IncidentService
	RosterService
	QuarantineService
	SourceService
	ProgressService
	AlertService
	UserService
	SessionService
	RestrictionService
	AuditService
	EventIndexService
	IntakeStore
	ScreeningService

	// Ping reports whether the store can serve requests; EUNAVAILABLE if not.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// ProgressService records how far a detection monitor has got through the
// event log, so that a restart saves only what is new.
type ProgressService interface {
	// MonitorProgress returns the event-log sequence recorded for owner,
	// or 0 when none is.
	MonitorProgress(ctx context.Context, owner string) (uint64, error)
	// SetMonitorProgress records seq for owner. It returns EINVALID for an
	// owner that is not a valid id.
	SetMonitorProgress(ctx context.Context, owner string, seq uint64) error
}
