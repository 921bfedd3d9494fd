package detect

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Corroboration: several weak signals about one member of staff joined into
// one picture. A rule of kind "signals" judges no event itself; it watches
// the alerts other rules raise about each member of staff (by default those
// of every signal rule) and raises its own alert when, at the time of one of
// them, the signals of the last Over add up:
//
//   - each signal alert counts its score (its rule's weight, scaled as the
//     rule scales it), halved every HalfLife from its last evidence to the
//     instant judged;
//   - within one rule the largest counts in full, the next half, the next a
//     quarter, and so on, so one rule repeated can at most double its
//     largest (the arithmetic Risk uses);
//   - the total must reach Threshold with signals from at least MinRules
//     different rules.
//
// It is driven by event time alone and keeps its state per member of staff,
// so it partitions by staff like every other rule.

// KindSignals is the kind of a corroboration rule: it judges the alerts of
// other rules, not events.
const KindSignals = "signals"

// Corroboration is the stateful part of a rule of kind "signals".
type Corroboration struct {
	Over      time.Duration // signals whose last evidence is within Over before the instant count
	HalfLife  time.Duration // a signal's score halves every HalfLife; 0 means no decay
	Threshold float64       // the total to reach
	MinRules  int           // distinct rules needed (at least 1)
	Rules     []string      // the rules whose alerts count; empty means every signal rule
}

// accepts reports whether alerts of rule r feed the corroboration.
func (c *Corroboration) accepts(r *Rule) bool {
	if len(c.Rules) == 0 {
		return r.Signal && r.Corroborate == nil
	}
	return slices.Contains(c.Rules, r.Name)
}

type corroborateYAML struct {
	Over      string   `yaml:"over"`
	HalfLife  string   `yaml:"half_life"`
	Threshold float64  `yaml:"threshold"`
	MinRules  int      `yaml:"min_rules"`
	Rules     []string `yaml:"rules"`
}

// corroboration compiles a rule's corroborate block; a rule of kind
// "signals" must have one and nothing judged on events.
func (c *compiler) corroboration(file string, r *Rule, y *ruleYAML) {
	line := r.Line
	if (r.Kind == KindSignals) != (y.Corroborate != nil) {
		c.fail(file, line, "rule %s: a rule of kind signals needs corroborate, and corroborate needs kind signals", r.Name)
		return
	}
	if y.Corroborate == nil {
		return
	}
	if strings.TrimSpace(y.When.Value) != "" || y.Window != nil || y.Sequence != nil || y.Peer != nil || len(y.Exceptions) > 0 {
		c.fail(file, line, "rule %s: a corroboration judges other rules' signals; it takes no when, window, sequence, peer or exceptions", r.Name)
	}
	cy := y.Corroborate
	over, err := parseDuration(cy.Over)
	if err != nil || over <= 0 {
		c.fail(file, line, "rule %s: corroborate needs over, a positive duration such as 30d", r.Name)
	}
	var half time.Duration
	if cy.HalfLife != "" {
		if half, err = parseDuration(cy.HalfLife); err != nil {
			c.fail(file, line, "rule %s: corroborate half_life: %v", r.Name, err)
		}
	}
	if cy.Threshold <= 0 {
		c.fail(file, line, "rule %s: corroborate needs a positive threshold", r.Name)
	}
	if cy.MinRules < 0 {
		c.fail(file, line, "rule %s: corroborate min_rules must not be negative", r.Name)
	}
	for _, n := range cy.Rules {
		if !validName(n) {
			c.fail(file, line, "rule %s: corroborate rules: %q is not a rule name", r.Name, n)
		}
	}
	r.Corroborate = &Corroboration{Over: over, HalfLife: half, Threshold: cy.Threshold, MinRules: max(cy.MinRules, 1), Rules: cy.Rules}
	if y.Dedupe == "" {
		r.Dedupe = over
	}
	c.corroborating = append(c.corroborating, r)
}

// checkCorroborations checks, once every rule is known, that the rules a
// corroboration names exist and are not corroborations themselves.
func (c *compiler) checkCorroborations(set *RuleSet) {
	for _, r := range c.corroborating {
		for _, n := range r.Corroborate.Rules {
			switch o := set.Rule(n); {
			case o == nil:
				c.fail(r.File, r.Line, "rule %s: corroborate names rule %q, which the set does not have", r.Name, n)
			case o.Corroborate != nil:
				c.fail(r.File, r.Line, "rule %s: corroborate names %q, itself a corroboration", r.Name, n)
			}
		}
	}
}

// corrItem is one signal alert as a corroboration remembers it.
type corrItem struct {
	alertID, rule, key string
	evidence           []string // the alert's first evidence ids (at most corrEvidence)
	at                 int64    // the alert's last evidence
	score              float64
}

// corrEvidence bounds the evidence ids a corroboration keeps per signal.
const corrEvidence = 3

// corrState is one member of staff's signals for one corroboration rule.
type corrState struct {
	items []corrItem
}

// note records a signal alert, replacing its earlier state.
func (s *corrState) note(a Alert) {
	it := corrItem{alertID: a.ID, rule: a.Rule, key: a.Key, evidence: slices.Clone(a.EvidenceIDs[:min(len(a.EvidenceIDs), corrEvidence)]),
		at: nanos(a.LastEvidence), score: a.Score}
	if i := slices.IndexFunc(s.items, func(x corrItem) bool { return x.alertID == a.ID }); i >= 0 {
		s.items[i] = it
		return
	}
	s.items = append(s.items, it)
}

