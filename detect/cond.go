package detect

import (
	"github.com/expr-lang/expr/vm"
)

// cond is one compiled rule expression: expr's program, and the closures
// the closure compiler made of the same checked tree (nil when it left the
// expression to the VM). See closure.go.
type cond struct {
	prog  *vm.Program
	fn    func(*evalCtx) bool
	slots slotCounts
}

// newCond compiles prog's tree into closures when the closure compiler
// handles every node of it.
func newCond(prog *vm.Program, memo *memoPlan) *cond {
	c := &cond{prog: prog}
	if fn, used, err := compileClosure(prog.Node(), memo); err == nil {
		c.fn, c.slots = fn, used
	}
	return c
}

// conds returns every expression of the set: conditions, guards and their
// rests, exceptions and sequence steps.
func (s *RuleSet) conds() []*cond {
	out := append([]*cond(nil), s.guards...)
	for _, r := range s.rules {
		out = append(out, r.when, r.rest)
		for _, x := range r.Exceptions {
			out = append(out, x.when)
		}
		if r.Sequence != nil {
			for _, st := range r.Sequence.Steps {
				out = append(out, st.when)
			}
		}
	}
	return out
}

// prepare notes what the engine needs to evaluate the set's expressions:
// the largest variable slots any closure uses, and whether any expression
// is left to the VM.
func (s *RuleSet) prepare() {
	for _, c := range s.conds() {
		if c == nil {
			continue
		}
		s.slots.max(c.slots)
		if c.fn == nil {
			s.needsVM = true
		}
	}
}

// ready sizes the ctx's variable and memo slots for the rule set.
func (e *Engine) ready(rs *RuleSet) {
	if rs == e.sized {
		return
	}
	e.ctx.vars.ensure(rs.slots)
	grow(&e.ctx.memo, rs.memos)
	e.sized = rs
}

// eval runs a condition on the current event; nil is true, a run-time error
// false (and counted).
func (e *Engine) eval(c *cond) bool {
	if c == nil {
		return true
	}
	e.stats.Evaluated++
	if c.fn != nil && !e.vmOnly {
		ok, failed := e.ctx.test(c.fn)
		if failed {
			e.stats.Errors++
		}
		return ok
	}
	if e.envGen != e.ctx.gen {
		// The VM reads the event from the environment map: bind it once
		// per event, and only when some expression needs the VM.
		e.ev.bindUsed(e.env, e.keys, e.rules.Load().used)
		e.envGen = e.ctx.gen
	}
	out, err := e.machine.Run(c.prog, e.env)
	if err != nil {
		e.stats.Errors++
		return false
	}
	b, _ := out.(bool)
	return b
}

// test runs a compiled condition, turning a panic into a failure as the
// VM's Run turns one into an error.
func (c *evalCtx) test(fn func(*evalCtx) bool) (v, failed bool) {
	c.mem = 0
	failed = true
	defer func() {
		// Only a panic leaves failed set; recover only then, as recovering
		// costs even when there is nothing to recover.
		if failed {
			recover()
			v = false
		}
	}()
	v = fn(c)
	failed = false
	return v, failed
}

// grow charges a list built at run time to the evaluation's memory budget,
// as the VM does.
func (c *evalCtx) grow(size uint) {
	c.mem += size
	if c.mem >= maxEvalMemory {
		panic("memory budget exceeded")
	}
}
