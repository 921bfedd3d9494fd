package detect

import (
	"slices"
	"time"

	"lantern"
	"lantern/ingest"
)

// World holds the reference data the rules consult, versioned by the instant
// each fact took effect, so that a question asked "as of t" sees only the
// facts effective at or before t. Reference data usually arrives before the
// events it explains (a 90-day roster may be loaded at once), so the order in
// which records are applied does not matter, only their times.
//
// A World is not safe for concurrent use; the Engine that owns it serialises
// access. Lookups do not allocate.
type World struct {
	staff     map[string][]staffVersion
	persons   map[string]*personRec
	incidents map[string]*incidentState
	assigned  map[string][]assignment // staff id → assignments
	shifts    map[string]*roster      // staff id → shifts
	phones    map[string][]phoneLink  // phone hash → people holding it
	courts    map[string][]int64      // staff id → starts of court days on the roster, sorted; see world_court.go

	recent worldLookups // the last lookup of each map; see world_cache.go
}

// NewWorld returns an empty World.
func NewWorld() *World {
	return &World{
		staff:     map[string][]staffVersion{},
		persons:   map[string]*personRec{},
		incidents: map[string]*incidentState{},
		assigned:  map[string][]assignment{},
		shifts:    map[string]*roster{},
		phones:    map[string][]phoneLink{},
		recent:    worldLookups{gen: 1},
	}
}

// never is the "until" of an assignment that has not ended.
const never = int64(1<<63 - 1)

type staffVersion struct {
	at                             int64
	role, team, station, area, rnk string
	left                           int64 // never when still serving
}

// personRec is what the World holds of one person, so that one lookup finds
// both: the versions of the person record (none when only involvements have
// arrived) and the incidents the person is involved in.
type personRec struct {
	versions []personVersion
	involved []involvement // sorted by at
}

// personRec returns the person's record, creating it.
func (w *World) personRec(id string) *personRec {
	p := w.persons[id]
	if p == nil {
		p = &personRec{}
		w.persons[id] = p
	}
	return p
}

type personVersion struct {
	at        int64
	gender    string
	area      string
	birthYear int
	flags     []string // sorted
}

type incidentState struct {
	typ, area string
	opened    int64
	status    []statusChange // sorted by at
}

type statusChange struct {
	at   int64
	open bool
}

// Involvements and assignments hold the incident's state as well as its id,
// so that following a link between staff and a person compares pointers and
// reads the status without a lookup. The state exists from the first record
// naming the incident, empty until the incident record arrives, which
// answers every question as an unknown incident does.
type involvement struct {
	incident string
	inc      *incidentState
	part     string
	at       int64
}

type assignment struct {
	incident string
	inc      *incidentState
	attended bool
	at       int64
	until    int64
}

// incidentRec returns the incident's state, creating it.
func (w *World) incidentRec(id string) *incidentState {
	st := w.incidents[id]
	if st == nil {
		st = &incidentState{}
		w.incidents[id] = st
	}
	return st
}

type roster struct {
	shifts []shiftEntry // sorted by start
	maxLen int64        // the longest entry, bounding backward scans
}

type shiftEntry struct {
	start, end int64
	working    bool
}

type phoneLink struct {
	person string
	at     int64
}

// Apply records one reference record and reports whether it was one; access
// and comms records are ignored and return false. Applying the same record
// twice has no further effect.
func (w *World) Apply(rec *ingest.Record) bool {
	if rec.Access != nil || rec.Comms != nil || rec.Screening != nil {
		return false
	}
	w.recent.changed()
	switch {
	case rec.Staff != nil:
		w.applyStaff(rec.Time, rec.Staff)
	case rec.Person != nil:
		w.applyPerson(rec.Time, rec.Person)
	case rec.Incident != nil:
		w.applyIncident(rec.Incident)
	case rec.Involvement != nil:
		v := rec.Involvement
		p := w.personRec(v.PersonID)
		p.involved = insertAt(p.involved, involvement{v.IncidentID, w.incidentRec(v.IncidentID), v.Part, nanos(v.At)}, func(a involvement) int64 { return a.at }, func(a, b involvement) bool { return a.incident == b.incident && a.part == b.part })
	case rec.Assignment != nil:
		a := rec.Assignment
		until := never
		if a.Until != nil {
			until = nanos(*a.Until)
		}
		e := assignment{a.IncidentID, w.incidentRec(a.IncidentID), a.Kind == lantern.AssignmentAttended, nanos(a.At), until}
		w.assigned[a.StaffID] = insertAt(w.assigned[a.StaffID], e, func(a assignment) int64 { return a.at }, func(a, b assignment) bool {
			return a.incident == b.incident && a.attended == b.attended
		})
	case rec.Shift != nil:
		w.applyShift(rec.Shift)
	default:
		return false
	}
	return true
}

