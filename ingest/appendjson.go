package ingest

import "time"

// AppendJSON appends r as one canonical JSON line (without a newline) in the
// format Decode reads: keys in the documented order, optional keys only when
// set, times in UTC with RFC 3339, phone hashes instead of numbers, and
// record_id for the reference kinds. Decoding the result gives back a Record
// equal to r. r must be as Decode returns it; if the pointer matching r.Kind
// is nil, AppendJSON appends nothing.
func (r *Record) AppendJSON(dst []byte) []byte {
	return r.appendJSON(dst, true)
}

// appendJSON is AppendJSON, with or without record_id.
func (r *Record) appendJSON(dst []byte, withRecordID bool) []byte {
	w := objWriter{b: dst}
	if withRecordID && r.Kind.reference() {
		w.str("record_id", r.ID)
	}
	switch {
	case r.Kind == KindAccess && r.Access != nil:
		e := r.Access
		w.str("id", e.ID)
		w.time("time", e.Time)
		w.str("staff_id", e.StaffID)
		w.str("system", e.System)
		w.str("action", e.Action)
		w.optStr("person_id", e.PersonID)
		w.optStr("incident_id", e.IncidentID)
		w.list("fields", e.Fields)
		w.optStr("query", e.Query)
		w.optStr("workstation", e.Workstation)
		w.optStr("location", e.Location)
	case r.Kind == KindComms && r.Comms != nil:
		e := r.Comms
		w.str("id", e.ID)
		w.time("time", e.Time)
		w.str("staff_id", e.StaffID)
		w.str("device", e.Device)
		w.str("direction", e.Direction)
		w.str("kind", e.Kind)
		w.str("number_hash", e.NumberHash)
		w.int("duration_s", int64(e.Duration/time.Second))
	case r.Kind == KindStaff && r.Staff != nil:
		s := r.Staff
		w.str("id", s.ID)
		w.optStr("collar_number", s.CollarNumber)
		w.optStr("name", s.Name)
		w.str("category", s.Category)
		w.str("role", s.Role)
		w.optStr("rank", s.Rank)
		w.optStr("team", s.Team)
		w.optStr("station", s.Station)
		w.optStr("area", s.Area)
		w.str("gender", s.Gender)
		w.time("start_date", s.StartDate)
		w.optTime("left_date", s.LeftDate)
		w.time("time", r.Time)
	case r.Kind == KindPerson && r.Person != nil:
		p := r.Person
		w.str("id", p.ID)
		w.str("gender", p.Gender)
		if p.BirthYear != 0 {
			w.int("birth_year", int64(p.BirthYear))
		}
		w.optStr("area", p.Area)
		w.list("flags", p.Flags)
		w.list("phone_hashes", p.PhoneHashes)
		w.time("time", r.Time)
	case r.Kind == KindIncident && r.Incident != nil:
		i := r.Incident
		w.str("id", i.ID)
		w.str("type", i.Type)
		w.str("status", i.Status)
		w.time("opened_at", i.OpenedAt)
		w.optTime("closed_at", i.ClosedAt)
		w.optStr("area", i.Area)
		w.time("time", r.Time)
	case r.Kind == KindInvolvement && r.Involvement != nil:
		v := r.Involvement
		w.str("incident_id", v.IncidentID)
		w.str("person_id", v.PersonID)
		w.str("part", v.Part)
		w.time("at", v.At)
	case r.Kind == KindAssignment && r.Assignment != nil:
		a := r.Assignment
		w.str("incident_id", a.IncidentID)
		w.str("staff_id", a.StaffID)
		w.str("kind", a.Kind)
		w.time("at", a.At)
		w.optTime("until", a.Until)
	case r.Kind == KindShift && r.Shift != nil:
		s := r.Shift
		w.str("staff_id", s.StaffID)
		w.str("kind", s.Kind)
		w.time("start", s.Start)
		w.time("end", s.End)
	case r.Kind == KindScreening && r.Screening != nil:
		s := r.Screening
		w.str("id", s.ID)
		w.str("staff_id", s.StaffID)
		w.time("checked_at", s.CheckedAt)
		w.str("check", s.Check)
		w.str("result", s.Result)
		w.optStr("detail", s.Detail)
		w.optStr("reference", s.Reference)
	default:
		return dst
	}
	return w.end()
}
