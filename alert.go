package lantern

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// Severities of an alert, taken from its rule.
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// States of an alert in the unit's hands. See AlertNextStates for the moves
// between them.
const (
	AlertNew       = "new"       // raised, nobody has looked at it
	AlertTriaged   = "triaged"   // an analyst is looking at it
	AlertDismissed = "dismissed" // a false alert, with the reason why
	AlertEscalated = "escalated" // passed on as intelligence or to a case; final
)

// AlertStates lists the alert states in the order a page shows them.
var AlertStates = []string{AlertNew, AlertTriaged, AlertDismissed, AlertEscalated}

// Orders FindAlerts can list alerts in.
const (
	AlertOrderScore  = "score"  // highest score first, then ID; the default
	AlertOrderLatest = "latest" // latest LastEvidence first, then ID
)

// Bounds on the text an alert carries.
const (
	// MaxAlertEvidence bounds the event ids an alert keeps: the first ones
	// the engine found, which is enough to show why it fired.
	MaxAlertEvidence = 50
	// MaxAlertKeyBytes bounds an alert's Key, which may be search text.
	MaxAlertKeyBytes = MaxQueryBytes
	// MaxExplanationBytes bounds an alert's Explanation.
	MaxExplanationBytes = 16 << 10
	// MaxStateReasonBytes bounds the reason given for a change of state.
	MaxStateReasonBytes = 4096
)

// alertTransitions is the alert state machine: the states each state may move
// to. Escalated is final: once the unit has acted on an alert, undoing that
// is a matter for the case, not the queue.
var alertTransitions = map[string][]string{
	AlertNew:       {AlertTriaged, AlertDismissed, AlertEscalated},
	AlertTriaged:   {AlertDismissed, AlertEscalated},
	AlertDismissed: {AlertTriaged}, // reopened
	AlertEscalated: nil,
}

// AlertNextStates returns the states an alert in state from may move to, in
// the order of AlertStates; none for escalated or a state that is not one of
// AlertStates.
func AlertNextStates(from string) []string {
	return slices.Clone(alertTransitions[from])
}

// AlertTransitionAllowed reports whether an alert in state from may move to
// state to.
func AlertTransitionAllowed(from, to string) bool {
	return slices.Contains(alertTransitions[from], to)
}

// AlertStateNeedsReason reports whether moving an alert to state needs a
// reason: dismissing does, because dismissals measure a rule's false alerts,
// and so does escalating, whose reason is the note passed on with it.
func AlertStateNeedsReason(state string) bool {
	return state == AlertDismissed || state == AlertEscalated
}

// Alert is the durable form of a detection finding: one rule's finding about
// one member of staff and one key, and the unit's handling of it.
//
// The finding fields come from the detection engine, which gives ID as a
// stable hash of the rule, staff member, key and first evidence, so that
// replaying the event log gives the same alerts. The handling fields (State,
// StateReason, StateBy, StateAt) are the unit's decisions and only
// SetAlertState changes them.
//
// A signal is a finding too weak to put in front of an analyst on its own: it
// feeds the member of staff's risk score and timeline but is not in the
// unit's alert queue.
type Alert struct {
	ID            string    `json:"id"`
	Rule          string    `json:"rule"`
	StaffID       string    `json:"staff_id"`
	Key           string    `json:"key,omitempty"` // the person, incident, number or search; "" for behaviour as a whole
	Severity      string    `json:"severity"`
	Score         float64   `json:"score"`
	Signal        bool      `json:"signal"`
	FirstEvidence time.Time `json:"first_evidence"`
	LastEvidence  time.Time `json:"last_evidence"`
	EvidenceIDs   []string  `json:"evidence_ids,omitempty"` // event ids, at most MaxAlertEvidence, in the order found
	Matches       int       `json:"matches"`                // how many times the rule matched into this alert
	Explanation   string    `json:"explanation"`

	State       string     `json:"state"`
	StateReason string     `json:"state_reason,omitempty"`
	StateBy     string     `json:"state_by,omitempty"` // the user who made the last change of state
	StateAt     *time.Time `json:"state_at,omitempty"` // when; nil while new

	RaisedAt  time.Time `json:"raised_at"`  // when first stored, by the store's clock
	UpdatedAt time.Time `json:"updated_at"` // when last saved or changed, by the store's clock
}

