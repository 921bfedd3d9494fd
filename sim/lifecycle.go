package sim

// Chances in the life of a closed case.
const (
	reopenChance = 0.03 // reopened on new evidence 2 weeks to 4 months later
	reviewChance = 0.02 // assigned to someone for review without reopening
)

// investigate assigns the officer in the case and schedules the closure.
// left is when the last attending officer left the scene.
func (w *world) investigate(in *incident, spec *incidentSpec, t, left int64) {
	inv := spec.investigators[weighted(w.rng, len(spec.investigators), func(i int) float64 { return spec.investigators[i].weight })]
	oic, at := int32(-1), t+int64(2*hour+w.rng.IntN(18*hour))
	switch inv.role {
	case roleNone:
	case roleAttender:
		if len(in.attended) > 0 {
			oic, at = in.attended[0], left+int64(10*minute+w.rng.IntN(50*minute))
		} else {
			oic = w.pickInvestigator(roleNeighbourhood, in.area)
		}
	default:
		oic = w.pickInvestigator(inv.role, in.area)
	}
	if s := w.steerer(in, t); s >= 0 {
		oic, at = s, max(at, left+int64(10*minute))
	}
	days := 0.0
	switch {
	case oic < 0:
		days = logUniform(w.rng, 0.05, 0.4)
		if spec.openDays[1] < 5 {
			days = logUniform(w.rng, spec.openDays[0], spec.openDays[1])
		}
	case chance(w.rng, spec.quickClose):
		days = logUniform(w.rng, 0.3, 3)
	default:
		days = logUniform(w.rng, spec.openDays[0], spec.openDays[1])
	}
	flo := chance(w.rng, spec.familyLiaison)
	if flo {
		days = max(days, logUniform(w.rng, 30, 120))
	}
	closeAt := w.officeHours(t+int64(days*day), max(at, left)+hour)
	if flo {
		w.deployFamilyLiaison(in, t, closeAt)
	}
	if oic >= 0 {
		if steer := w.steer(in, oic, at); steer > 0 {
			closeAt = steer
		}
		w.assign(in, oic, at, closeAt)
	}
	in.closed = closeAt
	w.agenda.add(w.dayOf(closeAt), action{kind: actClose, t: closeAt, in: in})
}

// officeHours moves t to working hours (09:00 to 18:00) of its day, and no
// earlier than notBefore. Short cases (closed within hours) close when due.
func (w *world) officeHours(t, notBefore int64) int64 {
	if t-notBefore < 12*hour {
		return max(t, notBefore)
	}
	ds := w.dayStartOf(w.dayOf(t))
	t = ds + int64(9*hour+w.rng.IntN(9*hour))
	if t < notBefore {
		t = notBefore + int64(w.rng.IntN(hour))
	}
	return t
}

// assign makes s the officer in the case from at until the case is due to
// close.
func (w *world) assign(in *incident, s int32, at, until int64) {
	in.investigator, in.assignedAt = s, at
	w.out.assignment.add(at, assignmentRec{incident: in.id, staff: s, kind: asgAssigned, until: until})
	st := &w.staff[s]
	st.cases = append(st.cases, in)
}

// pickInvestigator chooses, from a sample of role r in area a, the one with
// the fewest open cases.
func (w *world) pickInvestigator(r uint8, a int32) int32 {
	list := w.areas[a].staffByRole[r]
	if len(list) == 0 {
		list = w.byRole[r]
	}
	best := int32(-1)
	if len(list) == 0 {
		return best
	}
	for range 6 {
		s := pick(w.rng, list)
		if w.staff[s].left || w.staff[s].startDate > w.dayStart {
			continue
		}
		if best < 0 || len(w.staff[s].cases) < len(w.staff[best].cases) {
			best = s
		}
	}
	return best
}

// deployFamilyLiaison assigns a family liaison officer to a death or serious
// injury, with the family members they will be in touch with.
func (w *world) deployFamilyLiaison(in *incident, t, until int64) {
	f := w.pickInvestigator(roleFamilyLiaison, 0)
	if f < 0 {
		return
	}
	at := t + int64(3*hour+w.rng.IntN(12*hour))
	for range between(w.rng, 1, 3) {
		p := w.newPerson(in.area, chance(w.rng, 0.6), w.startYear()-between(w.rng, 20, 75), 0.95)
		w.out.person.add(at, w.personRecord(p))
		w.link(in, p, partOther, 0, at)
	}
	in.flo = f
	w.out.assignment.add(at+10*minute, assignmentRec{incident: in.id, staff: f, kind: asgAssigned, until: until})
	w.staff[f].cases = append(w.staff[f].cases, in)
}

