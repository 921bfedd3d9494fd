package ingest

import "lantern"

// Indexes of the access keys in a span array.
const (
	aID = iota
	aTime
	aStaffID
	aSystem
	aAction
	aPersonID
	aIncidentID
	aFields
	aQuery
	aWorkstation
	aLocation
	aCount
)

// accessOrder is the access keys by index, quoted, as AppendJSON writes them.
var accessOrder = []string{`"id"`, `"time"`, `"staff_id"`, `"system"`, `"action"`, `"person_id"`,
	`"incident_id"`, `"fields"`, `"query"`, `"workstation"`, `"location"`}

var accessKeys = keyPatterns(accessOrder)

func accessIndex(key []byte) int {
	switch string(key) {
	case "id":
		return aID
	case "time":
		return aTime
	case "staff_id":
		return aStaffID
	case "system":
		return aSystem
	case "action":
		return aAction
	case "person_id":
		return aPersonID
	case "incident_id":
		return aIncidentID
	case "fields":
		return aFields
	case "query":
		return aQuery
	case "workstation":
		return aWorkstation
	case "location":
		return aLocation
	}
	return -1
}

// accessBox holds a Record, its event and room for a few field names in one
// allocation.
type accessBox struct {
	rec    Record
	ev     lantern.AccessEvent
	fields [4]string
}

// decodeAccess is the fast path for access events: no reflection, and three
// allocations for a typical line (the record, the line's text, the Fields
// slice when it has more than four names).
func (d *Decoder) decodeAccess(line []byte) (*Record, error) {
	var v [aCount]span
	if err := d.scanObject(line, accessIndex, accessKeys, aFields, v[:]); err != nil {
		return nil, err
	}
	box := new(accessBox)
	ev := &box.ev
	f := fastFields{d: d, line: line, str: string(line)}
	ev.ID = f.string("id", v[aID])
	ev.Time = f.time("time", v[aTime])
	ev.StaffID = f.string("staff_id", v[aStaffID])
	ev.System = f.string("system", v[aSystem])
	ev.Action = f.string("action", v[aAction])
	ev.PersonID = f.string("person_id", v[aPersonID])
	ev.IncidentID = f.string("incident_id", v[aIncidentID])
	ev.Fields = f.list("fields", v[aFields], box.fields[:0:len(box.fields)])
	ev.Query = f.string("query", v[aQuery])
	ev.Workstation = f.string("workstation", v[aWorkstation])
	ev.Location = f.string("location", v[aLocation])
	if f.err != nil {
		return nil, f.err
	}
	if err := ev.Validate(); err != nil {
		return nil, sanitize(err)
	}
	box.rec = Record{Kind: KindAccess, ID: ev.ID, Time: ev.Time, StaffID: ev.StaffID, Access: ev}
	return &box.rec, nil
}
