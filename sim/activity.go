package sim

import "math"

// activity is the day's legitimate work: every member of staff whose shift
// starts today does their role's tasks at times across the shift.
func (w *world) activity() {
	if !eventsOn(w.day) {
		return
	}
	for i := range w.staff {
		s := &w.staff[i]
		if s.today.start == 0 || s.todayKind != shiftDuty {
			continue
		}
		w.roleStats[s.role].Shifts++
		w.workShift(int32(i), s)
	}
}

// workShift does one shift's tasks for s.
func (w *world) workShift(i int32, s *staff) {
	spec := &roleSpecs[s.role]
	rate := func(mean float64) int { return poisson(w.rng, mean*s.pace) }
	at := func() int64 { return secondsIn(w.rng, s.today) }
	for range rate(spec.checks) {
		w.check(i, s, at())
	}
	for range rate(spec.monitor) {
		w.monitor(i, s, at())
	}
	if spec.caseWork > 0 {
		w.caseWork(i, s, math.Min(spec.caseWork*s.pace, 0.95))
	}
	for range rate(spec.daReview) {
		w.daReview(i, s, at())
	}
	for range rate(spec.marac) {
		w.marac(i, s, at())
	}
	for range rate(spec.broad) {
		w.broadSearch(i, s, at())
	}
	for range rate(spec.custody) {
		w.custody(i, s, at())
	}
	for range rate(spec.review) {
		w.supervise(i, s, at())
	}
	for range rate(spec.admin * s.admin) {
		w.adminRead(i, s, at())
	}
	w.colleagueCalls(i, s, rate(spec.calls))
	for range rate(spec.agency) {
		w.call(i, at(), -1-int32(w.rng.IntN(agencies)), dirOutbound, commsCall, w.length(commsCall), nil)
	}
}

// check is a person checked on the police national computer (a stop, a
// name given at a scene) or a caller's history in the records: mostly men,
// mostly local, with no incident to link it to.
func (w *world) check(i int32, s *staff, t int64) {
	people := w.areas[s.area].people
	var p int32
	for range 4 {
		p = pick(w.rng, people)
		if w.known(p) && (w.people[p].gender != genderFemale || chance(w.rng, 0.35)) {
			break
		}
	}
	sys := sysPNC
	switch s.role {
	case roleControlRoom, rolePoliceStaff:
		sys = sysRMS
		if roleSpecs[s.role].forceWide {
			p = pick(w.rng, w.areas[w.rng.IntN(len(w.areas))].people)
		}
	case roleDetective, roleSafeguarding, roleAnalyst:
		sys = sysIntel
	}
	if !w.known(p) {
		return
	}
	x := w.session(i, t)
	if chance(w.rng, 0.15) && sys == sysPNC {
		x.search(sysPNC, w.vehicleQuery())
	}
	x.search(sys, w.nameQuery(p))
	x.viewPerson(sys, p, fSummaryWarnings)
}

// monitor is an open incident in the member's scope looked at: the control
// room across the force, others in their own area.
func (w *world) monitor(i int32, s *staff, t int64) {
	a := s.area
	if roleSpecs[s.role].forceWide {
		a = int32(w.rng.IntN(len(w.areas)))
	}
	open := w.areas[a].open
	if len(open) == 0 {
		return
	}
	in := pick(w.rng, open)
	if in.opened >= t {
		return
	}
	sys := sysRMS
	if s.role == roleControlRoom || s.role == roleResponse || s.role == roleSupervisor {
		sys = sysCommand
	}
	x := w.session(i, t)
	x.viewIncident(sys, in.id)
	if len(in.people) > 0 && chance(w.rng, 0.3) {
		x.access(sysRMS, actView, pick(w.rng, in.people).person, in.id, fSummary, "")
	}
	if s.role == roleControlRoom && chance(w.rng, 0.3) {
		x.access(sysCommand, actUpdate, -1, in.id, fNone, "")
	}
}

