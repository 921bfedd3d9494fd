package detect

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// maxSignals bounds the alerts Risk keeps per member of staff: the latest.
const maxSignals = 256

// Risk combines each member of staff's alerts into one score that decays in
// event time: an alert's score (which already carries its rule's weight)
// counts in full at its last evidence and halves every HalfLife after; within
// one rule the largest such value counts in full, the next half, the next a
// quarter, and so on, so that breadth of indicators outweighs repetition. The
// instant scores are taken at is the latest evidence of any alert added, so a
// replay gives the same ranking as live. Risk is not safe for concurrent use.
type Risk struct {
	halfLife time.Duration
	now      time.Time
	staff    map[string][]signal
}

type signal struct {
	alertID, rule string
	at            time.Time
	score         float64
}

// StaffRisk is one member of staff's score with what made it.
type StaffRisk struct {
	StaffID     string
	Score       float64
	At          time.Time      // the instant the score was taken at
	Top         []Contribution // the largest contributions, largest first (at most 5)
	Explanation string
}

// Contribution is one alert's part in a score.
type Contribution struct {
	AlertID string
	Rule    string
	At      time.Time // the alert's last evidence
	Score   float64   // the alert's own score
	Decayed float64   // what it adds at the instant of the score, after decay and the per-rule halving
}

// NewRisk returns an empty Risk whose contributions halve every halfLife
// (30 days when halfLife is not positive).
func NewRisk(halfLife time.Duration) *Risk {
	if halfLife <= 0 {
		halfLife = 30 * 24 * time.Hour
	}
	return &Risk{halfLife: halfLife, staff: map[string][]signal{}}
}

// Add records an alert, new or extended; an alert already recorded (same ID)
// is replaced by its newer state.
func (r *Risk) Add(a Alert) {
	if a.LastEvidence.After(r.now) {
		r.now = a.LastEvidence
	}
	sigs := r.staff[a.StaffID]
	s := signal{a.ID, a.Rule, a.LastEvidence, a.Score}
	if i := slices.IndexFunc(sigs, func(s signal) bool { return s.alertID == a.ID }); i >= 0 {
		sigs[i] = s
	} else {
		sigs = append(sigs, s)
	}
	if len(sigs) > maxSignals {
		slices.SortStableFunc(sigs, func(a, b signal) int { return b.at.Compare(a.at) })
		sigs = sigs[:maxSignals]
	}
	r.staff[a.StaffID] = sigs
}

// Now returns the instant scores are taken at: the latest evidence seen.
func (r *Risk) Now() time.Time { return r.now }

// Score returns the member of staff's score at Now.
func (r *Risk) Score(staffID string) StaffRisk { return r.scoreAt(staffID, r.now) }

func (r *Risk) scoreAt(staffID string, t time.Time) StaffRisk {
	sr := StaffRisk{StaffID: staffID, At: t}
	var cs []Contribution
	for _, s := range r.staff[staffID] {
		age := max(t.Sub(s.at), 0)
		d := s.score * math.Exp2(-float64(age)/float64(r.halfLife))
		cs = append(cs, Contribution{s.alertID, s.rule, s.at, s.score, d})
	}
	// Within one rule, the largest alert counts in full, the next half, the
	// next a quarter, ...: one rule alone can at most double its largest
	// alert, so breadth of indicators counts for more than repetition.
	slices.SortFunc(cs, func(a, b Contribution) int {
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := cmpFloat(b.Decayed, a.Decayed); c != 0 {
			return c
		}
		return strings.Compare(a.AlertID, b.AlertID)
	})
	k := 0
	for i := range cs {
		if i > 0 && cs[i].Rule == cs[i-1].Rule {
			k++
		} else {
			k = 0
		}
		cs[i].Decayed = math.Ldexp(cs[i].Decayed, -k)
	}
	sortContributions(cs)
	for _, c := range cs {
		sr.Score += c.Decayed
	}
	sr.Top = cs[:min(len(cs), 5)]
	sr.Explanation = explainRisk(sr, len(cs), r.halfLife)
	return sr
}

func sortContributions(cs []Contribution) {
	slices.SortFunc(cs, func(a, b Contribution) int {
		if c := cmpFloat(b.Decayed, a.Decayed); c != 0 {
			return c
		}
		return strings.Compare(a.AlertID, b.AlertID)
	})
}

// Ranked returns up to limit members of staff by score at Now, highest
// first, ties by staff id; limit 0 means all.
func (r *Risk) Ranked(limit int) []StaffRisk {
	out := make([]StaffRisk, 0, len(r.staff))
	for id := range r.staff {
		out = append(out, r.scoreAt(id, r.now))
	}
	slices.SortFunc(out, func(a, b StaffRisk) int {
		if c := cmpFloat(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.StaffID, b.StaffID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func explainRisk(sr StaffRisk, n int, halfLife time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s scores %.3g at %s from %d alert(s), each halving every %s, and each further alert of one rule counting half the one before.", sr.StaffID, sr.Score, stamp(sr.At), n, span(halfLife))
	for _, c := range sr.Top {
		fmt.Fprintf(&b, " %s (alert %s, last evidence %s) adds %.3g of its %.3g.", c.Rule, c.AlertID, stamp(c.At), c.Decayed, c.Score)
	}
	return b.String()
}
