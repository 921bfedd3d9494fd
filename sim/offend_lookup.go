package sim

// Behaviours on the force's systems alone: lookups with no purpose, contact
// details harvested, trawls, off-duty access and access far outside the
// offender's area.

// trawlAge is the age range trawls are drawn to.
var trawlAge = [2]int{16, 35}

// offend runs every offender's plans for the day.
func (w *world) offend() {
	if !eventsOn(w.day) {
		return
	}
	for _, o := range w.offenders {
		s := &w.staff[o.staff]
		if s.left {
			continue
		}
		for _, p := range o.plans {
			if w.day < p.from || w.day > p.until {
				continue
			}
			switch p.pattern {
			case patRenewedInterest:
				w.renewedInterest(p, s)
			case patNoPurpose:
				w.noPurpose(p, s)
			case patHarvesting:
				w.harvest(p, s)
			case patWorkPhone:
				w.workPhone(p, s)
			case patTrawling:
				w.trawl(p, s)
			case patOffDuty:
				w.offDuty(p, s)
			case patOutOfArea:
				w.outOfArea(p, s)
			case patSteering:
				w.steering(p, s)
			}
		}
	}
}

// actTime returns a time today for an act: off duty with probability
// offShare (careful offenders in the evening, others late at night), else
// during today's shift; -1 when the choice falls on a shift they are not
// working or no off-duty time is free.
func (w *world) actTime(p *plan, s *staff, offShare float64) int64 {
	if chance(w.rng, offShare) {
		return w.offDutyTime(s, !p.careful)
	}
	if s.today.start == 0 || s.todayKind != shiftDuty {
		return -1
	}
	return secondsIn(w.rng, s.today)
}

// offDutyTime returns a time today when s is not working: late (19:00 to
// midnight) or at any waking hour, or -1.
func (w *world) offDutyTime(s *staff, late bool) int64 {
	for range 10 {
		t := w.dayStart + int64(8*hour+w.rng.IntN(16*hour))
		if late {
			t = w.dayStart + int64(19*hour+w.rng.IntN(5*hour))
		}
		if !s.onDuty(t) {
			return t
		}
	}
	return -1
}

// acts returns how many acts a plan that acts perWeek times makes today.
func (w *world) acts(p *plan) int { return poisson(w.rng, p.perWeek/7) }

// noPurpose is a look at a vulnerable woman's record with no incident or
// tasking behind it, often found by a search by description or part of a
// name, and again and again at one he has fixed on.
func (w *world) noPurpose(p *plan, s *staff) {
	for range w.acts(p) {
		off := 0.0
		if !p.careful {
			off = 0.3
		}
		t := w.actTime(p, s, off)
		if t < 0 {
			continue
		}
		if p.target < 0 {
			p.target = w.vulnerableWoman(s, t, 18, 40, true)
		}
		v := p.target
		if v < 0 || chance(w.rng, 0.65) {
			v = w.vulnerableWoman(s, t, 16, 45, false)
		}
		if v < 0 {
			continue
		}
		x := w.session(p.staff, t)
		x.trace = p
		switch q := w.rng.Float64(); {
		case q < 0.4:
			x.search(sysRMS, w.descriptionQuery(v, t))
		case q < 0.7:
			x.search(sysRMS, w.partialNameQuery(v))
		}
		x.viewPerson(sysRMS, v, pick(w.rng, []uint8{fSummary, fSummary, fSummaryAddress}))
	}
}

// harvest is a vulnerable woman's phone number and address viewed (and, by
// blatant offenders, printed) with no purpose.
func (w *world) harvest(p *plan, s *staff) {
	for range w.acts(p) {
		t := w.actTime(p, s, 0)
		if t < 0 {
			continue
		}
		v := w.victimWoman(p, s, t, 16, 45, true)
		if v < 0 {
			continue
		}
		x := w.session(p.staff, t)
		x.trace = p
		sys := sysRMS
		if chance(w.rng, 0.2) {
			sys = sysPND
		}
		if p.careful {
			x.viewPerson(sys, v, pick(w.rng, []uint8{fPhone, fAddress}))
			continue
		}
		x.viewPerson(sys, v, fAddressPhone)
		if chance(w.rng, 0.5) {
			x.access(sysRMS, actPrint, v, -1, fAddressPhone, "")
		}
	}
}

