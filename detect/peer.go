package detect

import (
	"math"
	"slices"
	"time"
)

// peerStats are the figures of one peer group (one role) at a boundary.
type peerStats struct {
	n      int     // members, including those with a measure of 0
	median float64 // of the members' measures
	mad    float64 // median absolute deviation from the median
}

// maxZ caps a modified z-score, which is unbounded when a group has no
// spread at all.
const maxZ = 99

// z returns the modified z-score of x in the group (Iglewicz and Hoaglin):
// 0.6745·(x−median)/MAD, with the MAD floored at 1 because the measures are
// counts: a group with no spread at all still needs x about five above its
// median to reach the usual 3.5.
func (p peerStats) z(x float64) float64 {
	return min(0.6745*(x-p.median)/max(p.mad, 1), maxZ)
}

// computePeerStats returns the figures of a group's measures; values is
// sorted in place.
func computePeerStats(values []float64) peerStats {
	if len(values) == 0 {
		return peerStats{}
	}
	slices.Sort(values)
	med := median(values)
	dev := make([]float64, len(values))
	for i, v := range values {
		dev[i] = math.Abs(v - med)
	}
	slices.Sort(dev)
	return peerStats{n: len(values), median: med, mad: median(dev)}
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// peerLag is how far behind each boundary the windows that make the peer
// figures end. The figures taken at boundary B describe the windows ending at
// B-peerLag: by the time any event at or after B arrives, every event before
// B-peerLag has arrived too (unless it comes more than peerLag after later
// ones), so the figures are the same however the event log interleaves
// staff, and whichever engines share the staff between them.
const peerLag = 24 * time.Hour

// peerState holds one peer rule's figures per role and when they are due to
// be recomputed.
type peerState struct {
	first int64 // the first event time the rule saw (in this engine)
	next  int64 // the next boundary in event time; 0 before the first event
	at    time.Time
	since time.Time // the first event time the rule saw across every engine sharing the staff
	roles map[string]peerStats
}

// refreshPeers recomputes the peer figures when t has reached the next
// boundary: the figures of the windows ending peerLag before the last
// boundary at or before t. Every member of staff the World knows (serving
// then) is in the group of their role, with the measure of their window, or
// 0 without one. Comparisons start only once the figures rest on a full
// window of events (warm), so that a cold start compares nobody against
// empty baselines.
func (e *Engine) refreshPeers(r *Rule, st *ruleState, t int64) {
	ps := st.peer
	if ps.next == 0 {
		ps.first = t
	}
	if ps.next != 0 && t < ps.next {
		return
	}
	every := int64(r.Peer.Every)
	boundary := t - mod(t, every)
	ps.next = boundary + every
	end := boundary - int64(peerLag)
	ps.at = time.Unix(0, end).UTC()
	part := e.laggedPart(r, st, end)
	if e.share != nil {
		part = e.share.Combine(peerRuleID(r), time.Unix(0, boundary).UTC(), part, e.peerPartAtLocked)
	}
	ps.since = part.Since
	ps.roles = peerStatsOf(part)
}

// laggedPart moves every window's lagged view to end and counts its members.
func (e *Engine) laggedPart(r *Rule, st *ruleState, end int64) PeerPart {
	over := int64(r.Window.Over)
	measures := map[string]int{}
	for h, w := range st.windows {
		w.advanceLagged(end-over, end)
		measures[w.staff] = max(measures[w.staff], w.laggedMeasure())
		if w.empty() {
			delete(st.windows, h)
		}
	}
	part := e.peerPart(time.Unix(0, end).UTC(), measures)
	if st.peer.first != 0 {
		part.Since = time.Unix(0, st.peer.first).UTC()
	}
	return part
}

// peerPart counts, per role, the members of staff the engine owns (serving at
// at) by their measure: 0 for those without one.
func (e *Engine) peerPart(at time.Time, measures map[string]int) PeerPart {
	part := PeerPart{Counts: map[string]map[int]int{}}
	e.world.eachStaff(func(id string) {
		if e.owns != nil && !e.owns(id) {
			return
		}
		f, ok := e.world.Staff(id, at)
		if !ok || !f.Serving {
			return
		}
		byValue := part.Counts[f.Role]
		if byValue == nil {
			byValue = map[int]int{}
			part.Counts[f.Role] = byValue
		}
		byValue[measures[id]]++
	})
	return part
}

// peerStatsOf computes each role's figures from counts by measure.
func peerStatsOf(part PeerPart) map[string]peerStats {
	out := make(map[string]peerStats, len(part.Counts))
	var values []float64
	for role, byValue := range part.Counts {
		values = values[:0]
		for v, n := range byValue {
			for range n {
				values = append(values, float64(v))
			}
		}
		out[role] = computePeerStats(values)
	}
	return out
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// warm reports whether the peer figures rest on a full window of history.
func (ps *peerState) warm(over time.Duration) bool {
	return ps.next != 0 && !ps.since.IsZero() && !ps.at.Before(ps.since.Add(over))
}

// PeerPart is one engine's share of a peer rule's figures at a boundary.
type PeerPart struct {
	// Since is the earliest event time the engine's rule has counted (zero
	// when none), so that every engine knows when the rule's history began.
	Since time.Time `json:"since"`
	// Counts says, for each role, how many members of staff the engine owns
	// have each measure (a count or distinct count over the rule's window).
	Counts map[string]map[int]int `json:"counts"`
}

// Add adds q to p: the counts, and the earlier Since.
func (p *PeerPart) Add(q PeerPart) {
	if p.Counts == nil {
		p.Counts = map[string]map[int]int{}
	}
	for role, byValue := range q.Counts {
		mine := p.Counts[role]
		if mine == nil {
			mine = map[int]int{}
			p.Counts[role] = mine
		}
		for v, n := range byValue {
			mine[v] += n
		}
	}
	if !q.Since.IsZero() && (p.Since.IsZero() || q.Since.Before(p.Since)) {
		p.Since = q.Since
	}
}

// PeerShare combines the peer figures of engines that each own part of the
// workforce (the partitions of the event log), so that every engine compares
// a member of staff with all their peers, not only those it owns.
type PeerShare interface {
	// Combine contributes part, this engine's share of the figures of the
	// peer rule identified by rule at boundary, and returns the figures of
	// the whole workforce: every engine's share added up. It may block
	// until the other engines have contributed theirs. It is called from
	// Engine.Apply, with the engine busy: while it waits it may answer the
	// other engines' requests for this engine's share of other figures by
	// calling partAt, which is PeerPartAt without taking the engine's lock.
	Combine(rule string, boundary time.Time, part PeerPart, partAt func(rule string, boundary time.Time) (PeerPart, bool)) PeerPart
}

// SetOwnership makes the engine one of several that share the workforce:
// owns reports whether a member of staff is this engine's (it sees only
// their events), and share combines peer figures with the others. Call it
// before the first record.
func (e *Engine) SetOwnership(owns func(staffID string) bool, share PeerShare) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.owns, e.share = owns, share
}

// peerRuleID names a peer rule's figures for sharing: its name and a
// fingerprint of its settings, so that engines running different versions
// of a rule never mix their figures.
func peerRuleID(r *Rule) string {
	return r.Name + "-" + hashID(stableHash(r.stateKey))
}

// PeerPartAt returns this engine's share of the figures of the peer rule
// identified by rule (as passed to PeerShare.Combine) at boundary; false
// when no such peer rule is loaded. A PeerShare calls it to answer for an
// engine whose own events have not reached the boundary yet: the engine's
// windows are moved on to the boundary as its own events would have moved
// them.
func (e *Engine) PeerPartAt(rule string, boundary time.Time) (PeerPart, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.peerPartAtLocked(rule, boundary)
}

func (e *Engine) peerPartAtLocked(rule string, boundary time.Time) (PeerPart, bool) {
	for _, r := range e.rules.Load().rules {
		if r.Peer == nil || peerRuleID(r) != rule {
			continue
		}
		st := e.state(r)
		return e.laggedPart(r, st, nanos(boundary)-int64(peerLag)), true
	}
	return PeerPart{}, false
}
