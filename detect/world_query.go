package detect

import (
	"slices"
	"time"
)

// StaffFacts is what the World knows of a member of staff as of an instant.
type StaffFacts struct {
	Role, Team, Station, Area, Rank string
	Serving                         bool // not yet left as of the instant (the start date is not consulted)
}

// Staff returns the facts about a member of staff effective at t, and false
// when no version of the staff record is effective at t.
func (w *World) Staff(id string, t time.Time) (StaffFacts, bool) {
	vs := w.staffOf(id)
	i := staffAt(vs, nanos(t))
	if i < 0 {
		return StaffFacts{}, false
	}
	v := &vs[i]
	return StaffFacts{v.role, v.team, v.station, v.area, v.rnk, nanos(t) < v.left}, true
}

// person returns the person's version effective at t, or nil.
func (w *World) person(id string, t int64) *personVersion {
	vs := w.personOf(id)
	i := personAt(vs, t)
	if i < 0 {
		return nil
	}
	return &vs[i]
}

// Flags returns the person's vulnerability flags effective at t, sorted. The
// slice is shared with the World and must not be modified.
func (w *World) Flags(person string, t time.Time) []string {
	if v := w.person(person, nanos(t)); v != nil {
		return v.flags
	}
	return nil
}

// Vulnerable reports whether the person carries any vulnerability flag as of t.
func (w *World) Vulnerable(person string, t time.Time) bool {
	return len(w.Flags(person, t)) > 0
}

// HasFlag reports whether the person carries flag as of t.
func (w *World) HasFlag(person, flag string, t time.Time) bool {
	_, ok := slices.BinarySearch(w.Flags(person, t), flag)
	return ok
}

// Gender returns the person's recorded gender as of t, or "".
func (w *World) Gender(person string, t time.Time) string {
	if v := w.person(person, nanos(t)); v != nil {
		return v.gender
	}
	return ""
}

// Age returns the person's age in whole years at t, counted from their birth
// year alone (so it may be one year high), or -1 when unknown.
func (w *World) Age(person string, t time.Time) int {
	if v := w.person(person, nanos(t)); v != nil && v.birthYear > 0 {
		return t.UTC().Year() - v.birthYear
	}
	return -1
}

// PersonArea returns where the person lives as of t, or "".
func (w *World) PersonArea(person string, t time.Time) string {
	if v := w.person(person, nanos(t)); v != nil {
		return v.area
	}
	return ""
}

// PersonByPhone returns the first person (by id) whose records held the
// phone hash at or before t, or "".
func (w *World) PersonByPhone(hash string, t time.Time) string {
	n := nanos(t)
	for _, l := range w.phones[hash] {
		if l.at <= n {
			return l.person
		}
	}
	return ""
}

// Linked reports whether the member of staff was assigned to, or attended, an
// incident the person is involved in, both links effective at or before t,
// whatever the incident's status: the staff member has had a policing purpose
// for her record.
func (w *World) Linked(staff, person string, t time.Time) bool {
	return w.link(staff, person, nanos(t), false, false) != ""
}

// Attended reports whether the member of staff attended (not merely was
// assigned to) an incident the person is involved in, as of t.
func (w *World) Attended(staff, person string, t time.Time) bool {
	return w.link(staff, person, nanos(t), true, false) != ""
}

// OpenCaseWith reports whether an incident open at t links the member of staff
// and the person as of t, through an assignment that has not ended by t (an
// officer taken off a case no longer has its purpose).
func (w *World) OpenCaseWith(staff, person string, t time.Time) bool {
	return w.link(staff, person, nanos(t), false, true) != ""
}

// LinkedIncident reports whether the member of staff was assigned to or
// attended the incident as of t.
func (w *World) LinkedIncident(staff, incident string, t time.Time) bool {
	n := nanos(t)
	for _, a := range w.assignedOf(staff) {
		if a.at > n {
			break
		}
		if a.incident == incident {
			return true
		}
	}
	return false
}

// link returns the first incident linking staff and person as of t (attended
// only, open at t only, as asked), or "".
func (w *World) link(staff, person string, t int64, attendedOnly, openOnly bool) string {
	invs := w.involvedOf(person)
	if len(invs) == 0 {
		return ""
	}
	for _, a := range w.assignedOf(staff) {
		if a.at > t {
			break
		}
		if attendedOnly && !a.attended || openOnly && a.until < t {
			continue
		}
		if !involvedIn(invs, a.inc, t) {
			continue
		}
		if openOnly && !a.inc.openAt(t) {
			continue
		}
		return a.incident
	}
	return ""
}

