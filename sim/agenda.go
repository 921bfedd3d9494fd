package sim

// actionKind is something scheduled for a later day.
type actionKind uint8

const (
	actClose     actionKind = iota // an incident closes
	actReopen                      // a closed incident is reopened on new evidence
	actCourtPrep                   // the officer in the case prepares for trial
	actCourtDay                    // the day before a trial: put it on the officer's roster
	actReview                      // a closed case is assigned to someone for review
	actJoin                        // a replacement for a leaver starts
)

// action is one scheduled thing: what, when, to which incident or member of
// staff.
type action struct {
	kind  actionKind
	t     int64
	in    *incident
	staff int32
	role  uint8
}

// agenda holds actions by day, from the first day of the warm-up to the day
// after the last day simulated; anything later is dropped.
type agenda struct {
	first  int // the day of slots[0]
	slots  [][]action
	cursor int // actions of the current day already run
}

func newAgenda(first, last int) agenda {
	return agenda{first: first, slots: make([][]action, last-first+1)}
}

// add schedules a on day d; it reports false when d is past the end.
func (a *agenda) add(d int, act action) bool {
	i := d - a.first
	if i >= len(a.slots) {
		return false
	}
	i = max(i, 0)
	a.slots[i] = append(a.slots[i], act)
	return true
}

// run runs day d's actions not yet run, including any scheduled while it
// runs.
func (a *agenda) run(d int, do func(action)) {
	i := d - a.first
	for a.cursor < len(a.slots[i]) {
		act := a.slots[i][a.cursor]
		a.cursor++
		do(act)
	}
}

// endDay forgets day d's actions.
func (a *agenda) endDay(d int) {
	a.slots[d-a.first] = nil
	a.cursor = 0
}