// closeIncident closes an incident when its closure comes due, and decides
// what happens to it afterwards: a trial, a reopening, a review.
func (w *world) closeIncident(in *incident, t int64) {
	if !in.open || in.closed != t {
		return // reopened or rescheduled since
	}
	in.open = false
	w.out.incident.add(t, incidentRec{incident: in.id, typ: in.typ, area: in.area, opened: in.opened, closed: t})
	ar := &w.areas[in.area]
	last := ar.open[len(ar.open)-1]
	ar.open[in.openPos], last.openPos = last, in.openPos
	ar.open = ar.open[:len(ar.open)-1]
	w.dropCase(in.investigator, in)
	w.dropCase(in.flo, in)
	if in.flo >= 0 {
		// The liaison's deployment ends with the case.
		in.flo = -1
	}
	spec := &incidentSpecs[in.typ]
	oic := in.investigator
	if oic < 0 && len(in.attended) > 0 {
		oic = in.attended[0]
	}
	switch {
	case oic >= 0 && in.has(partSuspect) && !in.steered && chance(w.rng, spec.court):
		w.scheduleCourt(in, oic, t)
	case chance(w.rng, reopenChance):
		rt := w.dayStartOf(w.dayOf(t)+between(w.rng, 14, 120)) + int64(9*hour+w.rng.IntN(8*hour))
		w.agenda.add(w.dayOf(rt), action{kind: actReopen, t: rt, in: in})
	case chance(w.rng, reviewChance):
		rt := w.dayStartOf(w.dayOf(t)+between(w.rng, 7, 90)) + int64(9*hour+w.rng.IntN(8*hour))
		w.agenda.add(w.dayOf(rt), action{kind: actReview, t: rt, in: in})
	}
}

func (w *world) dropCase(s int32, in *incident) {
	if s < 0 {
		return
	}
	cs := w.staff[s].cases
	for i, c := range cs {
		if c == in {
			cs[i] = cs[len(cs)-1]
			cs[len(cs)-1] = nil
			w.staff[s].cases = cs[:len(cs)-1]
			return
		}
	}
}

// reopen reopens a closed case on new evidence, back with its officer if
// they are still here or with a new one, and schedules its new closure.
func (w *world) reopen(in *incident, t int64) {
	if in.open {
		return
	}
	in.open = true
	w.out.incident.add(t, incidentRec{incident: in.id, typ: in.typ, open: true, area: in.area, opened: in.opened})
	ar := &w.areas[in.area]
	in.openPos = len(ar.open)
	ar.open = append(ar.open, in)
	oic := in.investigator
	if oic < 0 || w.staff[oic].left || chance(w.rng, 0.4) {
		oic = w.pickInvestigator(roleDetective, in.area)
	}
	in.closed = w.officeHours(t+int64(logUniform(w.rng, 10, 60)*day), t+2*hour)
	if oic >= 0 {
		w.assign(in, oic, t+int64(30*minute+w.rng.IntN(3*hour)), in.closed)
	}
	w.agenda.add(w.dayOf(in.closed), action{kind: actClose, t: in.closed, in: in})
}

// review assigns a closed case to a detective for a week's review (a
// victim's right to review, a quality check), without reopening it.
func (w *world) review(in *incident, t int64) {
	s := w.pickInvestigator(roleDetective, in.area)
	if s < 0 {
		return
	}
	w.out.assignment.add(t, assignmentRec{incident: in.id, staff: s, kind: asgAssigned, until: t + 7*day})
	x := w.session(s, t+int64(10*minute+w.rng.IntN(2*hour)))
	x.viewIncident(sysRMS, in.id)
	for _, p := range in.people {
		if p.part != partWitness {
			x.access(sysRMS, actView, p.person, in.id, fSummary, "")
		}
	}
	x.access(sysRMS, actUpdate, -1, in.id, fOutcome, "")
}

// scheduleCourt fixes a trial one to eight months after closure: the
// officer in the case prepares in the fortnight before it and is rostered to
// court on the day.
func (w *world) scheduleCourt(in *incident, oic int32, closed int64) {
	cd := w.dayOf(closed) + between(w.rng, 30, 240)
	for weekday(floorDiv(w.dayStartOf(cd), day)) >= 5 {
		cd++
	}
	if !w.agenda.add(cd-1, action{kind: actCourtDay, in: in, staff: oic}) {
		return
	}
	for range between(w.rng, 2, 4) {
		w.agenda.add(cd-between(w.rng, 1, 14), action{kind: actCourtPrep, in: in, staff: oic})
	}
}

// courtPrep is the officer in the case reading the file and the statements
// before a trial, on a day they work.
func (w *world) courtPrep(in *incident, s int32) {
	st := &w.staff[s]
	if st.left || st.today.start == 0 || st.todayKind != shiftDuty {
		return
	}
	x := w.session(s, secondsIn(w.rng, st.today))
	x.viewIncident(sysRMS, in.id)
	for _, p := range in.people {
		if p.part == partVictim || p.part == partWitness || p.part == partSuspect {
			x.access(sysRMS, actView, p.person, in.id, fStatement, "")
		}
	}
	if chance(w.rng, 0.4) {
		x.access(sysRMS, actPrint, -1, in.id, fStatement, "")
	}
}

// courtDay puts a trial on the officer's roster for tomorrow.
func (w *world) courtDay(s int32) {
	st := &w.staff[s]
	if !st.left {
		st.courtOn = w.day + 1
	}
}
