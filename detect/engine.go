package detect

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr/vm"

	"lantern/ingest"
)

// Engine judges records against a RuleSet: reference records update its
// World, and access and comms events are matched against the rules of their
// kind, updating per-key window and sequence state and peer figures, and
// raising or extending alerts.
//
// Apply is deterministic: the same records in the same order give the same
// alerts, with the same ids, whatever the wall clock. Events should arrive in
// event-time order per member of staff (as the event log's partitions deliver
// them); a late event is counted at its own time but does not move a window
// back. An Engine is safe for concurrent use; calls are serialised.
type Engine struct {
	mu     sync.Mutex
	world  *World
	rules  atomic.Pointer[RuleSet]
	states map[string]*ruleState // by Rule.stateKey, so state survives a reload that keeps the rule
	alerts alertBook
	stats  Stats
	sweep  int64 // the next event-time boundary at which stale state is forgotten

	machine vm.VM
	ctx     evalCtx
	ev      Event
	env     map[string]any // see newEnv
	keys    []string

	owns  func(staffID string) bool // nil: every member of staff is this engine's
	share PeerShare                 // combines peer figures with other engines; nil when alone

	guardGen []uint64 // the event each guard's remembered value is for
	guardVal []bool
	noGuards bool // evaluate whole conditions (tests compare the two)

	stateOf []ruleStateOf // states by Rule.index, for the rules last seen

	envGen uint64   // the event env holds, for expressions left to the VM
	vmOnly bool     // evaluate every expression with expr's VM (tests compare the two)
	sized  *RuleSet // the set ctx's variable slots were sized for
}

// Stats counts what an Engine has done.
type Stats struct {
	Reference  int // reference records applied to the World
	Events     int // access and comms events judged
	Evaluated  int // rule evaluations
	Suppressed int // matches suppressed by an exception
	Errors     int // expression evaluations that failed at run time (counted as no match)
	Alerts     int // alerts raised (new, not extended)
}

// ruleStateOf is a rule and its state.
type ruleStateOf struct {
	rule *Rule
	st   *ruleState
}

// ruleState is the per-key state of one rule.
type ruleState struct {
	windows map[uint64]*windowState
	seqs    map[uint64]*seqState
	peer    *peerState
	corr    map[string]*corrState // a corroboration's signals per member of staff
}

// NewEngine returns an Engine over world judging with rules (nil: none yet).
func NewEngine(world *World, rules *RuleSet) *Engine {
	e := &Engine{world: world, states: map[string]*ruleState{}, alerts: alertBook{open: map[uint64]*openAlert{}}}
	e.machine.MemoryBudget = maxEvalMemory
	e.ctx.w = world
	e.keys = eventKeys()
	e.env = newEnv(&e.ctx, &e.ev, e.keys)
	e.ctx.ev = &e.ev
	e.ctx.fns = funcTable.bind(e.env)
	if rules == nil {
		rules = &RuleSet{byKind: map[string][]*Rule{}}
	}
	e.rules.Store(rules)
	return e
}

// SetRules replaces the rule set atomically: the next record is judged by the
// new set. Windows and sequences are kept per rule name and stateful
// settings (window, sequence, peer, condition), so a rule that is unchanged
// keeps its state and a changed one starts afresh; open alerts are kept per
// rule name. State of rules no longer in the set is dropped. Load a set with Load and call
// SetRules only when it succeeded, so a broken set never replaces a good one.
func (e *Engine) SetRules(rules *RuleSet) {
	if rules == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules.Store(rules)
	e.stateOf = nil
	keep := map[string]bool{}
	for _, r := range rules.rules {
		keep[r.stateKey] = true
	}
	for k := range e.states {
		if !keep[k] {
			delete(e.states, k)
		}
	}
}

// Rules returns the rule set in use.
func (e *Engine) Rules() *RuleSet { return e.rules.Load() }

// World returns the World the engine consults.
func (e *Engine) World() *World { return e.world }

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// Apply applies one record and returns the alerts it raised or extended, in
// rule order (nil when none).
func (e *Engine) Apply(rec *ingest.Record) []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.world.Apply(rec) {
		e.stats.Reference++
		return nil
	}
	if !e.ev.fill(rec, e.world) {
		return nil
	}
	e.stats.Events++
	e.ctx.setEvent(e.ev.Time)
	rs := e.rules.Load()
	if t := nanos(e.ev.Time); t >= e.sweep {
		e.forgetStale(rs, t)
	}
	e.ready(rs)
	var out []Alert
	var later []finding // corroborations the event's alerts bring to their threshold
	for _, r := range rs.forKind(e.ev.Kind) {
		if e.failsGuard(r) {
			continue
		}
		if f, ok := e.judge(r, rs); ok {
			a := e.alerts.raise(f)
			if a.Matches == 1 {
				e.stats.Alerts++
			}
			out = append(out, a)
			later = mergeFindings(later, e.corroborate(rs, r, a))
		}
	}
	for _, f := range later {
		a := e.alerts.raise(f)
		if a.Matches == 1 {
			e.stats.Alerts++
		}
		out = append(out, a)
	}
	return out
}

// judge applies the current event to one rule and returns a finding when the
// rule fires.
func (e *Engine) judge(r *Rule, rs *RuleSet) (finding, bool) {
	if !e.passes(r, rs) {
		return finding{}, false
	}
	for i := range r.Exceptions {
		x := &r.Exceptions[i]
		if e.ev.Time.Before(x.Expires) && e.eval(x.when) {
			e.stats.Suppressed++
			return finding{}, false
		}
	}
	switch {
	case r.Window != nil:
		return e.judgeWindow(r)
	case r.Sequence != nil:
		return e.judgeSequence(r)
	}
	key := e.ev.field(r.Key)
	return finding{rule: r, staff: e.ev.StaffID, key: key, at: e.ev.Time, evidence: []string{e.ev.ID},
		score: r.Weight, why: explainSingle(r, &e.ev, key)}, true
}