// Validate returns an EINVALID *Error naming the first field at fault.
//
// It checks the finding and, when State is set, that the handling agrees with
// the state machine: a dismissed or escalated alert has a reason, and any
// alert that has left new says who moved it and when. An alert with no State
// is valid, since SaveAlerts ignores the handling fields. RaisedAt and
// UpdatedAt belong to the store and are not checked.
func (a *Alert) Validate() error {
	if err := a.validateFinding(); err != nil {
		return err
	}
	if a.State == "" {
		return nil
	}
	if err := ValidateOneOf("state", a.State, AlertStates...); err != nil {
		return err
	}
	if err := validateReason("state_reason", a.StateReason, a.State); err != nil {
		return err
	}
	if a.State == AlertNew {
		return nil
	}
	if err := ValidateID("state_by", a.StateBy); err != nil {
		return err
	}
	if a.StateAt == nil {
		return FieldErrorf("state_at", "state_at is required once an alert has left new")
	}
	return ValidateTime("state_at", *a.StateAt)
}

// validateFinding checks the fields the detection engine gives.
func (a *Alert) validateFinding() error {
	if err := ValidateID("id", a.ID); err != nil {
		return err
	}
	if err := ValidateID("rule", a.Rule); err != nil {
		return err
	}
	if err := ValidateID("staff_id", a.StaffID); err != nil {
		return err
	}
	if len(a.Key) > MaxAlertKeyBytes {
		return FieldErrorf("key", "key is longer than %d bytes", MaxAlertKeyBytes)
	}
	if !validText(a.Key) {
		return FieldErrorf("key", "key is not valid UTF-8 text")
	}
	if err := ValidateOneOf("severity", a.Severity, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical); err != nil {
		return err
	}
	if math.IsNaN(a.Score) || math.IsInf(a.Score, 0) || a.Score < 0 {
		return FieldErrorf("score", "score must be a finite number, not negative")
	}
	if err := ValidateTime("first_evidence", a.FirstEvidence); err != nil {
		return err
	}
	if err := ValidateTime("last_evidence", a.LastEvidence); err != nil {
		return err
	}
	if a.LastEvidence.Before(a.FirstEvidence) {
		return FieldErrorf("last_evidence", "last_evidence is before first_evidence")
	}
	if len(a.EvidenceIDs) > MaxAlertEvidence {
		return FieldErrorf("evidence_ids", "more than %d evidence ids", MaxAlertEvidence)
	}
	for _, id := range a.EvidenceIDs {
		if err := ValidateID("evidence_ids", id); err != nil {
			return err
		}
	}
	if a.Matches < 1 {
		return FieldErrorf("matches", "matches must be at least 1")
	}
	if strings.TrimSpace(a.Explanation) == "" {
		return FieldErrorf("explanation", "explanation is required: every alert says why it was raised")
	}
	if len(a.Explanation) > MaxExplanationBytes {
		return FieldErrorf("explanation", "explanation is longer than %d bytes", MaxExplanationBytes)
	}
	if !validText(a.Explanation) {
		return FieldErrorf("explanation", "explanation is not valid UTF-8 text")
	}
	return nil
}

// validateReason checks the reason given for state: text of bounded length,
// and not blank where the state needs one.
func validateReason(field, reason, state string) error {
	if len(reason) > MaxStateReasonBytes {
		return FieldErrorf(field, "%s is longer than %d bytes", field, MaxStateReasonBytes)
	}
	if !validText(reason) {
		return FieldErrorf(field, "%s is not valid UTF-8 text", field)
	}
	if AlertStateNeedsReason(state) && strings.TrimSpace(reason) == "" {
		return FieldErrorf(field, "a reason is required to move an alert to %s", state)
	}
	return nil
}

// AlertStateUpdate is an analyst's decision about an alert: the state to move
// it to, why, who decided and when.
type AlertStateUpdate struct {
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"` // required for dismissed and escalated
	By     string    `json:"by"`               // the user's name
	At     time.Time `json:"at"`
}

// Validate returns an EINVALID *Error naming the first field at fault: a
// state that is not one of AlertStates, a missing user or time, or a missing
// reason for dismissed or escalated. It does not know the alert's current
// state; see Alert.Transition.
func (u *AlertStateUpdate) Validate() error {
	if err := ValidateOneOf("state", u.State, AlertStates...); err != nil {
		return err
	}
	if err := validateReason("reason", u.Reason, u.State); err != nil {
		return err
	}
	if err := ValidateID("by", u.By); err != nil {
		return err
	}
	return ValidateTime("at", u.At)
}

// Transition applies u to the alert: it sets State, StateReason, StateBy and
// StateAt from u and touches nothing else. It returns EINVALID if u is
// invalid, and ECONFLICT naming both states if the alert may not move from its
// state to u.State; either way the alert is left as it was.
func (a *Alert) Transition(u AlertStateUpdate) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if !AlertTransitionAllowed(a.State, u.State) {
		return Errorf(ECONFLICT, "An alert cannot move from %s to %s.", describeState(a.State), u.State)
	}
	at := u.At
	a.State, a.StateReason, a.StateBy, a.StateAt = u.State, u.Reason, u.By, &at
	return nil
}

