package detect

import (
	"fmt"
	"strings"
	"time"
)

// Severities a rule may declare, and the weight each implies when the rule
// gives none.
var severityWeights = map[string]float64{"low": 1, "medium": 2, "high": 4, "critical": 8}

// Rule is one compiled detection rule. Rules are immutable once loaded.
type Rule struct {
	Name        string
	Description string
	Severity    string  // low, medium, high or critical
	Weight      float64 // contribution of one alert to a staff member's risk
	Kind        string  // "access", "comms" or "any": the events the rule judges
	Key         string  // the event field that names what an alert is about
	Dedupe      time.Duration
	Signal      bool   // its findings feed Risk but do not enter the unit's queue
	File        string // where the rule was defined
	Line        int

	Exceptions  []Exception
	Window      *Window
	Sequence    *Sequence
	Peer        *Peer
	Corroborate *Corroboration // for a rule of kind "signals"; see corroborate.go

	index    int    // position in its RuleSet
	stateKey string // the rule's name and stateful part: what its state is kept under
	when     *cond  // nil means always
	src      string // the condition as written

	terms  []string // the expanded condition's top-level && terms
	guards []int    // indexes into the set's guards: the leading shared terms
	rest   *cond    // the terms after the guards; nil means true
}

// Exception suppresses a rule for the events it matches until it expires.
type Exception struct {
	Reason  string
	Expires time.Time // the exception applies to events before this instant
	Line    int
	when    *cond
}

// Window counts matching events, or distinct values of a field among them,
// over a sliding window of event time per member of staff (and per value of
// By, when set). The window ending at t holds events with times in
// (t-Over, t]. Threshold 0 means the window only feeds a Peer comparison.
type Window struct {
	Over      time.Duration
	By        string // event field; "" groups by staff alone
	Distinct  string // event field whose distinct values are counted; "" counts events
	Threshold int    // alert when the count reaches it
}

// Sequence matches ordered steps by one member of staff (and one value of By)
// within a span of event time from the first step to the last.
type Sequence struct {
	By     string
	Within time.Duration
	Steps  []Step
}

// Step is one step of a Sequence. An Absent step matches nothing itself: an
// event matching it between the steps either side breaks the sequence.
type Step struct {
	Name   string
	Absent bool
	when   *cond
	src    string
}

// Peer compares a member of staff's Window measure with the others of the
// same role: the modified z-score 0.6745·(x−median)/MAD must reach MinScore
// and x must reach MinValue. Peer figures are recomputed at each event-time
// boundary of Every (default a day).
type Peer struct {
	MinScore float64
	MinValue int
	Every    time.Duration
}

// String names the rule and where it was defined.
func (r *Rule) String() string { return fmt.Sprintf("%s (%s:%d)", r.Name, r.File, r.Line) }

// stateIdentity names the state a rule keeps: its name and a fingerprint of
// its window, sequence and peer settings, so that a reload which changes them
// starts the rule's state afresh while an unchanged rule keeps its own.
func stateIdentity(r *Rule) string {
	var b strings.Builder
	b.WriteString(r.Name)
	if w := r.Window; w != nil {
		fmt.Fprintf(&b, "|w:%d:%s:%s:%d", w.Over, w.By, w.Distinct, w.Threshold)
	}
	if p := r.Peer; p != nil {
		fmt.Fprintf(&b, "|p:%g:%d:%d", p.MinScore, p.MinValue, p.Every)
	}
	if q := r.Sequence; q != nil {
		fmt.Fprintf(&b, "|s:%s:%d", q.By, q.Within)
		for _, st := range q.Steps {
			fmt.Fprintf(&b, "|%q:%v:%q", st.Name, st.Absent, st.src)
		}
	}
	if c := r.Corroborate; c != nil {
		fmt.Fprintf(&b, "|c:%d:%d:%g:%d:%q", c.Over, c.HalfLife, c.Threshold, c.MinRules, c.Rules)
	}
	fmt.Fprintf(&b, "|when:%q", r.src)
	return b.String()
}

// kinds returns the kinds of event the rule judges.
func (r *Rule) kinds() []string {
	switch r.Kind {
	case "any":
		return []string{"access", "comms"}
	case KindSignals:
		return nil // judges other rules' alerts, not events
	}
	return []string{r.Kind}
}
