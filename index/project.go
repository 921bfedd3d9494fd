package index

import (
	"lantern"
	"lantern/detect"
	"lantern/ingest"
)

// Projector turns the records of the event log, in log order, into indexed
// events. It keeps the reference data in a detect.World, exactly as the
// detection engine does, so that each event's purpose verdict is judged
// against the world as it stood at that moment. It is not safe for
// concurrent use.
type Projector struct {
	world *detect.World
	owns  func(staffID string) bool // nil: every member of staff
}

// NewProjector returns a Projector with an empty World. owns, when not nil,
// limits the events projected to the members of staff it accepts.
func NewProjector(owns func(staffID string) bool) *Projector {
	return &Projector{world: detect.NewWorld(), owns: owns}
}

// World returns the reference data the projector has seen.
func (p *Projector) World() *detect.World { return p.world }

// Project applies a reference record to the World and returns nil, or
// returns the indexed form of an access or comms event, with seq as its log
// sequence. Events of staff the projector does not own give nil.
func (p *Projector) Project(rec *ingest.Record, seq uint64) *lantern.IndexedEvent {
	if p.world.Apply(rec) {
		return nil
	}
	if p.owns != nil && !p.owns(rec.StaffID) {
		return nil
	}
	switch {
	case rec.Access != nil:
		e := rec.Access
		v := JudgeAccess(p.world, e)
		return &lantern.IndexedEvent{
			ID: e.ID, Kind: lantern.IndexedAccess, Time: e.Time, StaffID: e.StaffID, System: e.System,
			Action: e.Action, PersonID: e.PersonID, IncidentID: e.IncidentID, Fields: e.Fields, Query: e.Query,
			Workstation: e.Workstation, Purpose: v.Purpose, PurposeReason: v.Reason, Seq: seq,
		}
	case rec.Comms != nil:
		e := rec.Comms
		v, person := JudgeComms(p.world, e)
		return &lantern.IndexedEvent{
			ID: e.ID, Kind: lantern.IndexedComms, Time: e.Time, StaffID: e.StaffID, System: e.Device,
			Action: e.Direction + " " + e.Kind, PersonID: person, Duration: e.Duration,
			Purpose: v.Purpose, PurposeReason: v.Reason, Seq: seq,
		}
	}
	return nil
}