func involvedIn(invs []involvement, incident *incidentState, t int64) bool {
	for _, v := range invs {
		if v.at > t {
			return false
		}
		if v.inc == incident {
			return true
		}
	}
	return false
}

// CaseOpen reports whether the incident was open at t by its status history;
// an unknown incident, or one not yet opened, is not open.
func (w *World) CaseOpen(incident string, t time.Time) bool {
	return w.caseOpen(incident, nanos(t))
}

func (w *World) caseOpen(incident string, t int64) bool {
	return w.incidentOf(incident).openAt(t)
}

// openAt reports whether the incident (nil: unknown) was open at t.
func (st *incidentState) openAt(t int64) bool {
	if st == nil {
		return false
	}
	i := statusAsOf(st.status, t)
	return i >= 0 && st.status[i].open
}

// ClosedAt returns when the incident last closed at or before t, if it is
// closed at t.
func (w *World) ClosedAt(incident string, t time.Time) (time.Time, bool) {
	st := w.incidentOf(incident)
	if st == nil {
		return time.Time{}, false
	}
	i := statusAsOf(st.status, nanos(t))
	if i < 0 || st.status[i].open {
		return time.Time{}, false
	}
	return time.Unix(0, st.status[i].at).UTC(), true
}

// IncidentType returns the incident's type, or "" when unknown.
func (w *World) IncidentType(incident string) string {
	if st := w.incidentOf(incident); st != nil {
		return st.typ
	}
	return ""
}

// IncidentArea returns where the incident happened, or "" when unknown.
func (w *World) IncidentArea(incident string) string {
	if st := w.incidentOf(incident); st != nil {
		return st.area
	}
	return ""
}

// ClosedCase describes the most recently closed incident linking a member of
// staff and a person, as ClosedCaseWith finds it.
type ClosedCase struct {
	Closed          bool    `expr:"closed"` // false when no closed case was found
	Incident        string  `expr:"incident"`
	Type            string  `expr:"type"`
	Attended        bool    `expr:"attended"`
	DaysOpen        float64 `expr:"days_open"`         // from opening to closure
	DaysSinceClosed float64 `expr:"days_since_closed"` // from closure to t
}

// ClosedCaseWith returns the incident, closed at t, that links the member of
// staff and the person as of t and closed most recently, and false when there
// is none or when an open incident links them (the purpose is current).
func (w *World) ClosedCaseWith(staff, person string, t time.Time) (ClosedCase, bool) {
	n := nanos(t)
	invs := w.involvedOf(person)
	var best ClosedCase
	var bestAt int64 = -1 << 63
	found := false
	for _, a := range w.assignedOf(staff) {
		if a.at > n {
			break
		}
		if !involvedIn(invs, a.inc, n) {
			continue
		}
		st := a.inc
		i := statusAsOf(st.status, n)
		if i < 0 {
			continue
		}
		if st.status[i].open {
			return ClosedCase{}, false
		}
		if c := st.status[i].at; c > bestAt {
			bestAt, found = c, true
			best = ClosedCase{true, a.incident, st.typ, false, days(c - st.opened), days(n - c)}
		}
	}
	if found {
		for _, a := range w.assignedOf(staff) {
			if a.at <= n && a.incident == best.Incident && a.attended {
				best.Attended = true
			}
		}
	}
	return best, found
}

func days(d int64) float64 { return float64(d) / float64(24*time.Hour) }

// OnDuty reports whether the member of staff was working (duty, training or
// court) at t by the roster; leave or sickness covering t wins over a working
// entry, and no entry means not on duty.
func (w *World) OnDuty(staff string, t time.Time) bool {
	r := w.rosterOf(staff)
	if r == nil {
		return false
	}
	n := nanos(t)
	i := shiftAsOf(r.shifts, n)
	working := false
	for ; i >= 0 && r.shifts[i].start > n-r.maxLen-1; i-- {
		e := &r.shifts[i]
		if n >= e.end {
			continue
		}
		if !e.working {
			return false
		}
		working = true
	}
	return working
}

// Rostered reports whether any roster entry is known for the member of
// staff, so that rules can tell "off duty" from "no roster supplied".
func (w *World) Rostered(staff string) bool {
	r := w.rosterOf(staff)
	return r != nil && len(r.shifts) > 0
}

// eachStaff calls fn with every member of staff known, in no particular
// order.
func (w *World) eachStaff(fn func(id string)) {
	for id, vs := range w.staff {
		// The caller usually asks about id next: have it remembered.
		w.recent.staff = recent[[]staffVersion]{id, vs, w.recent.gen}
		fn(id)
	}
}
