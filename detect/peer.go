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

// peerState holds one peer rule's figures per role and when they are due to
// be recomputed.
type peerState struct {
	first int64 // the first event time the rule saw
	next  int64 // the next boundary in event time; 0 before the first event
	at    time.Time
	roles map[string]peerStats
}

// refreshPeers recomputes the peer figures at the last boundary at or before t,
// when t has reached the next boundary. Every member of staff the World
// knows (serving at the boundary) is in the group of their role, with the
// measure of their window advanced to the boundary, or 0 without one.
// Comparisons start only once the rule has seen a full window of events
// (warm), so that a cold start compares nobody against empty baselines.
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
	ps.at = time.Unix(0, boundary).UTC()
	bt := ps.at
	measures := map[string]int{}
	for _, w := range st.windows {
		w.advance(boundary - int64(r.Window.Over))
		measures[w.staff] = w.measure()
	}
	groups := map[string][]float64{}
	e.world.eachStaff(func(id string) {
		f, ok := e.world.Staff(id, bt)
		if !ok || !f.Serving {
			return
		}
		groups[f.Role] = append(groups[f.Role], float64(measures[id]))
	})
	ps.roles = make(map[string]peerStats, len(groups))
	for role, vs := range groups {
		ps.roles[role] = computePeerStats(vs)
	}
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
	return ps.next != 0 && nanos(ps.at) >= ps.first+int64(over)
}
