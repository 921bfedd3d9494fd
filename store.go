package lantern

import "context"

// Store is the reference data store: the workforce, people, incidents and
// rosters that give monitored events their meaning, and the alerts raised on
// them. The SQLite and PostgreSQL adapters implement it and both pass the
// storetest contract suite.
type Store interface {
	StaffService
	PersonService
	IncidentService
	RosterService
	QuarantineService
	SourceService
	AlertService

	// Ping reports whether the store can serve requests; EUNAVAILABLE if not.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}
