package sim

import "slices"

// pattern is a kind of planted behaviour.
type pattern uint8

const (
	patRenewedInterest pattern = iota
	patNoPurpose
	patHarvesting
	patWorkPhone
	patTrawling
	patOffDuty
	patOutOfArea
	patSteering
	numPatterns
)

// Pattern names as truth.jsonl writes them.
const (
	PatternRenewedInterest   = "renewed_interest"
	PatternNoPurposeLookup   = "no_purpose_lookup"
	PatternContactHarvesting = "contact_harvesting"
	PatternWorkPhoneContact  = "work_phone_contact"
	PatternTrawling          = "trawling"
	PatternOffDutyAccess     = "off_duty_access"
	PatternOutOfAreaAccess   = "out_of_area_access"
	PatternDACaseSteering    = "da_case_steering"
)

var patternNames = [numPatterns]string{
	PatternRenewedInterest, PatternNoPurposeLookup, PatternContactHarvesting, PatternWorkPhoneContact,
	PatternTrawling, PatternOffDutyAccess, PatternOutOfAreaAccess, PatternDACaseSteering,
}

// Patterns returns the names of the planted behaviours, in a fixed order.
func Patterns() []string { return slices.Clone(patternNames[:]) }

// patternRoles are the roles that can carry out each pattern: renewed
// interest needs someone who attends incidents, steering someone who
// investigates domestic abuse, out-of-area access someone with an area.
var patternRoles = [numPatterns][]uint8{
	patRenewedInterest: {roleResponse, roleNeighbourhood, rolePCSO},
	patNoPurpose:       {roleResponse, roleNeighbourhood, roleDetective, roleSafeguarding, roleControlRoom, roleCustody, roleAnalyst, rolePCSO, rolePoliceStaff, roleSupervisor},
	patHarvesting:      {roleResponse, roleNeighbourhood, roleDetective, roleSafeguarding, roleControlRoom, roleCustody, roleAnalyst, rolePCSO, rolePoliceStaff, roleSupervisor},
	patWorkPhone:       {roleResponse, roleNeighbourhood, roleDetective, roleSafeguarding, rolePCSO, roleSupervisor},
	patTrawling:        {roleResponse, roleNeighbourhood, roleDetective, roleControlRoom, roleCustody, roleAnalyst, rolePCSO, rolePoliceStaff, roleSupervisor},
	patOffDuty:         {roleResponse, roleNeighbourhood, roleDetective, roleSafeguarding, roleCustody, rolePCSO, rolePoliceStaff, roleSupervisor},
	patOutOfArea:       {roleResponse, roleNeighbourhood, roleDetective, roleCustody, rolePCSO, roleSupervisor},
	patSteering:        {roleResponse, roleSafeguarding},
}

// offenderRoleWeight is how likely an offender is to hold each role, before
// the pattern narrows it: mostly officers in public-facing roles.
var offenderRoleWeight = [numRoles]float64{
	roleResponse: 45, roleNeighbourhood: 15, roleDetective: 12, roleSafeguarding: 5, roleCustody: 5,
	roleControlRoom: 6, rolePCSO: 5, rolePoliceStaff: 4, roleAnalyst: 3, roleSupervisor: 4,
}

// offender is a member of staff planted with one or more behaviours.
type offender struct {
	staff int32
	plans []*plan
}

// plan is one planted behaviour: its parameters, its state as it unfolds,
// and the events that make it up.
type plan struct {
	pattern pattern
	staff   int32
	careful bool
	from    int // first day it may act

	perWeek float64 // how often it acts
	delay   float64 // days from meeting her to the first act
	gap     float64 // days between acts, for sequences
	gap0    float64 // the first gap, for the truth file
	escal   float64 // factor applied to the gap after each contact
	minGap  float64
	left    int // acts still to come
	next    int // day of the next act
	until   int // last day it acts
	offDuty float64
	k       [2]int // distinct people viewed per shift (trawling)

	victim   int32     // the woman it is about, or -1 until found
	incident *incident // the incident that brought her to the offender
	target   int32     // a fixation, or an area, by pattern
	met      int64     // when the offender met her
	steerAt  int64     // when a steered case is due to close
	seen     map[int32]bool

	events []int64 // access ids, and comms ids negated
	onset  int64
}

// note adds an event at t to the behaviour.
func (p *plan) note(id, t int64) {
	if len(p.events) == 0 || t < p.onset {
		p.onset = t
	}
	p.events = append(p.events, id)
}

// plantOffenders picks the offenders and their plans. Each offender has a
// primary pattern (taken round the patterns in a shuffled order, so that a
// force with eight or more offenders has every pattern) and sometimes others
// that go with it; half are careful.
func (w *world) plantOffenders() {
	n := int(float64(w.cfg.Staff)*w.cfg.OffenderRate + 0.5)
	order := make([]pattern, numPatterns)
	for i := range order {
		order[i] = pattern(i)
	}
	w.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for k := range n {
		primary := order[k%len(order)]
		s := w.pickOffender(primary)
		if s < 0 {
			continue
		}
		o := &offender{staff: s}
		w.staff[s].offender = o
		careful := chance(w.rng, 0.5)
		o.plans = append(o.plans, w.newPlan(primary, s, careful))
		for _, extra := range w.companions(primary) {
			if slices.Contains(patternRoles[extra], w.staff[s].role) && (extra != patWorkPhone || w.staff[s].phone >= 0) {
				o.plans = append(o.plans, w.newPlan(extra, s, careful))
			}
		}
		w.offenders = append(w.offenders, o)
	}
}

// companions draws the patterns that go with a primary one: the classic
// course is to meet a victim, look her up again, take her number and text
// her.
func (w *world) companions(primary pattern) []pattern {
	var out []pattern
	add := func(p pattern, c float64) {
		if p != primary && chance(w.rng, c) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	switch primary {
	case patRenewedInterest:
		add(patWorkPhone, 0.5)
		add(patHarvesting, 0.4)
	case patHarvesting:
		add(patWorkPhone, 0.4)
		add(patNoPurpose, 0.3)
	case patTrawling:
		add(patNoPurpose, 0.3)
		add(patOffDuty, 0.3)
	case patNoPurpose:
		add(patOffDuty, 0.3)
	case patSteering:
		add(patRenewedInterest, 0.3)
	}
	add(patOutOfArea, 0.1)
	return out
}

// pickOffender chooses a member of staff able to carry out pattern p.
func (w *world) pickOffender(p pattern) int32 {
	roles := patternRoles[p]
	for range 200 {
		r := roles[weighted(w.rng, len(roles), func(i int) float64 { return offenderRoleWeight[roles[i]] })]
		list := w.byRole[r]
		if len(list) == 0 {
			continue
		}
		s := pick(w.rng, list)
		st := &w.staff[s]
		if st.offender != nil || p == patWorkPhone && st.phone < 0 || p == patSteering && st.phone < 0 {
			continue
		}
		return s
	}
	return -1
}

// onsetDay draws the day a behaviour may start: within the first third of
// the run, so that even a short run shows it.
func (w *world) onsetDay() int { return w.rng.IntN(max(w.cfg.Days/3, 1)) }
