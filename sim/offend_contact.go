package sim

// Behaviours that begin with a woman the offender met through the job:
// renewed interest, work-phone contact and domestic abuse case steering.

// volunteer lets an offender waiting to meet a victim take a call in their
// area that brings one: offenders put themselves forward for such jobs.
func (w *world) volunteer(in *incident, t int64) int32 {
	if len(w.offenders) == 0 {
		return -1
	}
	for _, o := range w.offenders {
		s := &w.staff[o.staff]
		if s.area != in.area || s.left || !s.onDuty(t) || in.attendedBy(o.staff) {
			continue
		}
		for _, p := range o.plans {
			if p.victim >= 0 || w.day < p.from {
				continue
			}
			wants := false
			switch p.pattern {
			case patRenewedInterest, patWorkPhone:
				wants = w.metVictim(in, t, p.pattern == patWorkPhone) >= 0
			case patSteering:
				wants = eventsOn(w.day) && w.steerable(in, t)
			}
			if wants && chance(w.rng, 0.5) {
				return o.staff
			}
		}
	}
	return -1
}

func (in *incident) attendedBy(s int32) bool {
	for _, a := range in.attended {
		if a == s {
			return true
		}
	}
	return false
}

// metVictim returns the victim of in an offender fixes on: a woman of 16 to
// 50, vulnerable or the victim of abuse, with a phone number on file if
// needPhone; or -1.
func (w *world) metVictim(in *incident, t int64, needPhone bool) int32 {
	v := in.victim()
	if v < 0 || !w.youngWoman(v, t, 16, 50) || needPhone && w.people[v].phone < 0 {
		return -1
	}
	switch in.typ {
	case incDomesticAbuse, incSexualOffence, incStalking, incWelfare, incMissing:
		return v
	}
	if w.people[v].flags&vulnerableFlags != 0 {
		return v
	}
	return -1
}

// noteAttendance tells an offender's waiting plans about an incident they
// attended.
func (w *world) noteAttendance(s int32, in *incident, t int64) {
	o := w.staff[s].offender
	if o == nil {
		return
	}
	for _, p := range o.plans {
		if p.victim >= 0 || p.pattern != patRenewedInterest && p.pattern != patWorkPhone || w.day < p.from {
			continue
		}
		if v := w.metVictim(in, t, p.pattern == patWorkPhone); v >= 0 {
			p.victim, p.incident, p.met = v, in, t
			p.next = max(w.dayOf(t)+int(p.delay), 0)
		}
	}
}

// steerable reports whether in is a domestic abuse case an offender could
// steer: a woman victim with a phone number.
func (w *world) steerable(in *incident, t int64) bool {
	if in.typ != incDomesticAbuse {
		return false
	}
	v := in.victim()
	return v >= 0 && w.youngWoman(v, t, 16, 60) && w.people[v].phone >= 0
}

// steerer returns an offender waiting to steer a domestic abuse case who
// attended in, or who works domestic abuse in its area, or -1.
func (w *world) steerer(in *incident, t int64) int32 {
	if !eventsOn(w.day) || !w.steerable(in, t) {
		return -1
	}
	for _, o := range w.offenders {
		s := &w.staff[o.staff]
		if s.left || s.area != in.area {
			continue
		}
		for _, p := range o.plans {
			if p.pattern == patSteering && p.incident == nil &&
				(in.attendedBy(o.staff) || s.role == roleSafeguarding && chance(w.rng, 0.3)) {
				return o.staff
			}
		}
	}
	return -1
}

// steer closes a case early when its officer is steering it: within a day
// or two (careful: within a week), against a norm of weeks. It returns the
// closing time, or 0 when oic steers nothing.
func (w *world) steer(in *incident, oic int32, at int64) int64 {
	o := w.staff[oic].offender
	if o == nil || !eventsOn(w.day) || !w.steerable(in, at) {
		return 0
	}
	for _, p := range o.plans {
		if p.pattern != patSteering || p.incident != nil {
			continue
		}
		days := logUniform(w.rng, 0.5, 2)
		if p.careful {
			days = 4 + 3*w.rng.Float64()
		}
		p.incident, p.victim, p.met = in, in.victim(), at
		p.steerAt = w.officeHours(at+int64(days*day), at+2*hour)
		p.next = w.dayOf(p.steerAt)
		in.steered = true
		return p.steerAt
	}
	return 0
}

