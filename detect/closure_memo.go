package detect

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr/ast"
)

// Many rules ask the same questions of one event: role(event.staff_id),
// vulnerable(event.person_id), lower(event.query). A call whose arguments
// depend on the event alone (its fields, constants, other such calls) gives
// the same answer every time it is asked during the event, since context
// functions are pure functions of their arguments, the World and the event's
// time (replay depends on it) and the World does not change while an event
// is judged. The closure compiler gives each such call, by its text, one memo
// slot shared by every expression of the rule set, and computes it at most
// once per event. A call that fails fails again at every use, so errors are
// counted as the VM counts them.

// memoPlan assigns memo slots to event-invariant calls across a rule set.
type memoPlan struct {
	index map[string]int
}

func newMemoPlan() *memoPlan { return &memoPlan{index: map[string]int{}} }

func (p *memoPlan) slot(key string) int {
	i, ok := p.index[key]
	if !ok {
		i = len(p.index)
		p.index[key] = i
	}
	return i
}

// size is the number of memo slots the plan needs.
func (p *memoPlan) size() int {
	if p == nil {
		return 0
	}
	return len(p.index)
}

// memoEntry is one memo slot of an evalCtx: the event (gen) it holds a value
// for, and whether computing it failed.
type memoEntry struct {
	gen    uint64
	failed bool
	b      bool
	i      int
	f      float64
	s      string
	ss     []string
	cc     ClosedCase
	a      any
}

var errMemoFailed = errors.New("this call failed earlier for the same event")

// invariant reports whether node depends on the event alone: no predicate
// element, no let variable, no list built at run time (which the VM charges
// to the memory budget at every evaluation).
func invariant(node ast.Node) bool {
	switch n := node.(type) {
	case *ast.NilNode, *ast.BoolNode, *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.ConstantNode:
		return true
	case *ast.IdentifierNode:
		_, ok := eventField(n.Value)
		return ok
	case *ast.UnaryNode:
		return invariant(n.Node)
	case *ast.BinaryNode:
		return invariant(n.Left) && invariant(n.Right)
	case *ast.MemberNode:
		return invariant(n.Node) && invariant(n.Property)
	case *ast.ConditionalNode:
		return invariant(n.Cond) && invariant(n.Exp1) && invariant(n.Exp2)
	case *ast.CallNode:
		return all(n.Arguments, invariant)
	case *ast.BuiltinNode:
		return !predicates[n.Name] && all(n.Arguments, invariant)
	}
	return false
}

func all(nodes []ast.Node, f func(ast.Node) bool) bool {
	for _, n := range nodes {
		if !f(n) {
			return false
		}
	}
	return true
}

// memoize wraps v, compiled from node, in the memo slot of node's text when
// node depends on the event alone. (Event fields, the only identifiers an
// invariant node names, cannot be shadowed by a let: flattenEvent has made
// them names no variable can have.)
func (c *closureCompiler) memoize(node ast.Node, v value) value {
	if c.memo == nil || !invariant(node) {
		return v
	}
	slot := c.memo.slot(fmt.Sprintf("%d:%s", v.kind, node.String()))
	return memoized(v, slot)
}

// fresh reports whether slot m must be computed for the current event, and
// panics when computing it already failed.
func (c *evalCtx) fresh(m *memoEntry) bool {
	if m.gen == c.gen {
		if m.failed {
			panic(errMemoFailed)
		}
		return false
	}
	// Marked failed until the value is in, so that a panic leaves it so.
	m.gen, m.failed = c.gen, true
	return true
}

func memoized(v value, slot int) value {
	switch v.kind {
	case kindBool:
		f := v.b
		v.b = func(c *evalCtx) bool {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.b = f(c)
				m.failed = false
			}
			return m.b
		}
	case kindInt:
		f := v.i
		v.i = func(c *evalCtx) int {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.i = f(c)
				m.failed = false
			}
			return m.i
		}
	case kindFloat:
		f := v.f
		v.f = func(c *evalCtx) float64 {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.f = f(c)
				m.failed = false
			}
			return m.f
		}
	case kindString:
		f := v.s
		v.s = func(c *evalCtx) string {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.s = f(c)
				m.failed = false
			}
			return m.s
		}
	case kindStrings:
		f := v.ss
		v.ss = func(c *evalCtx) []string {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.ss = f(c)
				m.failed = false
			}
			return m.ss
		}
	case kindCase:
		f := v.cc
		v.cc = func(c *evalCtx) ClosedCase {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.cc = f(c)
				m.failed = false
			}
			return m.cc
		}
	default:
		f := v.a
		v.a = func(c *evalCtx) any {
			m := &c.memo[slot]
			if c.fresh(m) {
				m.a = f(c)
				m.failed = false
			}
			return m.a
		}
	}
	return v
}
