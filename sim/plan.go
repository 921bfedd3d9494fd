package sim

// newPlan draws the parameters of one behaviour. Careful variants act less
// often, on duty, and close to what their peers do; blatant ones act often,
// off duty, and far above their peers.
func (w *world) newPlan(p pattern, s int32, careful bool) *plan {
	r := w.rng
	pl := &plan{pattern: p, staff: s, careful: careful, victim: -1, target: -1, from: w.onsetDay(), until: w.cfg.Days}
	span := func(lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
	switch p {
	case patRenewedInterest:
		pl.from -= 30 // she may be met before the first day of events
		if careful {
			pl.delay, pl.gap, pl.left = span(28, 56), span(10, 25), between(r, 3, 6)
		} else {
			pl.delay, pl.gap, pl.left = span(10, 28), span(2, 6), between(r, 6, 15)
		}
	case patNoPurpose:
		pl.perWeek = pick2(careful, span(0.7, 1.5), span(3, 7))
	case patHarvesting:
		pl.perWeek = pick2(careful, span(0.5, 1.5), span(3, 6))
	case patWorkPhone:
		pl.from -= 30
		if careful {
			pl.delay, pl.gap, pl.escal, pl.minGap, pl.offDuty = span(14, 30), span(10, 14), 0.85, 2, 0.25
		} else {
			pl.delay, pl.gap, pl.escal, pl.minGap, pl.offDuty = span(3, 10), span(5, 8), 0.7, 0.5, 0.75
		}
		pl.left = 80
	case patTrawling:
		if careful {
			pl.k = [2]int{3, 6}
			pl.until = pl.from + between(r, 28, 70)
		} else {
			pl.k = [2]int{10, 25}
			pl.until = pl.from + between(r, 14, 42)
		}
		pl.seen = map[int32]bool{}
	case patOffDuty:
		pl.perWeek = pick2(careful, span(0.7, 1.2), span(2.5, 5))
	case patOutOfArea:
		pl.perWeek = pick2(careful, span(0.5, 1), span(2, 4))
		pl.target = w.farArea(w.staff[s].area, careful)
	case patSteering:
		pl.from = 0
		if careful {
			pl.delay, pl.gap, pl.left, pl.offDuty = span(7, 20), span(6, 12), between(r, 3, 6), 0.2
		} else {
			pl.delay, pl.gap, pl.left, pl.offDuty = span(2, 10), span(2, 5), between(r, 6, 12), 0.6
		}
	}
	pl.gap0 = pl.gap
	return pl
}

func pick2(careful bool, c, b float64) float64 {
	if careful {
		return c
	}
	return b
}

// farArea is the area an out-of-area offender looks into: the farthest
// from their own, or for a careful one the nearest that is not adjacent.
func (w *world) farArea(own int32, careful bool) int32 {
	best, bestD := int32(-1), 0
	for i := range w.areas {
		d := w.distance(own, int32(i))
		switch {
		case d == 0:
		case best < 0:
			best, bestD = int32(i), d
		case careful && d >= 2 && (bestD < 2 || d < bestD):
			best, bestD = int32(i), d
		case !careful && d > bestD:
			best, bestD = int32(i), d
		}
	}
	return best
}

// params describes a behaviour's parameters for the truth file.
func (w *world) params(p *plan) map[string]any {
	m := map[string]any{}
	days := func(x float64) float64 { return float64(int(x*10+0.5)) / 10 }
	switch p.pattern {
	case patRenewedInterest:
		m["first_view_after_days"], m["gap_days"] = days(p.delay), days(p.gap)
	case patNoPurpose, patHarvesting, patOffDuty:
		m["per_week"] = days(p.perWeek)
	case patWorkPhone:
		m["first_contact_after_days"], m["first_gap_days"], m["escalation"], m["min_gap_days"], m["off_duty_share"] = days(p.delay), days(p.gap0), p.escal, p.minGap, p.offDuty
	case patTrawling:
		m["per_shift"], m["age_range"], m["last_day"] = p.k, []int{trawlAge[0], trawlAge[1]}, p.until
	case patOutOfArea:
		m["per_week"], m["area"], m["distance"] = days(p.perWeek), w.areas[p.target].name, w.distance(w.staff[p.staff].area, p.target)
	case patSteering:
		m["first_contact_after_days"], m["contact_gap_days"], m["off_duty_share"] = days(p.delay), days(p.gap), p.offDuty
		if p.incident != nil {
			m["days_to_close"] = days(float64(p.steerAt-p.incident.opened) / day)
		}
	}
	if p.victim >= 0 {
		m["victim"] = personID(p.victim)
	}
	if p.incident != nil {
		m["incident"] = incidentID(p.incident.id)
		m["met_at"] = unixTime(p.met)
	}
	if p.pattern == patNoPurpose && p.target >= 0 {
		m["fixation"] = personID(p.target)
	}
	if p.seen != nil {
		m["distinct_people"] = len(p.seen)
	}
	return m
}
