package sim

// Volumes of incidents: a force records about 30 incidents with people in
// them a year for each member of its workforce (a force of 2,000 about 160 a
// day), more at weekends and in the evening.
const incidentsPerStaffYear = 30

var hourWeights = [24]float64{3, 2.5, 2, 1.5, 1.2, 1, 1.2, 2, 3, 3.5, 4, 4, 4.2, 4.2, 4.5, 5, 5.5, 6, 6, 6, 5.8, 5.5, 5, 4}

// newIncidents opens the day's incidents.
func (w *world) newIncidents() {
	mean := float64(w.cfg.Staff) * incidentsPerStaffYear / 365
	if weekday(floorDiv(w.dayStart, day)) >= 4 {
		mean *= 1.12
	} else {
		mean *= 0.91
	}
	for range poisson(w.rng, mean) {
		w.newIncident()
	}
}

// newIncident opens one incident: the call, the people in it, the officers
// who attend and the one who investigates.
func (w *world) newIncident() {
	typ := uint8(weighted(w.rng, int(numIncidentTypes), func(i int) float64 { return incidentSpecs[i].share }))
	spec := &incidentSpecs[typ]
	a := int32(weighted(w.rng, len(w.areas), func(i int) float64 { return w.areas[i].weight }))
	h := weighted(w.rng, 24, func(i int) float64 { return hourWeights[i] })
	t := w.dayStart + int64(h)*hour + w.rng.Int64N(hour)
	in := &incident{id: w.nextIncident, typ: typ, area: a, open: true, opened: t, investigator: -1, flo: -1}
	w.nextIncident++
	w.out.incident.add(t, incidentRec{incident: in.id, typ: typ, open: true, area: a, opened: t})
	ar := &w.areas[a]
	in.openPos = len(ar.open)
	ar.open = append(ar.open, in)
	slot := w.recentSlot()
	ar.recent[slot] = append(ar.recent[slot], in)

	w.involve(in, spec, t)
	w.handleCall(in, t)
	left := w.attend(in, spec, t)
	w.investigate(in, spec, t, left)
	if typ == incDomesticAbuse {
		ar.daQueue = append(ar.daQueue, in)
	}
	if len(in.attended) > 0 && chance(w.rng, spec.arrest) && in.has(partSuspect) {
		in.arrested = true
		ar.arrests = append(ar.arrests, in)
	}
}

// recentSlot is today's slot in the areas' recent lists.
func (w *world) recentSlot() int { return ((w.day % recentDays) + recentDays) % recentDays }

func (in *incident) has(part uint8) bool {
	for _, p := range in.people {
		if p.part == part {
			return true
		}
	}
	return false
}

// involve links the people in an incident: victims or the subject of the
// report, suspects, witnesses, each found in the records or new to them.
func (w *world) involve(in *incident, spec *incidentSpec, t int64) {
	at := t + int64(60+w.rng.IntN(540))
	subject := func(part uint8) {
		p := w.subject(in, spec, t)
		flag := uint16(0)
		if spec.subjectFlag != 0 && chance(w.rng, spec.flagChance) {
			flag = spec.subjectFlag
		}
		w.link(in, p, part, flag, at)
		at += int64(30 + w.rng.IntN(270))
	}
	for range between(w.rng, spec.victims[0], spec.victims[1]) {
		subject(partVictim)
	}
	for range between(w.rng, spec.others[0], spec.others[1]) {
		subject(partOther)
	}
	for range between(w.rng, spec.suspects[0], spec.suspects[1]) {
		female := chance(w.rng, spec.suspectFemale)
		p := w.findOrNew(in, female, 16, 50, 0, 0.35, phoneSuspect, t)
		flag := uint16(0)
		if chance(w.rng, 0.1) {
			flag = flagSubstance
		}
		w.link(in, p, partSuspect, flag, at)
		at += int64(30 + w.rng.IntN(270))
	}
	for range between(w.rng, spec.witnesses[0], spec.witnesses[1]) {
		p := w.findOrNew(in, chance(w.rng, 0.5), 16, 80, 0, 0.1, phoneWitness, t)
		w.link(in, p, partWitness, 0, at)
		at += int64(30 + w.rng.IntN(270))
	}
}

// subject finds or creates the victim or subject of an incident.
func (w *world) subject(in *incident, spec *incidentSpec, t int64) int32 {
	female := chance(w.rng, spec.subjectFemale)
	return w.findOrNew(in, female, spec.subjectAge[0], spec.subjectAge[1], spec.subjectFlag, spec.repeat, phoneVictim, t)
}

// findOrNew returns, with probability repeat, someone already in the records
// who fits (living in the incident's area, of the gender and age, preferring
// people with flag), or else a new person whose record is queued at t.
func (w *world) findOrNew(in *incident, female bool, lo, hi int, flag uint16, repeat, phone float64, t int64) int32 {
	if chance(w.rng, repeat) {
		if p := w.findPerson(in, female, lo, hi, flag, t); p >= 0 {
			return p
		}
	}
	p := w.newPerson(in.area, female, w.startYear()-between(w.rng, lo, hi), phone)
	w.out.person.add(t, w.personRecord(p))
	return p
}

func (w *world) findPerson(in *incident, female bool, lo, hi int, flag uint16, t int64) int32 {
	ok := func(p int32) bool {
		pp := &w.people[p]
		if pp.area != in.area || (pp.gender == genderFemale) != female || in.involves(p) || !w.known(p) {
			return false
		}
		a := w.age(p, t)
		return a >= lo && a <= hi
	}
	if flag != 0 && len(w.pools.vulnerable) > 0 {
		for range 12 {
			if p := pick(w.rng, w.pools.vulnerable); w.people[p].flags&flag != 0 && ok(p) {
				return p
			}
		}
	}
	people := w.areas[in.area].people
	for range 12 {
		if p := pick(w.rng, people); ok(p) {
			return p
		}
	}
	return -1
}