// caseWork is the officer in the case working their open cases: reading the
// file, updating it, and ringing or texting the victim and witnesses on the
// work phone, who sometimes reply later, at any hour.
func (w *world) caseWork(i int32, s *staff, p float64) {
	for _, in := range s.cases {
		if !chance(w.rng, p) {
			continue
		}
		t := secondsIn(w.rng, s.today)
		if t < in.assignedAt {
			continue
		}
		x := w.session(i, t)
		x.viewIncident(sysRMS, in.id)
		var contact []involved
		for _, pp := range in.people {
			if pp.part == partSuspect {
				if chance(w.rng, 0.3) {
					x.access(sysRMS, actView, pp.person, in.id, fSummary, "")
				}
				continue
			}
			if w.people[pp.person].phone >= 0 && (in.flo == i) == (pp.part == partOther) {
				contact = append(contact, pp)
			}
		}
		if chance(w.rng, 0.5) {
			x.access(sysRMS, actUpdate, -1, in.id, fNone, "")
		}
		callChance := 0.35
		if in.flo == i {
			callChance = 0.9 // a family liaison officer is in touch with the family most days
		}
		if len(contact) == 0 || s.phone < 0 || !chance(w.rng, callChance) {
			continue
		}
		pp := pick(w.rng, contact)
		x.access(sysRMS, actView, pp.person, in.id, fContact, "")
		number := w.people[pp.person].phone
		kind := commsCall
		if chance(w.rng, 0.35) {
			kind = commsSMS
		}
		w.call(i, x.t+int64(w.rng.IntN(10*minute)), number, dirOutbound, kind, w.length(kind), nil)
		if chance(w.rng, 0.35) {
			reply := min(x.t+int64(10*minute+w.rng.IntN(18*hour)), w.latest())
			kind := pick(w.rng, []uint8{commsSMS, commsSMS, commsCall})
			w.call(i, reply, number, dirInbound, kind, w.length(kind), nil)
		}
	}
}

// daReview is a safeguarding officer risk-assessing a new domestic abuse
// incident in their area: the log, the victim's and suspect's records and
// intelligence, and the risk assessment. It puts the unit in the records of
// many domestic abuse victims whose cases are not theirs.
func (w *world) daReview(i int32, s *staff, t int64) {
	ar := &w.areas[s.area]
	if len(ar.daQueue) == 0 || ar.daQueue[0].opened > t {
		return
	}
	in := ar.daQueue[0]
	ar.daQueue[0] = nil
	ar.daQueue = ar.daQueue[1:]
	x := w.session(i, t)
	x.viewIncident(sysRMS, in.id)
	for _, p := range in.people {
		switch p.part {
		case partVictim:
			x.access(sysRMS, actView, p.person, in.id, fSummaryWarningsAddress, "")
			x.viewPerson(sysIntel, p.person, fSummary)
		case partSuspect:
			x.access(sysRMS, actView, p.person, in.id, fSummaryWarnings, "")
			x.viewPerson(sysIntel, p.person, fSummary)
			if chance(w.rng, 0.5) {
				x.viewPerson(sysPND, p.person, fSummary)
			}
		}
	}
	x.access(sysRMS, actUpdate, -1, in.id, fRisk, "")
}

// marac is a safeguarding officer reviewing a high-risk victim of domestic
// abuse in their area for the multi-agency risk conference: her record and
// intelligence, with no incident of theirs to link it to.
func (w *world) marac(i int32, s *staff, t int64) {
	pool := w.pools.femaleVictims
	if len(pool) == 0 {
		return
	}
	for range 20 {
		p := pick(w.rng, pool)
		pp := &w.people[p]
		if pp.area != s.area || pp.flags&flagDomesticAbuse == 0 || !w.known(p) {
			continue
		}
		x := w.session(i, t)
		x.viewPerson(sysRMS, p, fSummaryWarningsAddress)
		if chance(w.rng, 0.5) {
			x.viewPerson(sysIntel, p, fSummary)
		}
		return
	}
}

// broadSearch is an analyst's search by description, method or place,
// followed by the records it turned up, and sometimes an export.
func (w *world) broadSearch(i int32, s *staff, t int64) {
	a := s.area
	if w.teams[s.team] == "force-intelligence" {
		a = int32(w.rng.IntN(len(w.areas)))
	}
	ar := &w.areas[a]
	x := w.session(i, t)
	x.search(pick(w.rng, []uint8{sysRMS, sysIntel}), w.analystQuery(a))
	var recent []*incident
	for range 3 {
		if r := ar.recent[w.rng.IntN(recentDays)]; len(r) > 0 {
			recent = r
			break
		}
	}
	for range between(w.rng, 1, 3) {
		if len(recent) == 0 {
			break
		}
		in := pick(w.rng, recent)
		if in.opened >= x.t {
			continue
		}
		x.viewIncident(sysRMS, in.id)
		if len(in.people) > 0 {
			x.viewPerson(sysIntel, pick(w.rng, in.people).person, fSummary)
		}
		if chance(w.rng, 0.15) {
			x.access(sysRMS, actExport, -1, in.id, fNone, "")
		}
	}
	for range between(w.rng, 1, 4) {
		if p := pick(w.rng, ar.people); w.known(p) {
			x.viewPerson(sysIntel, p, fSummary)
		}
	}
}

