package sim

import "math/rand/v2"

// world is the state of the simulated force. It grows with the size of the
// force (staff, the people in its records, incidents of the last few months),
// never with the number of events.
type world struct {
	cfg   Config
	rng   *rand.Rand
	out   *output
	start int64 // Unix seconds of day 0, the first day of events

	names     names // of areas and stations, for the writers
	areas     []area
	stations  []station
	hq        int32 // the headquarters station
	teams     []string
	teamIndex map[string]int32
	staff     []staff
	byRole    [numRoles][]int32
	people    []person
	pools     pools

	nextIncident int32
	nextPhone    int32
	accessSeq    int64
	commsSeq     int64

	day      int   // the day being simulated; negative during the warm-up
	dayStart int64 // Unix seconds of its midnight
	agenda   agenda

	offenders []*offender
	screening *screening
	roleStats [numRoles]RoleStats
}

// area is one of the force's basic command units.
type area struct {
	name     string
	x, y     int     // position on the force's map; distance between areas is |dx|+|dy|
	weight   float64 // share of the force's incidents and residents
	stations []int32
	custody  int32 // the station with the custody suite

	people  []int32     // residents in the force's records
	open    []*incident // incidents open now
	recent  [recentDays][]*incident
	daQueue []*incident // domestic abuse incidents awaiting a risk assessment
	arrests []*incident // incidents whose suspect awaits booking into custody

	staffByRole [numRoles][]int32 // staff based in the area, by role
}

// recentDays is how long incidents stay in an area's recent list, from which
// supervisors, analysts and offenders pick.
const recentDays = 21

// station is a police station; its name is also the location of its
// terminals in audit logs.
type station struct {
	name string
	area int32
}

// window is a span of working time; a zero window is no shift.
type window struct{ start, end int64 }

func (w window) covers(t int64) bool { return t >= w.start && t < w.end }

// staff is one member of the workforce and what the simulation needs to
// know about them today.
type staff struct {
	role, variant, gender uint8
	rotaTeam              uint8 // which of the five 24/7 teams, or the week pattern of local and office rotas
	area                  int32
	station               int32
	team                  int32
	pace                  float64 // individual activity relative to role peers
	admin                 float64 // police staff: how much their department reads records
	startDate             int64
	officeStart           int64 // office and local rotas: start of the working day, seconds after midnight
	phone                 int32 // the number of their work phone, or -1 for none
	terminal              int32 // their usual terminal at their station
	left                  bool

	awayFrom  int64 // start of their current or last absence
	awayKind  uint8 // shiftLeave or shiftSick
	awayUntil int   // first day back from it
	today     window
	yesterday window
	todayKind uint8 // shiftDuty, shiftTraining or shiftCourt while today is set
	courtOn   int   // day of their next court appearance, or -1

	cases    []*incident // open cases they are assigned to investigate
	offender *offender
}

// onDuty reports whether s is working at t, on today's or yesterday's shift.
func (s *staff) onDuty(t int64) bool { return s.today.covers(t) || s.yesterday.covers(t) }

// person is someone in the force's records.
type person struct {
	birthYear int16
	gender    uint8
	pooled    uint8 // which pools hold them
	area      int32
	flags     uint16
	phone     int32 // index of their mobile number, or -1
	since     int32 // the day their record was created
}

// incident is an incident the simulation still has a use for: open, recent,
// or with something scheduled (a closure, a trial, a reopening).
type incident struct {
	id           int32
	typ          uint8
	area         int32
	open         bool
	opened       int64
	closed       int64 // when it closed (or is due to close)
	people       []involved
	attended     []int32
	investigator int32 // the officer in the case, or -1
	assignedAt   int64
	flo          int32 // family liaison officer, or -1
	openPos      int   // index in the area's open list while open
	arrested     bool
	steered      bool // closed early by an offender
}

// involved is a person's part in an incident.
type involved struct {
	person int32
	part   uint8
}

// victim returns the first victim, or the subject of a welfare or missing
// person report, or -1.
func (in *incident) victim() int32 {
	for _, p := range in.people {
		if p.part == partVictim {
			return p.person
		}
	}
	for _, p := range in.people {
		if p.part == partOther {
			return p.person
		}
	}
	return -1
}

// eventsOn reports whether day d produces audit and phone events; the
// warm-up only builds the records.
func eventsOn(d int) bool { return d >= 0 }
