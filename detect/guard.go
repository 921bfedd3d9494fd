package detect

import (
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Guards: many rules begin with the same tests ("the person is vulnerable",
// "the staff member has no link to her"). A rule's condition is split into
// its top-level && terms; the leading terms that other rules share become
// guards, evaluated once per event and remembered, and the rest of the
// condition is compiled on its own. Terms keep their order, so the result,
// short-circuiting included, is that of the whole condition.

// conjuncts splits an expression into its top-level && terms, in order, as
// source text; an expression that does not parse is one term.
func conjuncts(src string) []string {
	tree, err := parser.Parse(src)
	if err != nil {
		return []string{src}
	}
	var out []string
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "&&" || b.Operator == "and") {
			walk(b.Left)
			walk(b.Right)
			return
		}
		out = append(out, n.String())
	}
	walk(tree.Node)
	return out
}

// planGuards splits the conditions of the set's rules into shared guards and
// the rest. A rule whose terms do not recompile keeps its whole condition.
func (c *compiler) planGuards(set *RuleSet) {
	count := map[string]int{}
	for _, r := range set.rules {
		seen := map[string]bool{}
		for _, t := range r.terms {
			if !seen[t] {
				count[t]++
				seen[t] = true
			}
		}
	}
	index := map[string]int{}
	for _, r := range set.rules {
		n := 0
		for n < len(r.terms) && count[r.terms[n]] > 1 {
			n++
		}
		if n == 0 {
			continue
		}
		var guards []int
		ok := true
		for _, t := range r.terms[:n] {
			i, seen := index[t]
			if !seen {
				p, err := expr.Compile(t, append(c.opts, expr.AsBool())...)
				if err != nil {
					ok = false
					break
				}
				i = len(set.guards)
				index[t] = i
				set.guards = append(set.guards, newCond(p, c.memo))
			}
			guards = append(guards, i)
		}
		var rest *cond
		if ok && n < len(r.terms) {
			src := "(" + strings.Join(r.terms[n:], ") && (") + ")"
			p, err := expr.Compile(src, append(c.opts, expr.AsBool())...)
			ok = err == nil
			if ok {
				rest = newCond(p, c.memo)
			}
		}
		if ok {
			r.guards, r.rest = guards, rest
		}
	}
}

// failsGuard reports whether the rule's guards are already known to fail for
// the current event — some guard remembered false, after guards remembered
// true — so that the rule can be skipped without judging it: judging it would
// only read those remembered values, evaluating nothing.
func (e *Engine) failsGuard(r *Rule) bool {
	if e.noGuards {
		return false
	}
	for _, g := range r.guards {
		if g >= len(e.guardGen) || e.guardGen[g] != e.ctx.gen {
			return false // not yet evaluated for this event
		}
		if !e.guardVal[g] {
			return true
		}
	}
	return false
}

// passes reports whether the current event passes the rule's condition,
// through its guards when it has them.
func (e *Engine) passes(r *Rule, rs *RuleSet) bool {
	if r.guards == nil || e.noGuards {
		return e.eval(r.when)
	}
	if len(e.guardGen) < len(rs.guards) {
		e.guardGen = make([]uint64, len(rs.guards))
		e.guardVal = make([]bool, len(rs.guards))
	}
	for _, g := range r.guards {
		if e.guardGen[g] != e.ctx.gen {
			e.guardGen[g] = e.ctx.gen
			e.guardVal[g] = e.eval(rs.guards[g])
		}
		if !e.guardVal[g] {
			return false
		}
	}
	return e.eval(r.rest)
}