func (w *World) applyStaff(at time.Time, s *lantern.Staff) {
	left := never
	if s.LeftDate != nil {
		left = nanos(*s.LeftDate)
	}
	v := staffVersion{nanos(at), s.Role, s.Team, s.Station, s.Area, s.Rank, left}
	w.staff[s.ID] = insertAt(w.staff[s.ID], v, func(v staffVersion) int64 { return v.at }, func(a, b staffVersion) bool { return true })
}

func (w *World) applyPerson(at time.Time, p *lantern.Person) {
	t := nanos(at)
	flags := slices.Clone(p.Flags)
	slices.Sort(flags)
	v := personVersion{t, p.Gender, p.Area, p.BirthYear, slices.Compact(flags)}
	rec := w.personRec(p.ID)
	rec.versions = insertAt(rec.versions, v, func(v personVersion) int64 { return v.at }, func(a, b personVersion) bool { return true })
	for _, h := range p.PhoneHashes {
		links := w.phones[h]
		i := slices.IndexFunc(links, func(l phoneLink) bool { return l.person == p.ID })
		switch {
		case i < 0:
			links = append(links, phoneLink{p.ID, t})
			slices.SortFunc(links, func(a, b phoneLink) int { return cmpString(a.person, b.person) })
		case t < links[i].at:
			links[i].at = t
		}
		w.phones[h] = links
	}
}

func (w *World) applyIncident(in *lantern.Incident) {
	st := w.incidentRec(in.ID)
	st.typ, st.area, st.opened = in.Type, in.Area, nanos(in.OpenedAt)
	st.status = insertAt(st.status, statusChange{nanos(in.OpenedAt), true}, statusAt, sameInstant)
	statusAtTime := in.StatusAt
	if statusAtTime.IsZero() {
		statusAtTime = in.OpenedAt
		if in.ClosedAt != nil {
			statusAtTime = *in.ClosedAt
		}
	}
	if !statusAtTime.Equal(in.OpenedAt) || in.Status == lantern.StatusClosed {
		st.status = insertAt(st.status, statusChange{nanos(statusAtTime), in.Status == lantern.StatusOpen}, statusAt, sameInstant)
	}
}

func statusAt(c statusChange) int64      { return c.at }
func sameInstant(a, b statusChange) bool { return true }

func (w *World) applyShift(s *lantern.Shift) {
	r := w.shifts[s.StaffID]
	if r == nil {
		r = &roster{}
		w.shifts[s.StaffID] = r
	}
	e := shiftEntry{nanos(s.Start), nanos(s.End), s.Working()}
	r.shifts = insertAt(r.shifts, e, func(e shiftEntry) int64 { return e.start }, func(a, b shiftEntry) bool { return a.working == b.working })
	r.maxLen = max(r.maxLen, e.end-e.start)
	w.noteCourt(s)
}

// insertAt inserts v into s, kept sorted by at(v); an element with the same
// instant for which same reports true is replaced instead, so that applying a
// record twice changes nothing.
func insertAt[T any](s []T, v T, at func(T) int64, same func(a, b T) bool) []T {
	t := at(v)
	i, _ := slices.BinarySearchFunc(s, t, func(e T, t int64) int { return cmp64(at(e), t) })
	for j := i; j < len(s) && at(s[j]) == t; j++ {
		if same(s[j], v) {
			s[j] = v
			return s
		}
		i = j + 1
	}
	return slices.Insert(s, i, v)
}

// asOf returns the index of the last element of s (sorted by at) effective at
// or before t, or -1.
func asOf[T any](s []T, t int64, at func(T) int64) int {
	i, _ := slices.BinarySearchFunc(s, t+1, func(e T, t int64) int { return cmp64(at(e), t) })
	return i - 1
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