func (in *incident) involves(p int32) bool {
	for _, x := range in.people {
		if x.person == p {
			return true
		}
	}
	return false
}

// link records p's part in the incident at t, giving them flag.
func (w *world) link(in *incident, p int32, part uint8, flag uint16, t int64) {
	in.people = append(in.people, involved{person: p, part: part})
	w.out.involvement.add(t, involvementRec{incident: in.id, person: p, part: part})
	if flag != 0 {
		w.addFlags(p, flag, t)
	}
}

// handleCall is the control room taking the call: a handler creates the
// log and checks the caller, a dispatcher resources it.
func (w *world) handleCall(in *incident, t int64) {
	if t < w.start {
		return
	}
	h := w.onDutyPick(w.byRole[roleControlRoom], t)
	if h < 0 {
		return
	}
	x := w.session(h, t)
	x.access(sysCommand, actCreate, -1, in.id, fNone, "")
	if v := in.victim(); v >= 0 {
		x.search(sysRMS, w.nameQuery(v))
		x.viewPerson(sysRMS, v, fSummaryWarnings)
	}
	x.access(sysCommand, actUpdate, -1, in.id, fNone, "")
	if d := w.onDutyPick(w.byRole[roleControlRoom], x.t); d >= 0 {
		y := w.session(d, x.t+int64(60+w.rng.IntN(300)))
		y.viewIncident(sysCommand, in.id)
		y.access(sysCommand, actUpdate, -1, in.id, fNone, "")
	}
}

// attend sends officers and returns when the last of them left the scene
// (t when nobody attended).
func (w *world) attend(in *incident, spec *incidentSpec, t int64) int64 {
	if !chance(w.rng, spec.attend) {
		return t
	}
	n := 1
	if x := w.rng.Float64(); x < 0.05 {
		n = 3
	} else if x < 0.35 {
		n = 2
	}
	arrive := t + int64(5*minute+w.rng.IntN(40*minute))
	last := t
	for range n {
		s := w.pickAttender(in, arrive)
		if s < 0 {
			break
		}
		leave := arrive + int64(30*minute+w.rng.IntN(210*minute))
		w.out.assignment.add(arrive, assignmentRec{incident: in.id, staff: s, kind: asgAttended, until: leave})
		in.attended = append(in.attended, s)
		w.attendEvents(s, in, arrive, leave)
		w.noteAttendance(s, in, arrive)
		last = max(last, leave)
		arrive += int64(w.rng.IntN(10 * minute))
	}
	return last
}

// pickAttender chooses an officer on duty at t to attend: response in the
// area, else its neighbourhood team, else response from a neighbouring area.
// That mutual aid, and the nearest unit crossing a border now and then,
// puts officers legitimately outside their area.
func (w *world) pickAttender(in *incident, t int64) int32 {
	if s := w.volunteer(in, t); s >= 0 {
		return s
	}
	if chance(w.rng, crossBorder) {
		if s := w.neighbourAttender(in, t); s >= 0 {
			return s
		}
	}
	ar := &w.areas[in.area]
	for _, r := range []uint8{roleResponse, roleNeighbourhood, rolePCSO} {
		if s := w.onDutyPickExcept(ar.staffByRole[r], t, in.attended); s >= 0 {
			return s
		}
	}
	return w.neighbourAttender(in, t)
}

// crossBorder is the chance the nearest response unit to an incident is
// from a neighbouring area.
const crossBorder = 0.03

// neighbourAttender chooses a response officer on duty at t in an area next
// to the incident's, or -1.
func (w *world) neighbourAttender(in *incident, t int64) int32 {
	for i := range w.areas {
		if w.distance(in.area, int32(i)) == 1 {
			if s := w.onDutyPickExcept(w.areas[i].staffByRole[roleResponse], t, in.attended); s >= 0 {
				return s
			}
		}
	}
	return -1
}

// attendEvents is an officer at the scene: the log on the way, the people on
// arrival, the crime report and statement afterwards.
func (w *world) attendEvents(s int32, in *incident, arrive, leave int64) {
	if leave+2*hour < w.start {
		return
	}
	x := w.session(s, max(in.opened, arrive-int64(2*minute+w.rng.IntN(8*minute))))
	x.viewIncident(sysCommand, in.id)
	x.t = arrive + int64(5*minute+w.rng.IntN(15*minute))
	for _, p := range in.people {
		switch p.part {
		case partVictim, partOther:
			x.access(sysRMS, actView, p.person, in.id, fSummaryWarnings, "")
		case partSuspect:
			x.search(sysPNC, w.nameQuery(p.person))
			x.viewPerson(sysPNC, p.person, fSummaryWarnings)
		case partWitness:
			if chance(w.rng, 0.5) {
				x.access(sysRMS, actView, p.person, in.id, fSummary, "")
			}
		}
	}
	x.t = leave + int64(5*minute+w.rng.IntN(55*minute))
	act := actUpdate
	if len(in.attended) == 1 {
		act = actCreate
	}
	x.access(sysRMS, act, -1, in.id, fNone, "")
	if v := in.victim(); v >= 0 && chance(w.rng, 0.5) {
		x.access(sysRMS, actUpdate, v, in.id, fStatement, "")
	}
}
