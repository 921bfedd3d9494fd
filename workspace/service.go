// Package workspace holds the domain services behind the counter-corruption
// unit's workspace: the alert queue, alert detail, staff profiles, person
// views, rules, intake and the audit trail search. Every method checks the
// signed-in principal against lantern.Authorize and records the call on the
// audit trail before it returns anything.
package workspace

import (
	"context"

	"lantern"
)

// Service implements Workspace over the stores in its Config.
type Service struct {
	cfg Config
}

// New returns a Service, or EINVALID naming a missing dependency.
func New(cfg Config) (*Service, error) {
	return &Service{cfg: cfg}, nil
}

var errTODO = lantern.Errorf(lantern.ENOTIMPLEMENTED, "Not built yet.")

// Queue returns the open alerts ranked by risk (see Workspace).
func (s *Service) Queue(ctx context.Context, f QueueFilter) (Queue, error) {
	return Queue{}, errTODO
}

// Alert returns one alert with its evidence timeline.
func (s *Service) Alert(ctx context.Context, id string) (AlertDetail, error) {
	return AlertDetail{}, errTODO
}

// ChangeAlert applies an analyst's decision to an alert.
func (s *Service) ChangeAlert(ctx context.Context, id string, u lantern.AlertStateUpdate) (lantern.Alert, error) {
	return lantern.Alert{}, errTODO
}

// StaffProfile returns a member of staff's record, risk and timeline.
func (s *Service) StaffProfile(ctx context.Context, staffID string) (StaffProfile, error) {
	return StaffProfile{}, errTODO
}

// Person returns who accessed a person's records.
func (s *Service) Person(ctx context.Context, personID string, page lantern.IndexPage) (PersonView, error) {
	return PersonView{}, errTODO
}

// Rules returns the active rules with their figures.
func (s *Service) Rules(ctx context.Context) ([]RuleSummary, error) {
	return nil, errTODO
}

// Intake returns the state of intake.
func (s *Service) Intake(ctx context.Context) (IntakeSummary, error) {
	return IntakeSummary{}, errTODO
}

// AuditSearch searches the audit trail.
func (s *Service) AuditSearch(ctx context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	return nil, errTODO
}
