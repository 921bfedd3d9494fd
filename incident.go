package lantern

import (
	"context"
	"time"
)

// Incident types that the simulator and built-in rules know by name. Any token
// is accepted.
const (
	IncidentDomesticAbuse     = "domestic_abuse"
	IncidentSexualOffence     = "sexual_offence"
	IncidentTheft             = "theft"
	IncidentBurglary          = "burglary"
	IncidentAssault           = "assault"
	IncidentConcernForWelfare = "concern_for_welfare"
	IncidentMissingPerson     = "missing_person"
	IncidentStalking          = "stalking_harassment"
	IncidentPublicOrder       = "public_order"
	IncidentRoadTraffic       = "road_traffic"
	IncidentCriminalDamage    = "criminal_damage"
	IncidentDrugs             = "drugs"
)

// Incident statuses.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Parts a person plays in an incident.
const (
	PartVictim  = "victim"
	PartSuspect = "suspect"
	PartWitness = "witness"
	PartOther   = "other"
)

// Kinds of link between a member of staff and an incident. Either one is a
// policing purpose for looking at the incident and the people in it.
const (
	AssignmentAssigned = "assigned" // tasked with the incident or its investigation
	AssignmentAttended = "attended" // was at the scene
)

// Incident is an occurrence in the force's records: a call for service, a
// crime, a concern for welfare. People are involved in it, and staff are
// assigned to it or attend it.
type Incident struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"`
	Status   string     `json:"status"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"` // set while Status is closed
	// StatusAt is when the current status took effect: the opening, the
	// closing, or a reopening. Validate fills it from OpenedAt or ClosedAt
	// when it is zero. Stores record it in the status history, so a replay
	// of the same records gives the same history.
	StatusAt time.Time `json:"status_at"`
	Area     string    `json:"area,omitempty"`

	// Involvements and Assignments are filled by FindIncidentByID.
	Involvements []*Involvement `json:"involvements,omitempty"`
	Assignments  []*Assignment  `json:"assignments,omitempty"`

	UpdatedAt time.Time `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault. It
// fills a zero StatusAt from OpenedAt (open) or ClosedAt (closed).
func (i *Incident) Validate() error {
	if err := ValidateID("id", i.ID); err != nil {
		return err
	}
	if err := ValidateToken("type", i.Type); err != nil {
		return err
	}
	if err := ValidateOneOf("status", i.Status, StatusOpen, StatusClosed); err != nil {
		return err
	}
	if err := ValidateTime("opened_at", i.OpenedAt); err != nil {
		return err
	}
	switch {
	case i.Status == StatusClosed && i.ClosedAt == nil:
		return FieldErrorf("closed_at", "closed_at is required when status is closed")
	case i.Status == StatusOpen && i.ClosedAt != nil:
		return FieldErrorf("closed_at", "closed_at must be empty when status is open")
	case i.ClosedAt != nil && i.ClosedAt.Before(i.OpenedAt):
		return FieldErrorf("closed_at", "closed_at is before opened_at")
	}
	if i.StatusAt.IsZero() {
		i.StatusAt = i.OpenedAt
		if i.ClosedAt != nil {
			i.StatusAt = *i.ClosedAt
		}
	}
	switch {
	case i.StatusAt.Before(i.OpenedAt):
		return FieldErrorf("status_at", "status_at is before opened_at")
	case i.ClosedAt != nil && !i.StatusAt.Equal(*i.ClosedAt):
		return FieldErrorf("status_at", "status_at of a closed incident must equal closed_at")
	}
	if i.Area != "" {
		if err := ValidateID("area", i.Area); err != nil {
			return err
		}
	}
	return nil
}

// Involvement records that a person plays a part in an incident.
type Involvement struct {
	IncidentID string    `json:"incident_id"`
	PersonID   string    `json:"person_id"`
	Part       string    `json:"part"`
	At         time.Time `json:"at"` // when the link was recorded
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (v *Involvement) Validate() error {
	if err := ValidateID("incident_id", v.IncidentID); err != nil {
		return err
	}
	if err := ValidateID("person_id", v.PersonID); err != nil {
		return err
	}
	if err := ValidateOneOf("part", v.Part, PartVictim, PartSuspect, PartWitness, PartOther); err != nil {
		return err
	}
	return ValidateTime("at", v.At)
}

// Assignment records that a member of staff was assigned to, or attended, an
// incident. It is the policing purpose that justifies their access to the
// incident and the people in it.
type Assignment struct {
	IncidentID string     `json:"incident_id"`
	StaffID    string     `json:"staff_id"`
	Kind       string     `json:"kind"`
	At         time.Time  `json:"at"`
	Until      *time.Time `json:"until,omitempty"` // when the tasking ended, if it did
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (a *Assignment) Validate() error {
	if err := ValidateID("incident_id", a.IncidentID); err != nil {
		return err
	}
	if err := ValidateID("staff_id", a.StaffID); err != nil {
		return err
	}
	if err := ValidateOneOf("kind", a.Kind, AssignmentAssigned, AssignmentAttended); err != nil {
		return err
	}
	if err := ValidateTime("at", a.At); err != nil {
		return err
	}
	if a.Until != nil && a.Until.Before(a.At) {
		return FieldErrorf("until", "until is before at")
	}
	return nil
}

// StatusChange records an incident opening, closing or reopening. The history
// of changes answers whether a case was open at a given instant.
type StatusChange struct {
	IncidentID string    `json:"incident_id"`
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (c *StatusChange) Validate() error {
	if err := ValidateID("incident_id", c.IncidentID); err != nil {
		return err
	}
	if err := ValidateOneOf("status", c.Status, StatusOpen, StatusClosed); err != nil {
		return err
	}
	return ValidateTime("at", c.At)
}

// IncidentFilter selects incidents. Nil fields match everything.
type IncidentFilter struct {
	ID       *string
	Type     *string
	Status   *string
	PersonID *string // incidents this person is involved in
	StaffID  *string // incidents this member of staff is assigned to or attended
	Offset   int
	Limit    int // 0 means no limit
}

// IncidentService reads and writes incidents and the links that give staff a
// policing purpose.
type IncidentService interface {
	// FindIncidentByID returns one incident with its involvements and
	// assignments, or ENOTFOUND.
	FindIncidentByID(ctx context.Context, id string) (*Incident, error)
	// FindIncidents returns incidents matching filter ordered by ID, without
	// involvements or assignments, and the total number that match.
	FindIncidents(ctx context.Context, filter IncidentFilter) ([]*Incident, int, error)
	// UpsertIncidents validates and inserts or replaces incidents by ID. A new
	// incident, or a change of status, is recorded in the status history at
	// StatusAt; a record whose StatusAt is older than the latest change in
	// the history updates the other fields but not the current status.
	UpsertIncidents(ctx context.Context, incidents ...*Incident) error
	// AddInvolvements records people's parts in incidents; recording the same
	// (incident, person, part) again is a no-op. ENOTFOUND if an incident or
	// person does not exist.
	AddInvolvements(ctx context.Context, involvements ...*Involvement) error
	// AddAssignments records staff links to incidents; recording the same
	// (incident, staff, kind, at) again replaces Until. ENOTFOUND if an
	// incident or member of staff does not exist.
	AddAssignments(ctx context.Context, assignments ...*Assignment) error
	// SetIncidentStatus applies a status change and records it in the history.
	// A change older than the incident's latest is recorded in the history but
	// does not alter the current status. ENOTFOUND if the incident is unknown.
	SetIncidentStatus(ctx context.Context, change *StatusChange) error
	// IncidentOpenAt reports whether the incident was open at t according to
	// its status history. ENOTFOUND if the incident is unknown.
	IncidentOpenAt(ctx context.Context, incidentID string, t time.Time) (bool, error)
}
