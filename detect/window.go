package detect

import "slices"

// maxWindowEntries bounds the events one window keeps; past it the oldest are
// forgotten early, so counts over a busy key are a lower bound.
const maxWindowEntries = 4096

// windowState is the sliding window of one rule for one staff member and key.
// It ends at the latest event it has counted: entries[head:] are the events
// in (latest-over, latest]. Its own events alone move it, so its measure does
// not depend on how other staff's events are interleaved with them.
//
// A window of a peer rule also keeps a lagged view, entries[lagHead:lagTail],
// the events of the window ending at the engine's last peer boundary less
// peerLag, and holds every event until that view has passed it.
type windowState struct {
	staff    string
	key      string
	entries  []windowEntry    // sorted by at
	head     int              // entries before head are out of the window, kept for the lagged view
	latest   int64            // the latest event time counted
	distinct map[uint64]int32 // value hash → entries[head:] holding it; nil when counting events

	lagged      bool
	lagHead     int
	lagTail     int
	lagDistinct map[uint64]int32
}

type windowEntry struct {
	at int64
	v  uint64
	id string
}

func newWindowState(staff, key string, distinct, lagged bool) *windowState {
	w := &windowState{staff: staff, key: key, lagged: lagged}
	if distinct {
		w.distinct = map[uint64]int32{}
		if lagged {
			w.lagDistinct = map[uint64]int32{}
		}
	}
	return w
}

// add puts an event into the window, keeping entries sorted by time (an event
// older than the newest is inserted in place). The caller has checked that
// it is inside the window (after latest-over).
func (w *windowState) add(at int64, value, id string) {
	e := windowEntry{at: at, id: id}
	if w.distinct != nil {
		e.v = stableHash(value)
		w.distinct[e.v]++
	}
	i := len(w.entries)
	for i > w.head && w.entries[i-1].at > at {
		i--
	}
	w.entries = slices.Insert(w.entries, i, e)
	switch {
	case i < w.lagHead: // before the lagged view: outside it
		w.lagHead++
		w.lagTail++
	case i < w.lagTail: // a late event inside the lagged view: it counts there too
		w.lagTail++
		if w.lagDistinct != nil {
			w.lagDistinct[e.v]++
		}
	}
	w.latest = max(w.latest, at)
	if len(w.entries) > maxWindowEntries {
		w.dropFront(1)
	}
}

// advance moves the window's start to cutoff: the events at or before it
// leave the window (a window ending at t over d holds the events in
// (t-d, t]), and those the lagged view no longer needs are forgotten.
func (w *windowState) advance(cutoff int64) {
	for w.head < len(w.entries) && w.entries[w.head].at <= cutoff {
		if w.distinct != nil {
			decr(w.distinct, w.entries[w.head].v)
		}
		w.head++
	}
	n := w.head
	if w.lagged {
		n = min(n, w.lagHead)
	}
	w.forget(n)
}

// dropFront forgets the n oldest events, whichever views hold them.
func (w *windowState) dropFront(n int) {
	for k := range n {
		e := w.entries[k]
		if k >= w.head && w.distinct != nil {
			decr(w.distinct, e.v)
		}
		if k >= w.lagHead && k < w.lagTail && w.lagDistinct != nil {
			decr(w.lagDistinct, e.v)
		}
	}
	w.head = max(w.head, n)
	w.lagHead = max(w.lagHead, n)
	w.lagTail = max(w.lagTail, n)
	w.forget(n)
}

// forget removes the n oldest entries, which no view holds any more.
func (w *windowState) forget(n int) {
	if n == 0 {
		return
	}
	clear(w.entries[:n])
	w.entries = w.entries[n:]
	w.head -= n
	w.lagHead = max(w.lagHead-n, 0)
	w.lagTail = max(w.lagTail-n, 0)
	if cap(w.entries) > 64 && len(w.entries) < cap(w.entries)/4 {
		w.entries = append([]windowEntry(nil), w.entries...)
	}
}

func decr(m map[uint64]int32, v uint64) {
	if m[v]--; m[v] <= 0 {
		delete(m, v)
	}
}

// measure is the count of events, or of distinct values, in the window.
func (w *windowState) measure() int {
	if w.distinct != nil {
		return len(w.distinct)
	}
	return len(w.entries) - w.head
}

// advanceLagged moves the lagged view to the window (start, end]: events up
// to end join it, those at or before start leave it.
func (w *windowState) advanceLagged(start, end int64) {
	for w.lagTail < len(w.entries) && w.entries[w.lagTail].at <= end {
		if w.lagDistinct != nil {
			w.lagDistinct[w.entries[w.lagTail].v]++
		}
		w.lagTail++
	}
	for w.lagHead < w.lagTail && w.entries[w.lagHead].at <= start {
		if w.lagDistinct != nil {
			decr(w.lagDistinct, w.entries[w.lagHead].v)
		}
		w.lagHead++
	}
	w.forget(min(w.head, w.lagHead))
}

// laggedMeasure is the measure of the lagged view.
func (w *windowState) laggedMeasure() int {
	if w.lagDistinct != nil {
		return len(w.lagDistinct)
	}
	return w.lagTail - w.lagHead
}

// empty reports whether the window holds nothing any view needs.
func (w *windowState) empty() bool { return len(w.entries) == 0 }

// ids returns up to n event ids in the window, oldest first.
func (w *windowState) ids(n int) []string {
	in := w.entries[w.head:]
	out := make([]string, 0, min(n, len(in)))
	for _, e := range in {
		if len(out) == n {
			break
		}
		out = append(out, e.id)
	}
	return out
}