// renewedInterest looks her up again, weeks after meeting her, with no
// tasking: never while the offender is still the officer in her case.
func (w *world) renewedInterest(p *plan, s *staff) {
	if p.victim < 0 || w.day < p.next || p.left <= 0 {
		return
	}
	if p.incident.open && p.incident.investigator == p.staff {
		p.next = w.day + 1
		return
	}
	t := w.actTime(p, s, 0.4)
	if t < 0 {
		p.next = w.day + 1
		return
	}
	x := w.session(p.staff, t)
	x.trace = p
	f := fSummary
	if !p.careful {
		f = pick(w.rng, []uint8{fSummaryAddress, fContact, fSummary})
	}
	x.viewPerson(sysRMS, p.victim, f)
	if chance(w.rng, 0.3) {
		x.viewIncident(sysRMS, p.incident.id)
	}
	p.left--
	p.next = w.day + max(1, int(p.gap*(0.7+0.6*w.rng.Float64())+0.5))
}

// workPhone is contact with her from the work phone outside any case of
// his, more and more often; she sometimes replies. An offender who has not
// met anyone by a week into his plan picks a victim from a recent incident
// in his area and looks up her number first.
func (w *world) workPhone(p *plan, s *staff) {
	if p.victim < 0 {
		if w.day < max(p.from, 0)+7 || !w.findContact(p, s) {
			return
		}
	}
	if w.day < p.next || p.left <= 0 {
		return
	}
	if p.incident != nil && p.incident.open && p.incident.investigator == p.staff {
		p.next = w.day + 1
		return
	}
	if !w.contact(p, s) {
		p.next = w.day + 1
		return
	}
	p.left--
	if p.gap < 1 {
		// Several a day once it has escalated.
		for range min(int(1/p.gap), 4) - 1 {
			w.contact(p, s)
		}
	}
	p.next = w.day + max(1, int(p.gap+0.5))
	p.gap = max(p.gap*p.escal, p.minGap)
}

// findContact gives a work-phone plan its victim: the one a sibling plan is
// about, or a woman from a recent incident in the offender's area whose
// number he looks up.
func (w *world) findContact(p *plan, s *staff) bool {
	for _, q := range s.offender.plans {
		if q != p && q.victim >= 0 && w.people[q.victim].phone >= 0 {
			p.victim, p.incident, p.met = q.victim, q.incident, q.met
			p.next = w.day + int(p.delay/2)
			return true
		}
	}
	t := w.actTime(p, s, 0)
	if t < 0 {
		return false
	}
	ar := &w.areas[s.area]
	for range 20 {
		r := ar.recent[w.rng.IntN(recentDays)]
		if len(r) == 0 {
			continue
		}
		in := pick(w.rng, r)
		if v := w.metVictim(in, t, true); v >= 0 && in.opened < t {
			p.victim, p.incident, p.met = v, in, t
			x := w.session(p.staff, t)
			x.trace = p
			x.access(sysRMS, actView, v, in.id, fContact, "")
			p.next = w.day + int(p.delay/2)
			return true
		}
	}
	return false
}

// contact makes one contact with her: a text, call or app message, off
// duty as often as the plan says, and sometimes her reply.
func (w *world) contact(p *plan, s *staff) bool {
	t := w.actTime(p, s, p.offDuty)
	if t < 0 {
		return false
	}
	number := w.people[p.victim].phone
	kind := pick(w.rng, []uint8{commsSMS, commsSMS, commsSMS, commsCall, commsCall, commsApp})
	if p.careful {
		kind = pick(w.rng, []uint8{commsCall, commsCall, commsSMS})
	}
	w.call(p.staff, t, number, dirOutbound, kind, w.length(kind), p)
	if chance(w.rng, 0.5) {
		w.call(p.staff, min(t+int64(2*minute+w.rng.IntN(3*hour)), w.latest()), number, dirInbound, kind, w.length(kind), p)
	}
	return true
}

// steering closes the case on its due day (the offender writing the
// outcome), then contacts her from the work phone afterwards.
func (w *world) steering(p *plan, s *staff) {
	if p.incident == nil || w.day < p.next {
		return
	}
	if w.day == w.dayOf(p.steerAt) && p.onset == 0 {
		x := w.session(p.staff, max(w.dayStart, p.met, p.steerAt-int64(10*minute+w.rng.IntN(30*minute))))
		x.trace = p
		x.viewIncident(sysRMS, p.incident.id)
		x.access(sysRMS, actUpdate, -1, p.incident.id, fOutcome, "")
		p.next = w.day + max(1, int(p.delay+0.5))
		return
	}
	if p.left <= 0 || p.onset == 0 {
		return
	}
	if !w.contact(p, s) {
		p.next = w.day + 1
		return
	}
	p.left--
	p.next = w.day + max(1, int(p.gap*(0.7+0.6*w.rng.Float64())+0.5))
}
