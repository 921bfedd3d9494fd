package sim

// Absence from work, per member of staff: about 25 days of annual leave and
// 8 days of sickness a year, and a training day every three months or so.
var (
	leaveLengths = []int{1, 1, 1, 2, 3, 4, 7, 7, 10, 14} // days; mean 5
	sickLengths  = []int{1, 1, 2, 2, 3, 5, 7}            // days; mean 3
)

const (
	leavePerDay    = 25.0 / 365 / 5
	sickPerDay     = 8.0 / 365 / 3
	longSickPerDay = 0.0002 // a spell of 20 to 60 days
	trainingPerDay = 0.011
	firstShiftDay  = -1 // rosters are written from the day before the first day of events, whose nights run into it
)

// roster works out who works when on day d, and queues the roster entries
// from firstShiftDay on.
func (w *world) roster(d int) {
	ds := w.dayStart
	wd := weekday(floorDiv(ds, day))
	write := d >= firstShiftDay
	for i := range w.staff {
		s := &w.staff[i]
		s.yesterday, s.today = s.today, window{}
		if s.left || ds < s.startDate {
			continue
		}
		if d == firstShiftDay && s.awayUntil > d {
			// An absence that began in the warm-up is on the roster too.
			w.out.shift.add(s.awayFrom, shiftRec{staff: int32(i), kind: s.awayKind, end: w.dayStartOf(s.awayUntil)})
		}
		if d < s.awayUntil {
			continue
		}
		if s.courtOn == d {
			s.courtOn = -1
			s.today, s.todayKind = window{ds + 9*hour + 30*minute, ds + 16*hour + 30*minute}, shiftCourt
			if write {
				w.out.shift.add(s.today.start, shiftRec{staff: int32(i), kind: shiftCourt, end: s.today.end})
			}
			continue
		}
		if w.startAbsence(int32(i), s, d, write) {
			continue
		}
		shift, ok := w.shiftOf(s, d, wd)
		if !ok {
			continue
		}
		kind := shiftDuty
		if chance(w.rng, trainingPerDay) {
			kind, shift = shiftTraining, window{ds + 9*hour, ds + 17*hour}
		}
		s.today, s.todayKind = shift, kind
		if write {
			w.out.shift.add(shift.start, shiftRec{staff: int32(i), kind: kind, end: shift.end})
		}
	}
}

// startAbsence decides whether s begins leave or sickness on day d.
func (w *world) startAbsence(i int32, s *staff, d int, write bool) bool {
	x := w.rng.Float64()
	var kind uint8
	var n int
	switch {
	case x < leavePerDay:
		kind, n = shiftLeave, pick(w.rng, leaveLengths)
	case x < leavePerDay+sickPerDay:
		kind, n = shiftSick, pick(w.rng, sickLengths)
	case x < leavePerDay+sickPerDay+longSickPerDay:
		kind, n = shiftSick, between(w.rng, 20, 60)
	default:
		return false
	}
	if s.offender != nil && kind == shiftSick && n > 7 {
		n = 7 // keep planted behaviour from vanishing into a long absence
	}
	s.awayFrom, s.awayKind, s.awayUntil = w.dayStart, kind, d+n
	if write {
		w.out.shift.add(w.dayStart, shiftRec{staff: i, kind: kind, end: w.dayStartOf(d + n)})
	}
	return true
}

// shiftOf returns the shift s's rota gives them on day d (weekday wd, Monday
// 0), if they work.
func (w *world) shiftOf(s *staff, d, wd int) (window, bool) {
	ds := w.dayStart
	switch roleSpecs[s.role].rota {
	case rota24:
		switch ((d+2*int(s.rotaTeam))%10 + 10) % 10 {
		case 0, 1:
			return window{ds + 7*hour, ds + 17*hour}, true
		case 2, 3:
			return window{ds + 14*hour, ds + 24*hour}, true
		case 4, 5:
			return window{ds + 22*hour, ds + 31*hour}, true
		}
		return window{}, false
	case rotaLocal:
		week := int(floorDiv(floorDiv(ds, day)+3, 7))
		rest := [3][2]int{{5, 6}, {0, 1}, {2, 3}}[(week+int(s.rotaTeam))%3]
		if wd == rest[0] || wd == rest[1] {
			return window{}, false
		}
		if (week+int(s.rotaTeam))%2 == 0 {
			return window{ds + 8*hour, ds + 16*hour}, true
		}
		return window{ds + 14*hour, ds + 22*hour}, true
	}
	if wd >= 5 {
		return window{}, false
	}
	if s.role == roleDetective && chance(w.rng, 0.15) {
		return window{ds + 12*hour, ds + 20*hour}, true
	}
	return window{ds + s.officeStart, ds + s.officeStart + 8*hour + 30*minute}, true
}

// dayStartOf returns midnight of day d.
func (w *world) dayStartOf(d int) int64 { return w.start + int64(d)*day }

// dayOf returns the day an instant falls on.
func (w *world) dayOf(t int64) int { return int(floorDiv(t-w.start, day)) }