// forget drops the signals whose last evidence is older than cutoff.
func (s *corrState) forget(cutoff int64) {
	s.items = slices.DeleteFunc(s.items, func(x corrItem) bool { return x.at < cutoff })
}

// corrPart is one signal's part in a corroboration's total at an instant.
type corrPart struct {
	item    *corrItem
	decayed float64 // after decay and the per-rule halving
}

// total returns the signals' parts at t, largest first, their sum and the
// number of distinct rules among them.
func (s *corrState) total(c *Corroboration, t int64) ([]corrPart, float64, int) {
	var parts []corrPart
	for i := range s.items {
		it := &s.items[i]
		age := t - it.at
		if age > int64(c.Over) {
			continue
		}
		d := it.score
		if c.HalfLife > 0 && age > 0 {
			d *= math.Exp2(-float64(age) / float64(c.HalfLife))
		}
		parts = append(parts, corrPart{it, d})
	}
	slices.SortFunc(parts, func(a, b corrPart) int {
		if x := strings.Compare(a.item.rule, b.item.rule); x != 0 {
			return x
		}
		if x := cmpFloat(b.decayed, a.decayed); x != 0 {
			return x
		}
		return strings.Compare(a.item.alertID, b.item.alertID)
	})
	sum, rules, k := 0.0, 0, 0
	for i := range parts {
		if i > 0 && parts[i].item.rule == parts[i-1].item.rule {
			k++
		} else {
			k = 0
			rules++
		}
		parts[i].decayed = math.Ldexp(parts[i].decayed, -k)
		sum += parts[i].decayed
	}
	slices.SortFunc(parts, func(a, b corrPart) int {
		if x := cmpFloat(b.decayed, a.decayed); x != 0 {
			return x
		}
		return strings.Compare(a.item.alertID, b.item.alertID)
	})
	return parts, sum, rules
}

// corroborate feeds the alert a, just raised or extended by rule r, to the
// corroboration rules of rs that take r's alerts, and returns the findings
// of those that now reach their threshold. The instant judged is the
// current event's.
func (e *Engine) corroborate(rs *RuleSet, r *Rule, a Alert) []finding {
	var out []finding
	for _, c := range rs.rules {
		if c.Corroborate == nil || !c.Corroborate.accepts(r) {
			continue
		}
		st := e.state(c)
		if st.corr == nil {
			st.corr = map[string]*corrState{}
		}
		cs := st.corr[a.StaffID]
		if cs == nil {
			cs = &corrState{}
			st.corr[a.StaffID] = cs
		}
		cs.note(a)
		t := nanos(e.ev.Time)
		parts, sum, rules := cs.total(c.Corroborate, t)
		if sum < c.Corroborate.Threshold || rules < c.Corroborate.MinRules {
			continue
		}
		// Evidence in the order the signals were last seen.
		byTime := slices.Clone(parts)
		slices.SortStableFunc(byTime, func(a, b corrPart) int { return cmp64(a.item.at, b.item.at) })
		var ids []string
		for _, p := range byTime {
			for _, id := range p.item.evidence {
				if len(ids) < MaxEvidence && !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		out = append(out, finding{rule: c, staff: a.StaffID, at: e.ev.Time, evidence: ids,
			score: c.Weight * sum / c.Corroborate.Threshold, why: explainCorroboration(c, a.StaffID, e.ev.Time, parts, sum, rules)})
	}
	return out
}

// mergeFindings adds fs to dst, a later finding of a rule replacing an
// earlier one: two signals of one event raise one corroboration, judged with
// both.
func mergeFindings(dst, fs []finding) []finding {
	for _, f := range fs {
		if i := slices.IndexFunc(dst, func(g finding) bool { return g.rule == f.rule && g.staff == f.staff }); i >= 0 {
			dst[i] = f
		} else {
			dst = append(dst, f)
		}
	}
	return dst
}

// forgetSignals drops the signals no instant at or after t can count.
func (st *ruleState) forgetSignals(c *Corroboration, t int64) {
	for id, cs := range st.corr {
		cs.forget(t - int64(c.Over))
		if len(cs.items) == 0 {
			delete(st.corr, id)
		}
	}
}

func explainCorroboration(r *Rule, staff string, t time.Time, parts []corrPart, sum float64, rules int) string {
	c := r.Corroborate
	var b strings.Builder
	decay := "without decay"
	if c.HalfLife > 0 {
		decay = "each halving every " + span(c.HalfLife)
	}
	fmt.Fprintf(&b, "Rule %s (%s): %s. %s's signals from %d rule(s) in the %s up to %s add up to %.3g (%s, each further signal of one rule counting half the one before), against a threshold of %.3g from at least %d rule(s); score %.3g = weight %.3g × %.3g/%.3g.",
		r.Name, r.Severity, describe(r), staff, rules, span(c.Over), stamp(t), sum, decay, c.Threshold, c.MinRules,
		r.Weight*sum/c.Threshold, r.Weight, sum, c.Threshold)
	for _, p := range parts {
		fmt.Fprintf(&b, " %s%s (alert %s, last evidence %s, events %s) adds %.3g of its %.3g.", p.item.rule, about(p.item.key),
			p.item.alertID, stamp(time.Unix(0, p.item.at)), strings.Join(p.item.evidence, ", "), p.decayed, p.item.score)
	}
	return b.String()
}
