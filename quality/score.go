// Package quality measures a detection run against ground truth: the share
// of planted offenders alerted on, the precision of the risk ranking, how
// soon after onset they were found, and how many alerts were raised about
// staff who did nothing wrong. It also carries the plain threshold baseline
// that Lantern is compared with (see BaselineRules). docs/rules.md shows the
// figures on the simulator's force.
package quality

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"lantern/sim"
)

// Alert is what Score needs of one alert: who it is about, which rule raised
// it, its first evidence and evidence event ids, and whether it is a signal
// (feeding the risk score only) rather than an alert in the unit's queue.
type Alert struct {
	StaffID       string    `json:"staff_id"`
	Rule          string    `json:"rule"`
	FirstEvidence time.Time `json:"first_evidence"`
	EvidenceIDs   []string  `json:"evidence_ids,omitempty"`
	Signal        bool      `json:"signal,omitempty"`
}

// Ranked is one member of staff in the risk ranking.
type Ranked struct {
	StaffID string  `json:"staff_id"`
	Score   float64 `json:"score"`
}

// Input is one detection run to score.
type Input struct {
	Truth   []sim.Truth // the planted behaviours (truth.jsonl)
	Alerts  []Alert     // every alert and signal, in their final state
	Ranking []Ranked    // the risk ranking, highest first
	Staff   int         // the size of the workforce
	From    time.Time   // the first event's time
	To      time.Time   // the last event's time
}

// Report is the score of one run. It marshals to one JSON object.
//
// PrecisionAtK is the share of true offenders among the top K of the risk
// ranking, K being the number of offenders; PrecisionAt1Pct is the same for
// K1Pct, 1% of staff (at least 1). A ranking shorter than K counts the
// missing places as wrong.
type Report struct {
	Staff      int     `json:"staff"`
	Offenders  int     `json:"offenders"`
	Behaviours int     `json:"behaviours"`
	StaffWeeks float64 `json:"staff_weeks"`

	Recall             Figure `json:"recall"` // offenders with at least one queue alert
	Detected           int    `json:"detected"`
	PrecisionAtK       Figure `json:"precision_at_k"`
	K                  int    `json:"k"`
	PrecisionAt1Pct    Figure `json:"precision_at_1pct"`
	K1Pct              int    `json:"k_1pct"`
	MedianDaysToDetect Figure `json:"median_days_to_detect"` // over detected offenders
	FalseAlertsPer1000 Figure `json:"false_alerts_per_1000_staff_weeks"`

	Alerts        int            `json:"alerts"`  // queue alerts
	Signals       int            `json:"signals"` // signals (not in the queue)
	FalseAlerts   int            `json:"false_alerts"`
	AlertsByRule  map[string]int `json:"alerts_by_rule"`
	FalseByRule   map[string]int `json:"false_alerts_by_rule"`
	SignalsByRule map[string]int `json:"signals_by_rule"`

	PerPattern []PatternScore `json:"per_pattern"`
	Baseline   *Report        `json:"baseline,omitempty"` // the threshold baseline, scored the same way
}

// PatternScore is the score of the planted behaviours of one pattern.
//
// Recall is the share of behaviours whose member of staff has a queue alert
// with its first evidence at or after the behaviour's onset; Overlap the
// share with a queue alert whose evidence includes one of the behaviour's
// events, and SignalOverlap the same for any alert or signal. The median
// days run from onset to the first queue alert at or after it, over the
// behaviours recalled.
type PatternScore struct {
	Pattern            string `json:"pattern"`
	Behaviours         int    `json:"behaviours"`
	Careful            int    `json:"careful"`
	Recall             Figure `json:"recall"`
	Overlap            Figure `json:"evidence_overlap"`
	SignalOverlap      Figure `json:"signal_overlap"`
	MedianDaysToDetect Figure `json:"median_days_to_detect"`
}

// Figure is one measure of a Report. It is undefined (NaN) when there is
// nothing to measure, such as the median delay when nobody was detected, and
// then marshals as JSON null.
type Figure float64

var undefined = Figure(math.NaN())

// Defined reports whether the figure has a value.
func (f Figure) Defined() bool { return !math.IsNaN(float64(f)) }

// MarshalJSON writes the figure as a number, or null when undefined.
func (f Figure) MarshalJSON() ([]byte, error) {
	if !f.Defined() || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as undefined.
func (f *Figure) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = undefined
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("figure %q: %w", b, err)
	}
	*f = Figure(v)
	return nil
}

