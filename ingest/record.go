package ingest

import (
	"time"

	"lantern"
)

// Record is one decoded, validated and normalised input record. Exactly one of
// the pointer fields is set, the one matching Kind.
type Record struct {
	Kind Kind

	// ID identifies the record for de-duplication: the source's id for
	// access, comms and screening; for the reference kinds the "record_id" key when given, else
	// a content hash of the canonical record ("<kind>:" followed by the
	// base64url of the first 16 bytes of its SHA-256), so that the same record
	// sent twice has the same ID.
	ID string

	// Time is the event's time, or the instant a reference record takes
	// effect; a pipeline orders everything by it. It is always in UTC.
	Time time.Time

	// StaffID is the member of staff the record is about, for partitioning
	// and for checking that they are known; "" for person, incident and
	// involvement records.
	StaffID string

	Access      *lantern.AccessEvent
	Comms       *lantern.CommsEvent
	Staff       *lantern.Staff
	Person      *lantern.Person
	Incident    *lantern.Incident
	Involvement *lantern.Involvement
	Assignment  *lantern.Assignment
	Shift       *lantern.Shift
	Screening   *lantern.ScreeningResult
}
