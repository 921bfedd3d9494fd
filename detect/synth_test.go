package detect_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/ingest"
)

// synthForce is a small synthetic force: reference records and a stream of
// access and comms events in time order, generated from a seed.
type synthForce struct {
	reference []*ingest.Record
	events    []*ingest.Record
}

var synthRoles = []string{"response", "response", "response", "response", "neighbourhood", "neighbourhood",
	"detective", "safeguarding", "control_room", "custody"}

// newSynthForce generates nStaff members of staff, twenty people per member
// of staff (a third flagged vulnerable), five incidents per member of staff
// with their people and officers, a 90-day roster and nEvents events.
func newSynthForce(seed uint64, nStaff, nEvents int) *synthForce {
	rng := rand.New(rand.NewPCG(seed, 7))
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		panic(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &synthForce{}
	ref := func(kind ingest.Kind, t time.Time, staff string, set func(*ingest.Record)) {
		r := &ingest.Record{Kind: kind, ID: fmt.Sprintf("%s:%d", kind, len(f.reference)), Time: t, StaffID: staff}
		set(r)
		f.reference = append(f.reference, r)
	}
	areas := []string{"north", "south", "east", "west"}
	staffID := func(i int) string { return fmt.Sprintf("S%05d", i) }
	for i := range nStaff {
		id := staffID(i)
		ref(ingest.KindStaff, start.AddDate(-5, 0, 0), id, func(r *ingest.Record) {
			r.Staff = &lantern.Staff{ID: id, Category: "officer", Role: synthRoles[i%len(synthRoles)], Gender: "male",
				Area: areas[i%len(areas)], StartDate: start.AddDate(-5, 0, 0)}
		})
		for d := range 90 {
			if (d+i)%7 < 4 {
				s := start.AddDate(0, 0, d).Add(7 * time.Hour)
				ref(ingest.KindShift, s, id, func(r *ingest.Record) {
					r.Shift = &lantern.Shift{StaffID: id, Kind: "duty", Start: s, End: s.Add(10 * time.Hour)}
				})
			}
		}
	}
	nPersons := 20 * nStaff
	phones := make([]string, nPersons)
	flags := [][]string{nil, nil, {"domestic_abuse_victim"}, nil, {"mental_health"}, nil}
	for p := range nPersons {
		id := fmt.Sprintf("P%06d", p)
		h, err := hasher.HashNumber(fmt.Sprintf("07700 %06d", p%1000000))
		if err != nil {
			panic(err)
		}
		phones[p] = h
		gender := []string{"female", "male"}[rng.IntN(2)]
		ref(ingest.KindPerson, start.AddDate(-1, 0, 0), "", func(r *ingest.Record) {
			r.Person = &lantern.Person{ID: id, Gender: gender, BirthYear: 1950 + rng.IntN(58), Area: areas[rng.IntN(4)],
				Flags: flags[p%len(flags)], PhoneHashes: []string{h}}
		})
	}
	// Each member of staff's incidents and the people in them, for purposeful events.
	type job struct {
		person         int
		opened, closed time.Time
	}
	mine := make([][]job, nStaff)
	for n := range 5 * nStaff {
		id := fmt.Sprintf("I%06d", n)
		opened := start.Add(time.Duration(rng.Int64N(int64(80 * 24 * time.Hour))))
		closed := opened.Add(time.Duration(1+rng.IntN(30)) * 24 * time.Hour)
		typ := []string{"domestic_abuse", "theft", "assault", "concern_for_welfare"}[n%4]
		ref(ingest.KindIncident, opened, "", func(r *ingest.Record) {
			r.Incident = &lantern.Incident{ID: id, Type: typ, Status: "open", OpenedAt: opened, StatusAt: opened, Area: areas[n%4]}
		})
		ref(ingest.KindIncident, closed, "", func(r *ingest.Record) {
			r.Incident = &lantern.Incident{ID: id, Type: typ, Status: "closed", OpenedAt: opened, ClosedAt: &closed, StatusAt: closed, Area: areas[n%4]}
		})
		p := rng.IntN(nPersons)
		s := rng.IntN(nStaff)
		ref(ingest.KindInvolvement, opened, "", func(r *ingest.Record) {
			r.Involvement = &lantern.Involvement{IncidentID: id, PersonID: fmt.Sprintf("P%06d", p), Part: "victim", At: opened}
		})
		ref(ingest.KindAssignment, opened, staffID(s), func(r *ingest.Record) {
			r.Assignment = &lantern.Assignment{IncidentID: id, StaffID: staffID(s), Kind: "attended", At: opened.Add(time.Hour)}
		})
		mine[s] = append(mine[s], job{p, opened, closed})
	}
	// Events happen on duty: a member of staff, one of their duty days, a time
	// in the shift.
	type slot struct {
		t time.Time
		s int
	}
	slots := make([]slot, nEvents)
	for i := range slots {
		s := rng.IntN(nStaff)
		d := rng.IntN(86) // the roster covers 90 days
		d -= mod7(d + s)  // back to the start of the week's pattern
		d += rng.IntN(4)
		slots[i] = slot{start.AddDate(0, 0, max(d, 0)).Add(7*time.Hour + time.Duration(rng.Int64N(int64(10*time.Hour)))), s}
	}
	slices.SortFunc(slots, func(a, b slot) int { return a.t.Compare(b.t) })
	fields := [][]string{nil, {"name"}, {"address", "phone"}, {"warning_markers"}}
	for i, sl := range slots {
		t, s := sl.t, sl.s
		sid := staffID(s)
		// A person from an open case of theirs; else someone not vulnerable;
		// one time in twenty, anyone.
		p := -1
		for _, j := range mine[s] {
			if !t.Before(j.opened.Add(2*time.Hour)) && t.Before(j.closed) {
				p = j.person
			}
		}
		if p < 0 {
			p = rng.IntN(nPersons)
			if rng.IntN(20) > 0 {
				for p%len(flags) == 2 || p%len(flags) == 4 {
					p = rng.IntN(nPersons)
				}
			}
		}
		id := fmt.Sprintf("e%07d", i)
		r := &ingest.Record{ID: id, Time: t, StaffID: sid}
		switch k := rng.IntN(20); {
		case k < 2:
			r.Kind = ingest.KindComms
			r.Comms = &lantern.CommsEvent{ID: id, Time: t, StaffID: sid, Device: "D" + sid, Direction: "outbound", Kind: "sms", NumberHash: phones[p]}
		case k < 3:
			r.Kind = ingest.KindAccess
			r.Access = &lantern.AccessEvent{ID: id, Time: t, StaffID: sid, System: "pnd", Action: "search",
				Query: []string{"SMITH JOHN", "blonde female", "AB12 CDE"}[rng.IntN(3)]}
		default:
			r.Kind = ingest.KindAccess
			r.Access = &lantern.AccessEvent{ID: id, Time: t, StaffID: sid, System: "rms", Action: "view",
				PersonID: fmt.Sprintf("P%06d", p), Fields: fields[rng.IntN(len(fields))]}
		}
		f.events = append(f.events, r)
	}
	return f
}

// engine returns an engine over the built-in library with the force's
// reference data applied.
func (f *synthForce) engine(set *detect.RuleSet) *detect.Engine {
	e := detect.NewEngine(detect.NewWorld(), set)
	for _, r := range f.reference {
		e.Apply(r)
	}
	return e
}

func mod7(n int) int { return ((n % 7) + 7) % 7 }
