package lantern

import (
	"time"
	"unicode/utf8"
)

// Actions recorded in the audit logs of force systems.
const (
	ActionView   = "view"
	ActionSearch = "search"
	ActionPrint  = "print"
	ActionExport = "export"
	ActionUpdate = "update"
	ActionCreate = "create"
)

var actions = []string{ActionView, ActionSearch, ActionPrint, ActionExport, ActionUpdate, ActionCreate}

// Source systems whose audit logs Lantern monitors. A force may add others:
// System is any token.
const (
	SystemRecords      = "rms"          // records management
	SystemPNC          = "pnc"          // Police National Computer
	SystemPND          = "pnd"          // Police National Database
	SystemCommand      = "command"      // command and control
	SystemCustody      = "custody"      // custody
	SystemIntelligence = "intelligence" // intelligence system
)

// Communication directions and kinds on work devices.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"

	CommsCall = "call"
	CommsSMS  = "sms"
	CommsApp  = "app"
)

// Limits on the free-text parts of an access event.
const (
	MaxFields     = 64
	MaxQueryBytes = 4096
)

// AccessEvent is one entry from a force system's audit log: a member of staff
// viewed, searched, printed, exported or changed something.
//
// ID is the source's stable identifier for the entry; intake is idempotent on
// it. Fields lists the parts of the record touched (for example "address",
// "phone"); Query holds search text for searches by description or name.
type AccessEvent struct {
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	StaffID     string    `json:"staff_id"`
	System      string    `json:"system"`
	Action      string    `json:"action"`
	PersonID    string    `json:"person_id,omitempty"`
	IncidentID  string    `json:"incident_id,omitempty"`
	Fields      []string  `json:"fields,omitempty"`
	Query       string    `json:"query,omitempty"`
	Workstation string    `json:"workstation,omitempty"`
	Location    string    `json:"location,omitempty"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (e *AccessEvent) Validate() error {
	if err := ValidateID("id", e.ID); err != nil {
		return err
	}
	if err := ValidateTime("time", e.Time); err != nil {
		return err
	}
	if err := ValidateID("staff_id", e.StaffID); err != nil {
		return err
	}
	if err := ValidateToken("system", e.System); err != nil {
		return err
	}
	if err := ValidateOneOf("action", e.Action, actions...); err != nil {
		return err
	}
	if e.Action != ActionSearch && e.PersonID == "" && e.IncidentID == "" {
		return FieldErrorf("person_id", "a %s needs a person_id or an incident_id", e.Action)
	}
	for _, f := range []struct{ name, v string }{{"person_id", e.PersonID}, {"incident_id", e.IncidentID}, {"workstation", e.Workstation}, {"location", e.Location}} {
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
	if len(e.Query) > MaxQueryBytes {
		return FieldErrorf("query", "query is longer than %d bytes", MaxQueryBytes)
	}
	if !validText(e.Query) {
		return FieldErrorf("query", "query is not valid UTF-8 text")
	}
	return nil
}

// CommsEvent is the metadata of one call, message or app contact on a work
// device. The counterpart's number is held only as a keyed hash.
type CommsEvent struct {
	ID         string        `json:"id"`
	Time       time.Time     `json:"time"`
	StaffID    string        `json:"staff_id"`
	Device     string        `json:"device"`
	Direction  string        `json:"direction"`
	Kind       string        `json:"kind"`
	NumberHash string        `json:"number_hash"`
	Duration   time.Duration `json:"duration,omitempty"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (e *CommsEvent) Validate() error {
	if err := ValidateID("id", e.ID); err != nil {
		return err
	}
	if err := ValidateTime("time", e.Time); err != nil {
		return err
	}
	if err := ValidateID("staff_id", e.StaffID); err != nil {
		return err
	}
	if err := ValidateID("device", e.Device); err != nil {
		return err
	}
	if err := ValidateOneOf("direction", e.Direction, DirectionInbound, DirectionOutbound); err != nil {
		return err
	}
	if err := ValidateOneOf("kind", e.Kind, CommsCall, CommsSMS, CommsApp); err != nil {
		return err
	}
	if err := ValidateID("number_hash", e.NumberHash); err != nil {
		return err
	}
	if e.Duration < 0 || e.Duration > 48*time.Hour {
		return FieldErrorf("duration", "duration %s is outside 0-48h", e.Duration)
	}
	return nil
}

// validText reports whether s is valid UTF-8 without control characters other
// than tab and newline.
func validText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		i += n
	}
	return true
}