// trawl is many distinct young women who are victims viewed on each shift
// of the trawl, never the same one twice, some found by description.
func (w *world) trawl(p *plan, s *staff) {
	if s.today.start == 0 || s.todayKind != shiftDuty {
		return
	}
	for range between(w.rng, p.k[0], p.k[1]) {
		t := secondsIn(w.rng, s.today)
		v := int32(-1)
		for range 30 {
			c := pick(w.rng, w.pools.femaleVictims)
			if !p.seen[c] && w.known(c) && w.youngWoman(c, t, trawlAge[0], trawlAge[1]) && (!p.careful || w.people[c].area == s.area || chance(w.rng, 0.3)) {
				v = c
				break
			}
		}
		if v < 0 {
			continue
		}
		p.seen[v] = true
		x := w.session(p.staff, t)
		x.trace = p
		if chance(w.rng, 0.25) {
			x.search(sysRMS, w.descriptionQuery(v, t))
		}
		x.viewPerson(sysRMS, v, fSummary)
	}
}

// offDuty is access from home or a handheld when not working: blatant
// offenders late at night, careful ones in the hour or two after a shift.
func (w *world) offDuty(p *plan, s *staff) {
	for range w.acts(p) {
		t := int64(-1)
		if p.careful {
			if s.today.start != 0 && s.today.end < w.dayStart+22*hour {
				t = s.today.end + int64(30*minute+w.rng.IntN(90*minute))
			}
		} else {
			t = w.offDutyTime(s, true)
		}
		if t < 0 || s.onDuty(t) {
			continue
		}
		x := w.session(p.staff, t)
		if s.phone >= 0 {
			x.ws = -1
		}
		x.trace = p
		if open := w.areas[s.area].open; len(open) > 0 && chance(w.rng, 0.3) {
			if in := pick(w.rng, open); in.opened < t {
				x.viewIncident(sysRMS, in.id)
				continue
			}
		}
		if v := w.vulnerableWoman(s, t, 16, 50, true); v >= 0 {
			x.viewPerson(sysRMS, v, fSummary)
		}
	}
}

// outOfArea is an incident far from the offender's area looked at, with its
// victim: preferably abuse or a sexual offence against a woman.
func (w *world) outOfArea(p *plan, s *staff) {
	if p.target < 0 {
		return
	}
	ar := &w.areas[p.target]
	for range w.acts(p) {
		t := w.actTime(p, s, 0)
		if t < 0 {
			continue
		}
		var in *incident
		for range 20 {
			r := ar.recent[w.rng.IntN(recentDays)]
			if len(r) == 0 {
				continue
			}
			c := pick(w.rng, r)
			if c.opened >= t {
				continue
			}
			in = c
			if c.typ == incDomesticAbuse || c.typ == incSexualOffence || c.typ == incStalking {
				break
			}
		}
		if in == nil {
			continue
		}
		x := w.session(p.staff, t)
		x.trace = p
		x.viewIncident(sysRMS, in.id)
		if v := in.victim(); v >= 0 {
			f := fSummary
			if !p.careful {
				f = fSummaryAddress
			}
			x.access(sysRMS, actView, v, in.id, f, "")
		}
	}
}

// vulnerableWoman draws a woman aged lo to hi with a vulnerability flag,
// preferably (local) from the offender's area, who is in none of his cases.
func (w *world) vulnerableWoman(s *staff, t int64, lo, hi int, local bool) int32 {
	return w.drawWoman(w.pools.vulnerable, s, t, lo, hi, local, false)
}

// victimWoman draws a woman aged lo to hi who is a victim of abuse, a
// sexual offence or stalking, with a phone number if needPhone.
func (w *world) victimWoman(p *plan, s *staff, t int64, lo, hi int, needPhone bool) int32 {
	return w.drawWoman(w.pools.femaleVictims, s, t, lo, hi, p.careful, needPhone)
}

func (w *world) drawWoman(pool []int32, s *staff, t int64, lo, hi int, local, needPhone bool) int32 {
	if len(pool) == 0 {
		return -1
	}
	for try := range 40 {
		c := pick(w.rng, pool)
		if !w.known(c) || !w.youngWoman(c, t, lo, hi) || needPhone && w.people[c].phone < 0 || local && try < 30 && w.people[c].area != s.area {
			continue
		}
		if s.inCase(c) {
			continue
		}
		return c
	}
	return -1
}

// inCase reports whether p is in one of s's open cases.
func (s *staff) inCase(p int32) bool {
	for _, in := range s.cases {
		if in.involves(p) {
			return true
		}
	}
	return false
}