func (e *Engine) state(r *Rule) *ruleState {
	// The rule's place in its set finds its state without hashing its
	// (long) state key, once the key has been looked up.
	if i := r.index; i < len(e.stateOf) && e.stateOf[i].rule == r {
		return e.stateOf[i].st
	}
	st := e.states[r.stateKey]
	if st == nil {
		st = &ruleState{windows: map[uint64]*windowState{}, seqs: map[uint64]*seqState{}}
		if r.Peer != nil {
			st.peer = &peerState{}
		}
		e.states[r.stateKey] = st
	}
	grow(&e.stateOf, r.index+1)
	e.stateOf[r.index] = ruleStateOf{r, st}
	return st
}

func (e *Engine) judgeWindow(r *Rule) (finding, bool) {
	st := e.state(r)
	t := nanos(e.ev.Time)
	if r.Peer != nil {
		e.refreshPeers(r, st, t)
	}
	key := e.ev.field(r.Window.By)
	h := stableHash(e.ev.StaffID, key)
	w := st.windows[h]
	over := int64(r.Window.Over)
	if w != nil && t <= w.latest-over {
		return finding{}, false // too late to count in the window, which has moved on
	}
	if w == nil {
		w = newWindowState(e.ev.StaffID, key, r.Window.Distinct != "", r.Peer != nil)
		st.windows[h] = w
	}
	w.add(t, e.ev.field(r.Window.Distinct), e.ev.ID)
	w.advance(w.latest - over)
	x := w.measure()
	if r.Peer != nil {
		return e.judgePeer(r, st, w, x)
	}
	if x < r.Window.Threshold {
		return finding{}, false
	}
	return finding{rule: r, staff: e.ev.StaffID, key: key, at: e.ev.Time, evidence: w.ids(MaxEvidence),
		score: r.Weight * float64(x) / float64(r.Window.Threshold), why: explainWindow(r, &e.ev, x)}, true
}

func (e *Engine) judgePeer(r *Rule, st *ruleState, w *windowState, x int) (finding, bool) {
	if x < r.Peer.MinValue {
		return finding{}, false
	}
	if !st.peer.warm(r.Window.Over) {
		return finding{}, false
	}
	f, _ := e.world.Staff(e.ev.StaffID, e.ev.Time)
	ps, ok := st.peer.roles[f.Role]
	if !ok || ps.n < 2 {
		return finding{}, false // no peers to compare with
	}
	z := ps.z(float64(x))
	if z < r.Peer.MinScore {
		return finding{}, false
	}
	return finding{rule: r, staff: e.ev.StaffID, key: "", at: e.ev.Time, evidence: w.ids(MaxEvidence),
		score: r.Weight * z / r.Peer.MinScore, why: explainPeer(r, &e.ev, x, f.Role, ps, st.peer.at, z)}, true
}

func (e *Engine) judgeSequence(r *Rule) (finding, bool) {
	st := e.state(r)
	seq := r.Sequence
	key := e.ev.field(seq.By)
	h := stableHash(e.ev.StaffID, key)
	t := nanos(e.ev.Time)
	cur := st.seqs[h]
	startAt := int64(0)
	if cur != nil {
		startAt = cur.start
	}
	next, what := stepSequence(seq, cur, t, e.ev.ID, func(i int) bool { return e.eval(seq.Steps[i].when) })
	if what == seqComplete {
		delete(st.seqs, h)
		return finding{rule: r, staff: e.ev.StaffID, key: key, at: e.ev.Time, evidence: next.ids,
			score: r.Weight, why: explainSequence(r, &e.ev, next.ids, time.Duration(t-startAt))}, true
	}
	if next == nil {
		delete(st.seqs, h)
	} else {
		st.seqs[h] = next
	}
	return finding{}, false
}

// sweepEvery is how often, in event time, the engine forgets state that can
// no longer matter: empty windows, expired partial sequences, alerts past
// their dedupe interval.
const sweepEvery = int64(24 * time.Hour)

// staleMargin is how long state is kept beyond the point where an event at
// the sweep's time could no longer use it, so that a member of staff's events
// that reach the engine up to this much later than others' (files loaded one
// after another, a feed that lags) are judged exactly as if they had come in
// time order.
const staleMargin = int64(24 * time.Hour)

// forgetStale drops state no event at or after t-staleMargin can use, so that
// memory follows the activity of the last windows, not all history. It
// changes no result for events that arrive less than staleMargin behind the
// latest one.
func (e *Engine) forgetStale(rs *RuleSet, t int64) {
	e.sweep = t - mod(t, sweepEvery) + sweepEvery
	horizon := t - staleMargin
	for _, r := range rs.rules {
		st := e.states[r.stateKey]
		if st == nil {
			continue
		}
		if r.Window != nil {
			for h, w := range st.windows {
				w.advance(max(w.latest, horizon) - int64(r.Window.Over))
				if w.empty() {
					delete(st.windows, h)
				}
			}
		}
		if r.Corroborate != nil {
			st.forgetSignals(r.Corroborate, horizon)
		}
		if r.Sequence != nil {
			for h, s := range st.seqs {
				if horizon-s.start > int64(r.Sequence.Within) {
					delete(st.seqs, h)
				}
			}
		}
	}
	e.alerts.prune(time.Unix(0, horizon))
}
