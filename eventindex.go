package lantern

import (
	"context"
	"time"
)

// Kinds of indexed event.
const (
	IndexedAccess = "access" // an AccessEvent
	IndexedComms  = "comms"  // a CommsEvent
)

// Purpose verdicts on an indexed event: whether, at that moment, the member
// of staff had a policing purpose for it, judged against the reference data
// as the detection rules see it.
const (
	PurposeYes     = "yes"     // linked to the person or incident by an assignment or attendance
	PurposeNo      = "no"      // no link to what was accessed
	PurposeUnknown = "unknown" // nothing to judge: a free-text search, or a number not in force records
)

// MaxIndexPage bounds the events one call of the event index returns.
const MaxIndexPage = 1000

// IndexedEvent is the event index's projection of one access or
// communications event from the event log: what the workspace shows as
// evidence and as the record of who looked at a person, with the verdict on
// its policing purpose at the moment it happened. It holds no telephone
// number, not even hashed: a call is shown by the person it reached, when
// the force knows them.
type IndexedEvent struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // IndexedAccess or IndexedComms
	Time    time.Time `json:"time"`
	StaffID string    `json:"staff_id"`
	// System is the source system of an access, or the device of a call or
	// message.
	System string `json:"system"`
	// Action is the access's action, or for comms the direction and kind
	// ("outbound call").
	Action      string        `json:"action"`
	PersonID    string        `json:"person_id,omitempty"` // for comms, the person the number was held against then
	IncidentID  string        `json:"incident_id,omitempty"`
	Fields      []string      `json:"fields,omitempty"`
	Query       string        `json:"query,omitempty"`
	Workstation string        `json:"workstation,omitempty"`
	Duration    time.Duration `json:"duration,omitempty"`
	// Purpose is PurposeYes, PurposeNo or PurposeUnknown; PurposeReason
	// says why in plain words ("assigned to incident I12 (open)").
	Purpose       string `json:"purpose"`
	PurposeReason string `json:"purpose_reason"`
	// Seq is the event log sequence the event was read at; 0 when unknown.
	Seq uint64 `json:"seq,omitempty"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (e *IndexedEvent) Validate() error {
	if err := ValidateID("id", e.ID); err != nil {
		return err
	}
	if err := ValidateOneOf("kind", e.Kind, IndexedAccess, IndexedComms); err != nil {
		return err
	}
	if err := ValidateTime("time", e.Time); err != nil {
		return err
	}
	if err := ValidateID("staff_id", e.StaffID); err != nil {
		return err
	}
	if err := ValidateID("system", e.System); err != nil {
		return err
	}
	if e.Action == "" || !validText(e.Action) || len(e.Action) > 64 {
		return FieldErrorf("action", "action is required: a short text")
	}
	for _, f := range []struct{ name, v string }{{"person_id", e.PersonID}, {"incident_id", e.IncidentID}, {"workstation", e.Workstation}} {
		if f.v != "" {
			if err := ValidateID(f.name, f.v); err != nil {
				return err
			}
		}
	}
	if len(e.Fields) > MaxFields {
		return FieldErrorf("fields", "more than %d fields", MaxFields)
	}
	for _, f := range e.Fields {
		if err := ValidateToken("fields", f); err != nil {
			return err
		}
	}
	if len(e.Query) > MaxQueryBytes || !validText(e.Query) {
		return FieldErrorf("query", "query must be valid text of at most %d bytes", MaxQueryBytes)
	}
	if e.Duration < 0 {
		return FieldErrorf("duration", "duration is negative")
	}
	if err := ValidateOneOf("purpose", e.Purpose, PurposeYes, PurposeNo, PurposeUnknown); err != nil {
		return err
	}
	if len(e.PurposeReason) > 512 || !validText(e.PurposeReason) {
		return FieldErrorf("purpose_reason", "purpose_reason must be valid text of at most 512 bytes")
	}
	return nil
}

// IndexPage is one page of a listing from the event index.
type IndexPage struct {
	Offset int
	Limit  int // 0 means a default of 50; at most MaxIndexPage
}

// IndexCount is how many events of one kind the index holds from a time on,
// and the latest of them.
type IndexCount struct {
	Kind   string    `json:"kind"`
	Events int       `json:"events"`
	Latest time.Time `json:"latest"`
}

// EventIndexService keeps the event index: the projection of the event log's
// access and communications events that the workspace reads evidence and
// person access histories from. The log is the record; the index can be
// rebuilt by replaying it.
type EventIndexService interface {
	// SaveIndexedEvents validates events and stores them by ID in one
	// transaction; an ID already stored is replaced, so replaying the log
	// changes nothing. EINVALID writes nothing.
	SaveIndexedEvents(ctx context.Context, events ...*IndexedEvent) error
	// IndexedEvents returns the stored events among ids, ordered by time
	// then ID; ids not held are left out. At most MaxIndexPage ids.
	IndexedEvents(ctx context.Context, ids ...string) ([]*IndexedEvent, error)
	// PersonAccesses returns the events about a person (accesses to their
	// records and contacts with them), newest first, and how many there
	// are in all. EINVALID for a bad page.
	PersonAccesses(ctx context.Context, personID string, page IndexPage) ([]*IndexedEvent, int, error)
	// StaffEvents returns a member of staff's events with from <= Time <
	// to, oldest first, at most limit (0 or more than MaxIndexPage means
	// MaxIndexPage).
	StaffEvents(ctx context.Context, staffID string, from, to time.Time, limit int) ([]*IndexedEvent, error)
	// IndexCounts returns, per kind, how many events have Time >= since and
	// the latest event time, ordered by kind.
	IndexCounts(ctx context.Context, since time.Time) ([]IndexCount, error)
	// PurgeIndexBefore deletes events with Time before t and returns how
	// many it deleted.
	PurgeIndexBefore(ctx context.Context, t time.Time) (int64, error)
}

// Normalize returns the page with its default limit filled in, or EINVALID
// for a negative offset or a limit outside 0-MaxIndexPage.
func (p IndexPage) Normalize() (IndexPage, error) {
	if p.Offset < 0 {
		return p, FieldErrorf("offset", "offset must not be negative")
	}
	if p.Limit < 0 || p.Limit > MaxIndexPage {
		return p, FieldErrorf("limit", "limit must be between 0 and %d", MaxIndexPage)
	}
	if p.Limit == 0 {
		p.Limit = 50
	}
	return p, nil
}
