package detect

import (
	"time"

	"github.com/expr-lang/expr/ast"

	"lantern/ingest"
)

// Event is what a rule sees of one access or comms record, under the name
// "event" in expressions. Fields a kind does not have are empty. For a comms
// event PersonID is the person whose records hold the counterpart's number
// as of the event (the first by id when several do), or "".
type Event struct {
	ID         string    `expr:"id"`
	Kind       string    `expr:"kind"` // "access" or "comms"
	Time       time.Time `expr:"time"`
	Hour       int       `expr:"hour"` // hour of day, UTC
	StaffID    string    `expr:"staff_id"`
	PersonID   string    `expr:"person_id"`
	IncidentID string    `expr:"incident_id"`

	System      string   `expr:"system"`
	Action      string   `expr:"action"`
	Fields      []string `expr:"fields"`
	Query       string   `expr:"query"`
	Workstation string   `expr:"workstation"`
	Location    string   `expr:"location"`

	Device     string  `expr:"device"`
	Direction  string  `expr:"direction"`
	Channel    string  `expr:"channel"` // the comms kind: call, sms or app
	NumberHash string  `expr:"number_hash"`
	DurationS  float64 `expr:"duration_s"`
}

// fill sets e from an access or comms record, resolving a comms number to a
// person through w, and reports whether rec is an event.
func (e *Event) fill(rec *ingest.Record, w *World) bool {
	*e = Event{}
	switch {
	case rec.Access != nil:
		a := rec.Access
		*e = Event{ID: a.ID, Kind: string(ingest.KindAccess), Time: a.Time, StaffID: a.StaffID,
			PersonID: a.PersonID, IncidentID: a.IncidentID, System: a.System, Action: a.Action,
			Fields: a.Fields, Query: a.Query, Workstation: a.Workstation, Location: a.Location}
	case rec.Comms != nil:
		c := rec.Comms
		*e = Event{ID: c.ID, Kind: string(ingest.KindComms), Time: c.Time, StaffID: c.StaffID,
			PersonID: w.PersonByPhone(c.NumberHash, c.Time), Device: c.Device, Direction: c.Direction,
			Channel: c.Kind, NumberHash: c.NumberHash, DurationS: c.Duration.Seconds()}
	default:
		return false
	}
	e.Hour = e.Time.UTC().Hour()
	return true
}

// field returns the value of one of the string fields a rule may key,
// window or count by; fieldNames lists them.
func (e *Event) field(name string) string {
	switch name {
	case "staff_id":
		return e.StaffID
	case "person_id":
		return e.PersonID
	case "incident_id":
		return e.IncidentID
	case "system":
		return e.System
	case "action":
		return e.Action
	case "query":
		return e.Query
	case "workstation":
		return e.Workstation
	case "location":
		return e.Location
	case "device":
		return e.Device
	case "number_hash":
		return e.NumberHash
	case "target":
		return e.target()
	}
	return ""
}

// target is what an event touched, for keys: the person, else the incident,
// else the number, else the search text.
func (e *Event) target() string {
	switch {
	case e.PersonID != "":
		return e.PersonID
	case e.IncidentID != "":
		return e.IncidentID
	case e.NumberHash != "":
		return e.NumberHash
	}
	return e.Query
}

// fieldNames are the event fields usable as a key, window grouping or
// distinct count.
var fieldNames = []string{"staff_id", "person_id", "incident_id", "system", "action", "query", "workstation", "location", "device", "number_hash", "target"}

// eventVars are the fields of an Event as rules name them ("event.<name>").
// The engine binds them as flat variables of the expression environment,
// each boxed once per event, because expr reads struct fields through
// reflection and boxes them again at every use.
var eventVars = []struct {
	name string
	get  func(*Event) any
}{
	{"id", func(e *Event) any { return e.ID }},
	{"kind", func(e *Event) any { return e.Kind }},
	{"time", func(e *Event) any { return e.Time }},
	{"hour", func(e *Event) any { return e.Hour }},
	{"staff_id", func(e *Event) any { return e.StaffID }},
	{"person_id", func(e *Event) any { return e.PersonID }},
	{"incident_id", func(e *Event) any { return e.IncidentID }},
	{"system", func(e *Event) any { return e.System }},
	{"action", func(e *Event) any { return e.Action }},
	{"fields", func(e *Event) any { return e.Fields }},
	{"query", func(e *Event) any { return e.Query }},
	{"workstation", func(e *Event) any { return e.Workstation }},
	{"location", func(e *Event) any { return e.Location }},
	{"device", func(e *Event) any { return e.Device }},
	{"direction", func(e *Event) any { return e.Direction }},
	{"channel", func(e *Event) any { return e.Channel }},
	{"number_hash", func(e *Event) any { return e.NumberHash }},
	{"duration_s", func(e *Event) any { return e.DurationS }},
}

// bind writes the event's fields into the environment map under
// "event.<name>": all of them, or only those whose indexes used lists.
func (e *Event) bind(env map[string]any, keys []string) {
	for i, v := range eventVars {
		env[keys[i]] = v.get(e)
	}
}

func (e *Event) bindUsed(env map[string]any, keys []string, used []int) {
	for _, i := range used {
		env[keys[i]] = eventVars[i].get(e)
	}
}

// eventKeys returns the environment keys of eventVars, in order.
func eventKeys() []string {
	keys := make([]string, len(eventVars))
	for i, v := range eventVars {
		keys[i] = "event." + v.name
	}
	return keys
}

// flattenEvent rewrites "event.<name>" in an expression into the flat
// variable the environment holds.
type flattenEvent struct{}

// Visit implements ast.Visitor.
func (flattenEvent) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok || m.Optional {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || id.Value != "event" {
		return
	}
	if s, ok := m.Property.(*ast.StringNode); ok {
		ast.Patch(node, &ast.IdentifierNode{Value: "event." + s.Value})
	}
}