// Score scores one run. Offenders are the staff ids in the truth. An
// offender's days to detect run from the earliest onset of their behaviours
// to the first evidence of their first queue alert, taken as 0 when that
// alert began before the onset; offenders never alerted on are left out of
// the median (and counted in Recall). False alerts are queue alerts about
// staff not in the truth, per 1,000 staff-weeks of Staff over From to To.
func Score(in Input) Report {
	r := Report{Staff: in.Staff, Behaviours: len(in.Truth), AlertsByRule: map[string]int{},
		FalseByRule: map[string]int{}, SignalsByRule: map[string]int{}}
	onset := map[string]time.Time{}
	for _, t := range in.Truth {
		if o, ok := onset[t.StaffID]; !ok || t.Onset.Before(o) {
			onset[t.StaffID] = t.Onset
		}
	}
	r.Offenders = len(onset)
	r.StaffWeeks = float64(in.Staff) * in.To.Sub(in.From).Hours() / (24 * 7)

	first := map[string]time.Time{} // each member of staff's first queue alert
	for _, a := range in.Alerts {
		if a.Signal {
			r.Signals++
			r.SignalsByRule[a.Rule]++
			continue
		}
		r.Alerts++
		r.AlertsByRule[a.Rule]++
		if _, offender := onset[a.StaffID]; !offender {
			r.FalseAlerts++
			r.FalseByRule[a.Rule]++
		}
		if f, ok := first[a.StaffID]; !ok || a.FirstEvidence.Before(f) {
			first[a.StaffID] = a.FirstEvidence
		}
	}

	var delays []float64
	for id, o := range onset {
		f, ok := first[id]
		if !ok {
			continue
		}
		r.Detected++
		delays = append(delays, max(f.Sub(o).Hours()/24, 0))
	}
	r.Recall = ratio(r.Detected, r.Offenders)
	r.MedianDaysToDetect = medianOf(delays)
	if r.StaffWeeks > 0 {
		r.FalseAlertsPer1000 = Figure(float64(r.FalseAlerts) / r.StaffWeeks * 1000)
	}
	r.K = r.Offenders
	r.K1Pct = max(in.Staff/100, 1)
	r.PrecisionAtK = precisionAt(in.Ranking, onset, r.K)
	r.PrecisionAt1Pct = precisionAt(in.Ranking, onset, r.K1Pct)
	r.PerPattern = perPattern(in)
	return r
}

// precisionAt is the share of the top k of ranking who are offenders.
func precisionAt(ranking []Ranked, offenders map[string]time.Time, k int) Figure {
	if k <= 0 {
		return undefined
	}
	hits := 0
	for _, s := range ranking[:min(k, len(ranking))] {
		if _, ok := offenders[s.StaffID]; ok {
			hits++
		}
	}
	return Figure(float64(hits) / float64(k))
}

func perPattern(in Input) []PatternScore {
	byStaff := map[string][]Alert{}
	for _, a := range in.Alerts {
		byStaff[a.StaffID] = append(byStaff[a.StaffID], a)
	}
	type acc struct {
		PatternScore
		recalled, overlap, signalOverlap int
		delays                           []float64
	}
	pats := map[string]*acc{}
	var names []string
	for _, t := range in.Truth {
		p := pats[t.Pattern]
		if p == nil {
			p = &acc{PatternScore: PatternScore{Pattern: t.Pattern}}
			pats[t.Pattern] = p
			names = append(names, t.Pattern)
		}
		p.Behaviours++
		if t.Careful {
			p.Careful++
		}
		events := map[string]bool{}
		for _, id := range t.EventIDs {
			events[id] = true
		}
		var firstAfter time.Time
		overlap, signalOverlap := false, false
		for _, a := range byStaff[t.StaffID] {
			touches := slices.ContainsFunc(a.EvidenceIDs, func(id string) bool { return events[id] })
			signalOverlap = signalOverlap || touches
			if a.Signal {
				continue
			}
			overlap = overlap || touches
			if !a.FirstEvidence.Before(t.Onset) && (firstAfter.IsZero() || a.FirstEvidence.Before(firstAfter)) {
				firstAfter = a.FirstEvidence
			}
		}
		if !firstAfter.IsZero() {
			p.recalled++
			p.delays = append(p.delays, firstAfter.Sub(t.Onset).Hours()/24)
		}
		if overlap {
			p.overlap++
		}
		if signalOverlap {
			p.signalOverlap++
		}
	}
	slices.Sort(names)
	out := make([]PatternScore, 0, len(names))
	for _, n := range names {
		p := pats[n]
		p.Recall = ratio(p.recalled, p.Behaviours)
		p.Overlap = ratio(p.overlap, p.Behaviours)
		p.SignalOverlap = ratio(p.signalOverlap, p.Behaviours)
		p.MedianDaysToDetect = medianOf(p.delays)
		out = append(out, p.PatternScore)
	}
	return out
}

func ratio(n, d int) Figure {
	if d == 0 {
		return undefined
	}
	return Figure(float64(n) / float64(d))
}

// medianOf returns the median of xs, undefined when there are none.
func medianOf(xs []float64) Figure {
	if len(xs) == 0 {
		return undefined
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return Figure(s[n/2])
	}
	return Figure((s[n/2-1] + s[n/2]) / 2)
}