// describeState names a state in a message, including one that is not valid.
func describeState(s string) string {
	if s == "" {
		return "no state"
	}
	if !slices.Contains(AlertStates, s) {
		return "an unknown state"
	}
	return s
}

// AlertFilter selects alerts. Nil and zero fields match everything.
type AlertFilter struct {
	StaffID *string
	Rule    *string
	Key     *string
	States  []string // any of these; empty matches every state
	Signal  *bool    // nil matches signals and alerts alike
	Since   time.Time
	Until   time.Time // matches alerts with LastEvidence >= Since and FirstEvidence < Until
	Order   string    // AlertOrderScore (also "") or AlertOrderLatest
	Offset  int
	Limit   int // 0 means no limit
}

// Validate returns an EINVALID *Error naming the first field at fault: an
// unknown state or order, or a negative offset or limit.
func (f *AlertFilter) Validate() error {
	for _, s := range f.States {
		if err := ValidateOneOf("states", s, AlertStates...); err != nil {
			return err
		}
	}
	if f.Order != "" {
		if err := ValidateOneOf("order", f.Order, AlertOrderScore, AlertOrderLatest); err != nil {
			return err
		}
	}
	if f.Offset < 0 {
		return FieldErrorf("offset", "offset must not be negative")
	}
	if f.Limit < 0 {
		return FieldErrorf("limit", "limit must not be negative")
	}
	return nil
}

// RuleAlertCounts is how many alerts one rule has raised and what the unit
// made of them. The counts by state include signals.
type RuleAlertCounts struct {
	Rule      string `json:"rule"`
	Total     int    `json:"total"`
	New       int    `json:"new"`
	Triaged   int    `json:"triaged"`
	Dismissed int    `json:"dismissed"`
	Escalated int    `json:"escalated"`
	Signals   int    `json:"signals"` // of Total, how many are signals
}

// DismissalRate is the share of the rule's decided alerts (dismissed or
// escalated) that the unit dismissed as false: an estimate of the rule's false
// alert rate. It is 0 when none is decided.
func (c RuleAlertCounts) DismissalRate() float64 {
	if c.Dismissed+c.Escalated == 0 {
		return 0
	}
	return float64(c.Dismissed) / float64(c.Dismissed+c.Escalated)
}

// AlertScore is what the risk ranking needs of one alert.
type AlertScore struct {
	ID           string    `json:"id"`
	Rule         string    `json:"rule"`
	StaffID      string    `json:"staff_id"`
	Score        float64   `json:"score"`
	LastEvidence time.Time `json:"last_evidence"`
	Signal       bool      `json:"signal"`
}

// AlertService keeps the detection engine's findings and the unit's handling
// of them.
type AlertService interface {
	// SaveAlerts validates alerts and stores them by ID in one transaction,
	// as the detection engine finds them: EINVALID writes nothing. A new ID
	// is stored as new, with RaisedAt from the store's clock. A known ID
	// takes the finding fields given (severity, score, signal, evidence ids,
	// matches, explanation), the earlier FirstEvidence and the later
	// LastEvidence, and keeps its State, StateReason, StateBy, StateAt and
	// RaisedAt, so that replaying the event log never undoes an analyst's
	// decision. The handling fields and RaisedAt of the alerts passed in are
	// ignored. An ID belongs to one rule, member of staff and key: saving it
	// with others is ECONFLICT and writes nothing. Alerts with one ID in a
	// batch are saved in order, as if one by one. SaveAlerts sets UpdatedAt
	// on the alerts passed in as well as in the store.
	SaveAlerts(ctx context.Context, alerts ...*Alert) error
	// Alert returns one alert, or ENOTFOUND.
	Alert(ctx context.Context, id string) (*Alert, error)
	// FindAlerts returns the alerts matching filter in its order, and the
	// total number that match ignoring Offset and Limit. EINVALID for an
	// invalid filter.
	FindAlerts(ctx context.Context, filter AlertFilter) ([]*Alert, int, error)
	// SetAlertState applies an analyst's decision to an alert in one
	// transaction, checking it against the alert's current state there, and
	// returns the alert as stored, with UpdatedAt from the store's clock.
	// It returns EINVALID for an invalid update (a missing reason included),
	// ENOTFOUND for an unknown alert, and ECONFLICT, naming both states, for
	// a move the state machine does not allow.
	SetAlertState(ctx context.Context, id string, u AlertStateUpdate) (*Alert, error)
	// AlertCounts returns, for every rule with alerts, how many it raised by
	// state and how many are signals, ordered by rule.
	AlertCounts(ctx context.Context) ([]RuleAlertCounts, error)
	// AlertScores returns what the risk ranking needs of every alert that is
	// not dismissed, signals included, ordered by staff ID, LastEvidence and
	// ID, in one query.
	AlertScores(ctx context.Context) ([]AlertScore, error)
}
