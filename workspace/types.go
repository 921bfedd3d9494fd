package workspace

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"lantern"
	"lantern/detect"
)

// Defaults of Config.
const (
	// DefaultCapacity is the alerts a unit is taken to handle in a week
	// when its capacity is not set.
	DefaultCapacity = 25
	// DefaultHalfLife is how fast an alert's part in a risk score decays.
	DefaultHalfLife = 30 * 24 * time.Hour
	// DefaultPersonPage is the accesses a person view shows at once.
	DefaultPersonPage = 50
)

// RuleSource gives the rule set detection runs with and where its fixtures
// are. A reload gives a new *detect.RuleSet; the workspace treats each one
// as a version of the rules.
type RuleSource interface {
	// Rules returns the rule set in use.
	Rules() *detect.RuleSet
	// Fixtures returns the file system and directory holding the rule set's
	// fixture files (*.yaml), or a nil fs.FS when it has none.
	Fixtures() (fs.FS, string)
}

// Config is what a Service is built from. Every store interface is
// required except where noted.
type Config struct {
	Alerts     lantern.AlertService
	Staff      lantern.StaffService
	Persons    lantern.PersonService
	Incidents  lantern.IncidentService
	Roster     lantern.RosterService
	Quarantine lantern.QuarantineService
	Sources    lantern.SourceService
	Index      lantern.EventIndexService
	Audit      lantern.AuditService
	// Intel is the intelligence log: items linked to a member of staff
	// show on their profile and count in their risk score, and escalating
	// an alert records one. Nil leaves intelligence out.
	Intel lantern.IntelService
	// Rules is the running rule set; nil leaves Rules without fixture
	// results or descriptions.
	Rules RuleSource
	// Capacity is how many alerts the unit can handle in a week: the queue
	// shows that many by default. DefaultCapacity when 0.
	Capacity int
	// HalfLife is how fast an alert's part in a risk score halves.
	// DefaultHalfLife when 0.
	HalfLife time.Duration
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

// QueueFilter narrows the alert queue. Zero fields match everything.
type QueueFilter struct {
	Rule      string    // the rule's name
	StaffRole string    // the policing role of the member of staff (Staff.Role)
	Team      string    // the member of staff's team
	State     string    // one of lantern.AlertStates; "" means new and triaged
	Since     time.Time // alerts whose last evidence is at or after Since
	Until     time.Time // alerts whose first evidence is before Until
	Limit     int       // 0 means the unit's weekly capacity
}

// QueueItem is one alert in the queue with what ranks it.
type QueueItem struct {
	Rank      int           `json:"rank"` // from 1
	Alert     lantern.Alert `json:"alert"`
	Staff     StaffSummary  `json:"staff"`
	StaffRisk float64       `json:"staff_risk"` // the member of staff's risk score, which ranks the queue
}

// StaffSummary is what the queue and timelines show of a member of staff.
type StaffSummary struct {
	ID           string `json:"id"`
	CollarNumber string `json:"collar_number,omitempty"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"role,omitempty"`
	Rank         string `json:"rank,omitempty"`
	Team         string `json:"team,omitempty"`
	Station      string `json:"station,omitempty"`
}

// Queue is the unit's work: open alerts ranked by the risk of the member of
// staff they are about, sized to the unit's capacity.
type Queue struct {
	Items    []QueueItem `json:"items"`
	Capacity int         `json:"capacity"` // alerts the unit handles in a week
	Matching int         `json:"matching"` // alerts matching the filter, shown or not
	Waiting  int         `json:"waiting"`  // of Matching, how many are not shown
	At       time.Time   `json:"at"`       // the instant risk was taken at
}

// Kinds of timeline entry.
const (
	EntryAccess     = "access"     // an access to a force system (from the event index)
	EntryComms      = "comms"      // a call or message on a work device
	EntryIncident   = "incident"   // an incident opening, closing or reopening
	EntryAssignment = "assignment" // a member of staff assigned to or attending an incident
	EntryShift      = "shift"      // a roster entry
)

// TimelineEntry is one thing on an alert's evidence timeline.
type TimelineEntry struct {
	At         time.Time  `json:"at"`
	End        *time.Time `json:"end,omitempty"` // for spans: shifts, assignments that ended
	Kind       string     `json:"kind"`          // one of the Entry kinds
	Evidence   bool       `json:"evidence"`      // one of the alert's evidence events
	EventID    string     `json:"event_id,omitempty"`
	StaffID    string     `json:"staff_id,omitempty"`
	PersonID   string     `json:"person_id,omitempty"`
	IncidentID string     `json:"incident_id,omitempty"`
	System     string     `json:"system,omitempty"`
	Action     string     `json:"action,omitempty"`
	// Purpose and PurposeReason give the verdict on an event (see
	// lantern.PurposeYes); for an incident or assignment, whether it gave
	// the member of staff a policing purpose.
	Purpose       string `json:"purpose,omitempty"`
	PurposeReason string `json:"purpose_reason,omitempty"`
	Summary       string `json:"summary"` // the entry in plain words
}

// AlertDetail is an alert with everything an analyst needs to judge it.
type AlertDetail struct {
	Alert      lantern.Alert   `json:"alert"`
	Staff      StaffSummary    `json:"staff"`
	NextStates []string        `json:"next_states"` // the states it may move to
	Risk       RiskNow         `json:"risk"`        // the member of staff's risk now
	Timeline   []TimelineEntry `json:"timeline"`    // oldest first
	// Missing lists evidence event ids the index no longer holds (purged
	// by retention, or not yet indexed).
	Missing []string `json:"missing,omitempty"`
}

// RiskNow is a member of staff's current risk score and why.
type RiskNow struct {
	Score       float64   `json:"score"`
	At          time.Time `json:"at"`
	Explanation string    `json:"explanation"`
}

// RiskPoint is a member of staff's risk score at the end of one day (UTC).
type RiskPoint struct {
	Day   time.Time `json:"day"`
	Score float64   `json:"score"`
}

// Kinds of profile timeline entry. Reports, referrals and cases come with
// later parts of the workspace.
const (
	ProfileAlert    = "alert"
	ProfileReport   = "report"
	ProfileReferral = "referral"
	ProfileCase     = "case"
	// ProfileIntel is an intelligence item an analyst linked to the
	// member of staff.
	ProfileIntel = "intelligence"
)

// ProfileEntry is one thing about a member of staff on their profile's
// timeline.
type ProfileEntry struct {
	Kind     string         `json:"kind"` // one of the Profile kinds
	ID       string         `json:"id"`
	At       time.Time      `json:"at"`              // when it began (an alert's first evidence)
	Until    time.Time      `json:"until,omitempty"` // when it last changed (an alert's last evidence)
	Title    string         `json:"title"`           // the rule, or the report's subject
	State    string         `json:"state,omitempty"`
	Severity string         `json:"severity,omitempty"`
	Alert    *lantern.Alert `json:"alert,omitempty"` // for ProfileAlert
	// Weight is what an intelligence item adds to the risk score before
	// decay (see IntelWeight), for ProfileIntel.
	Weight float64 `json:"weight,omitempty"`
}

// StaffProfile is everything the unit holds about one member of staff.
type StaffProfile struct {
	Staff    lantern.Staff  `json:"staff"`
	Risk     RiskNow        `json:"risk"`
	Series   []RiskPoint    `json:"series"`   // one point a day from the first alert to the latest evidence, oldest first
	Timeline []ProfileEntry `json:"timeline"` // newest first
}

// PersonSummary is what a person view shows of the person: no telephone
// numbers, not even hashed.
type PersonSummary struct {
	ID        string   `json:"id"`
	Gender    string   `json:"gender"`
	BirthYear int      `json:"birth_year,omitempty"`
	Area      string   `json:"area,omitempty"`
	Flags     []string `json:"flags,omitempty"`
}

// PersonAccess is one access to a person's records, or contact with them.
type PersonAccess struct {
	EventID       string       `json:"event_id"`
	At            time.Time    `json:"at"`
	Kind          string       `json:"kind"` // lantern.IndexedAccess or IndexedComms
	Staff         StaffSummary `json:"staff"`
	System        string       `json:"system"`
	Action        string       `json:"action"`
	Fields        []string     `json:"fields,omitempty"`
	IncidentID    string       `json:"incident_id,omitempty"`
	Purpose       string       `json:"purpose"`
	PurposeReason string       `json:"purpose_reason"`
}

// PersonView is who accessed a person's records, newest first, one page at
// a time.
type PersonView struct {
	Person   PersonSummary     `json:"person"`
	Accesses []PersonAccess    `json:"accesses"`
	Total    int               `json:"total"`
	Page     lantern.IndexPage `json:"page"`
}

// FixtureSummary is how a rule fared on the fixtures that test it.
type FixtureSummary struct {
	Passed   int      `json:"passed"`
	Failed   int      `json:"failed"`
	Problems []string `json:"problems,omitempty"` // one line per failing case
}

// RuleSummary is one active rule with how it has done.
type RuleSummary struct {
	Name          string                  `json:"name"`
	Description   string                  `json:"description"`
	Severity      string                  `json:"severity"`
	Kind          string                  `json:"kind"`
	Signal        bool                    `json:"signal"`
	File          string                  `json:"file,omitempty"`
	Counts        lantern.RuleAlertCounts `json:"counts"` // hits by state
	DismissalRate float64                 `json:"dismissal_rate"`
	Fixtures      FixtureSummary          `json:"fixtures"`
}

// SourceSummary is an API source as the intake page shows it: never its
// token.
type SourceSummary struct {
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// IntakeRate is how many events of one kind arrived over a recent period,
// by event time up to the latest event.
type IntakeRate struct {
	Kind    string    `json:"kind"`
	Latest  time.Time `json:"latest"`   // the latest event's time
	LastDay int       `json:"last_day"` // events in the 24 hours up to Latest
	PerHour float64   `json:"per_hour"` // LastDay / 24
}

// RejectSummary is a quarantined row without its content.
type RejectSummary struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	Kind       string    `json:"kind"`
	Format     string    `json:"format"`
	Line       int       `json:"line"`
	Field      string    `json:"field,omitempty"`
	Reason     string    `json:"reason"`
	State      string    `json:"state"`
	ReceivedAt time.Time `json:"received_at"`
}

// IntakeSummary is the state of intake: sources, rates and quarantine.
type IntakeSummary struct {
	Sources    []SourceSummary `json:"sources"`
	Rates      []IntakeRate    `json:"rates"`
	Quarantine map[string]int  `json:"quarantine"` // rejected rows by state
	Latest     []RejectSummary `json:"latest_rejects"`
}

// Workspace is what the web layer needs of the workspace; *Service
// implements it. Every method authorises the principal ctx carries and
// appends one entry to the audit trail, allowed or denied, before returning.
// A denied call returns lantern.Authorize's EUNAUTHORIZED or EFORBIDDEN.
type Workspace interface {
	Queue(ctx context.Context, f QueueFilter) (Queue, error)
	Alert(ctx context.Context, id string) (AlertDetail, error)
	ChangeAlert(ctx context.Context, id string, u lantern.AlertStateUpdate) (lantern.Alert, error)
	StaffProfile(ctx context.Context, staffID string) (StaffProfile, error)
	Person(ctx context.Context, personID string, page lantern.IndexPage) (PersonView, error)
	Rules(ctx context.Context) ([]RuleSummary, error)
	Intake(ctx context.Context) (IntakeSummary, error)
	AuditSearch(ctx context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error)
}

var _ Workspace = (*Service)(nil)