// custody is a detained suspect booked in: the custody record, their PNC
// record, the incident; or, with nobody waiting, a detainee reviewed.
func (w *world) custody(i int32, s *staff, t int64) {
	ar := &w.areas[s.area]
	x := w.session(i, t)
	if len(ar.arrests) == 0 || ar.arrests[0].opened > t {
		for _, r := range ar.recent[w.recentSlot()] {
			if r.arrested && r.opened < t {
				for _, p := range r.people {
					if p.part == partSuspect {
						x.viewPerson(sysCustody, p.person, fCustody)
						return
					}
				}
			}
		}
		return
	}
	in := ar.arrests[0]
	ar.arrests[0] = nil
	ar.arrests = ar.arrests[1:]
	for _, p := range in.people {
		if p.part != partSuspect {
			continue
		}
		x.access(sysCustody, actCreate, p.person, in.id, fCustody, "")
		x.viewPerson(sysPNC, p.person, fSummaryWarnings)
		x.viewIncident(sysRMS, in.id)
		for range between(w.rng, 1, 3) {
			x.t += int64(w.rng.IntN(2 * hour))
			x.access(sysCustody, actUpdate, p.person, in.id, fCustody, "")
		}
		return
	}
}

// supervise is a sergeant or inspector checking an incident their area's
// officers attended, and signing off the crime report.
func (w *world) supervise(i int32, s *staff, t int64) {
	ar := &w.areas[s.area]
	r := ar.recent[w.recentSlot()]
	if len(r) == 0 || chance(w.rng, 0.3) {
		r = ar.recent[(w.recentSlot()+recentDays-1)%recentDays]
	}
	if len(r) == 0 {
		return
	}
	in := pick(w.rng, r)
	if in.opened > t {
		return
	}
	x := w.session(i, t)
	x.viewIncident(sysRMS, in.id)
	if len(in.people) > 0 && chance(w.rng, 0.3) {
		x.access(sysRMS, actView, pick(w.rng, in.people).person, in.id, fSummary, "")
	}
	if chance(w.rng, 0.4) {
		x.access(sysRMS, actUpdate, -1, in.id, fOutcome, "")
	}
}

// adminRead is police staff reading a record: the records and disclosure
// units all day, front counters often, most departments rarely.
func (w *world) adminRead(i int32, s *staff, t int64) {
	ar := &w.areas[w.rng.IntN(len(w.areas))]
	r := ar.recent[w.rng.IntN(recentDays)]
	if len(r) == 0 {
		return
	}
	in := pick(w.rng, r)
	if in.opened > t {
		return
	}
	x := w.session(i, t)
	x.viewIncident(sysRMS, in.id)
	if len(in.people) > 0 && chance(w.rng, 0.5) {
		x.access(sysRMS, actView, pick(w.rng, in.people).person, in.id, fSummary, "")
	}
	if chance(w.rng, 0.1) {
		x.access(sysRMS, actPrint, -1, in.id, fNone, "")
	}
}

// colleagueCalls are n calls or messages between s and colleagues in their
// role and area, each recorded on both work phones.
func (w *world) colleagueCalls(i int32, s *staff, n int) {
	if s.phone < 0 {
		return
	}
	peers := w.areas[s.area].staffByRole[s.role]
	for range n {
		c := pick(w.rng, peers)
		if c == i || w.staff[c].phone < 0 || w.staff[c].left {
			sups := w.areas[s.area].staffByRole[roleSupervisor]
			if len(sups) == 0 {
				continue
			}
			if c = pick(w.rng, sups); c == i || w.staff[c].phone < 0 || w.staff[c].left {
				continue
			}
		}
		t := secondsIn(w.rng, s.today)
		kind := pick(w.rng, []uint8{commsCall, commsCall, commsSMS, commsApp})
		dur := w.length(kind)
		w.call(i, t, w.staff[c].phone, dirOutbound, kind, dur, nil)
		w.call(c, t+int64(w.rng.IntN(5)), s.phone, dirInbound, kind, dur, nil)
	}
}
