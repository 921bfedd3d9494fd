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
	meanAD float64 // mean absolute deviation, used when mad is 0
}

// maxZ caps a modified z-score, which is unbounded when a group has no
// spread at all.
const maxZ = 99

// z returns the modified z-score of x in the group (Iglewicz and Hoaglin):
// 0.6745·(x−median)/MAD, or (x−median)/(1.253314·meanAD) when MAD is 0, or
// maxZ when both are 0 and x is above the median.
func (p peerStats) z(x float64) float64 {
	d := x - p.median
	var z float64
	switch {
	case p.mad > 0:
		z = 0.6745 * d / p.mad
	case p.meanAD > 0:
		z = d / (1.253314 * p.meanAD)
	case d > 0:
		z = maxZ
	}
	return min(z, maxZ)
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
	sum := 0.0
	for i, v := range values {
		dev[i] = math.Abs(v - med)
		sum += dev[i]
	}
	slices.Sort(dev)
	return peerStats{n: len(values), median: med, mad: median(dev), meanAD: sum / float64(len(values))}
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
	next  int64 // the next boundary in event time; 0 before the first event
	at    time.Time
	roles map[string]peerStats
}

// refresh recomputes the peer figures at the last boundary at or before t,
// when t has reached the next boundary. Every member of staff the World
// knows (serving at the boundary) is in the group of their role, with the
// measure of their window advanced to the boundary, or 0 without one.
func (e *Engine) refreshPeers(r *Rule, st *ruleState, t int64) {
	ps := st.peer
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
