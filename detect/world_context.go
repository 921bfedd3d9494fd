package detect

import "time"

// Questions about the links between a member of staff and a person that the
// renewed-interest and no-purpose rules ask, beyond world_query.go's.

// Involved reports whether the person is involved in the incident (any
// part) as of t.
func (w *World) Involved(person, incident string, t time.Time) bool {
	st := w.incidents[incident]
	if st == nil {
		return false
	}
	return involvedIn(w.involvedOf(person), st, nanos(t))
}

// SinceAttended returns how long before t the member of staff last arrived
// at an incident the person is involved in (both links recorded by t), and
// false when they never attended one.
func (w *World) SinceAttended(staff, person string, t time.Time) (time.Duration, bool) {
	n := nanos(t)
	invs := w.involvedOf(person)
	if len(invs) == 0 {
		return 0, false
	}
	latest, found := int64(0), false
	for _, a := range w.assigned[staff] {
		if a.at > n {
			break
		}
		if a.attended && involvedIn(invs, a.inc, n) {
			latest, found = a.at, true
		}
	}
	return time.Duration(n - latest), found
}

// OffDutyFor returns how far t is from the member of staff's nearest working
// roster entry (duty, training or court): 0 when one covers t (even if leave
// or sickness recorded over it says otherwise: someone who stays on a night
// shift that their sick leave overlaps is still at work), else the time
// since the last one ended or until the next one starts, whichever is
// nearer. It is false when no working entry is known.
func (w *World) OffDutyFor(staff string, t time.Time) (time.Duration, bool) {
	r := w.shifts[staff]
	if r == nil {
		return 0, false
	}
	n := nanos(t)
	best, found := int64(0), false
	i := asOf(r.shifts, n, func(e shiftEntry) int64 { return e.start })
	// Entries starting at or before t: one covering t, or the latest end.
	for j := i; j >= 0; j-- {
		e := &r.shifts[j]
		if found && n-e.start > best+r.maxLen {
			break // no earlier entry can end nearer
		}
		if !e.working {
			continue
		}
		if gap := max(n-e.end, 0); !found || gap < best {
			best, found = gap, true // an entry covering t (end exclusive) gives 0
		}
	}
	for j := i + 1; j < len(r.shifts); j++ {
		e := &r.shifts[j]
		if found && e.start-n >= best {
			break
		}
		if e.working {
			best, found = e.start-n, true
			break
		}
	}
	return time.Duration(best), found
}

// SinceOpened returns how long before t the incident was opened, and false
// when it is unknown or opens after t.
func (w *World) SinceOpened(incident string, t time.Time) (time.Duration, bool) {
	st := w.incidents[incident]
	if st == nil || st.opened > nanos(t) {
		return 0, false
	}
	return time.Duration(nanos(t) - st.opened), true
}
