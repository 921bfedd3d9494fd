package detect

import "slices"

// maxWindowEntries bounds the events one window keeps; past it the oldest are
// forgotten early, so counts over a busy key are a lower bound.
const maxWindowEntries = 4096

// windowState is the sliding window of one rule for one staff member and key.
type windowState struct {
	staff    string
	key      string
	entries  []windowEntry    // sorted by at
	distinct map[uint64]int32 // value hash → entries holding it; nil when counting events
}

type windowEntry struct {
	at int64
	v  uint64
	id string
}

func newWindowState(staff, key string, distinct bool) *windowState {
	w := &windowState{staff: staff, key: key}
	if distinct {
		w.distinct = map[uint64]int32{}
	}
	return w
}

// add puts an event into the window, keeping entries sorted by time (an event
// older than the newest is inserted in place).
func (w *windowState) add(at int64, value, id string) {
	e := windowEntry{at: at, id: id}
	if w.distinct != nil {
		e.v = stableHash(value)
		w.distinct[e.v]++
	}
	i := len(w.entries)
	for i > 0 && w.entries[i-1].at > at {
		i--
	}
	w.entries = slices.Insert(w.entries, i, e)
	if len(w.entries) > maxWindowEntries {
		w.dropFront(1)
	}
}

// advance forgets the events at or before cutoff: the window ending at t over
// d holds the events in (t-d, t].
func (w *windowState) advance(cutoff int64) {
	n := 0
	for n < len(w.entries) && w.entries[n].at <= cutoff {
		n++
	}
	w.dropFront(n)
}

func (w *windowState) dropFront(n int) {
	if n == 0 {
		return
	}
	if w.distinct != nil {
		for _, e := range w.entries[:n] {
			if w.distinct[e.v]--; w.distinct[e.v] <= 0 {
				delete(w.distinct, e.v)
			}
		}
	}
	clear(w.entries[:n])
	w.entries = w.entries[n:]
	if cap(w.entries) > 64 && len(w.entries) < cap(w.entries)/4 {
		w.entries = append([]windowEntry(nil), w.entries...)
	}
}

// measure is the count of events, or of distinct values, in the window.
func (w *windowState) measure() int {
	if w.distinct != nil {
		return len(w.distinct)
	}
	return len(w.entries)
}

// ids returns up to n event ids in the window, oldest first.
func (w *windowState) ids(n int) []string {
	out := make([]string, 0, min(n, len(w.entries)))
	for _, e := range w.entries {
		if len(out) == n {
			break
		}
		out = append(out, e.id)
	}
	return out
}
