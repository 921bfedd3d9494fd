package detect

import (
	"regexp"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// The operators, each with expr's VM semantics: typed fast paths where both
// sides' kinds are known, and expr's own runtime helpers on boxed values
// otherwise.

func (c *closureCompiler) binary(n *ast.BinaryNode) (value, error) {
	l, err := c.compile(n.Left)
	if err != nil {
		return value{}, err
	}
	if n.Operator == "matches" {
		if s, ok := n.Right.(*ast.StringNode); ok {
			return matchesConst(l, s.Value)
		}
		return value{}, unsupported("matches with a pattern that is not a literal")
	}
	r, err := c.compile(n.Right)
	if err != nil {
		return value{}, err
	}
	switch n.Operator {
	case "&&", "and":
		return and(l, r), nil
	case "||", "or":
		return or(l, r), nil
	case "==":
		return equal(l, r), nil
	case "!=":
		eq := equal(l, r).b
		return boolValue(func(c *evalCtx) bool { return !eq(c) }), nil
	case "<", ">", "<=", ">=":
		return compare(n.Operator, l, r), nil
	case "in":
		return in(l, r), nil
	case "contains", "startsWith", "endsWith":
		return stringTest(n.Operator, l, r), nil
	case "+", "-", "*", "/", "%", "**", "^":
		return arithmetic(n.Operator, l, r), nil
	}
	return value{}, unsupported("operator %s", n.Operator)
}

// and is the VM's &&: the left side must be a bool; when false it is the
// result, else the right side is, whatever it is.
func and(l, r value) value {
	lb := asBool(l)
	if r.kind == kindBool {
		rb := r.b
		return boolValue(func(c *evalCtx) bool { return lb(c) && rb(c) })
	}
	ra := boxed(r)
	return anyValue(func(c *evalCtx) any {
		if !lb(c) {
			return false
		}
		return ra(c)
	})
}

// or is the VM's ||, the mirror of and.
func or(l, r value) value {
	lb := asBool(l)
	if r.kind == kindBool {
		rb := r.b
		return boolValue(func(c *evalCtx) bool { return lb(c) || rb(c) })
	}
	ra := boxed(r)
	return anyValue(func(c *evalCtx) any {
		if lb(c) {
			return true
		}
		return ra(c)
	})
}

func equal(l, r value) value {
	switch {
	case l.kind == kindString && r.kind == kindString:
		if r.isConst {
			ls, k := l.s, r.constant.(string)
			return boolValue(func(c *evalCtx) bool { return ls(c) == k })
		}
		ls, rs := l.s, r.s
		return boolValue(func(c *evalCtx) bool { return ls(c) == rs(c) })
	case l.kind == kindInt && r.kind == kindInt:
		li, ri := l.i, r.i
		return boolValue(func(c *evalCtx) bool { return li(c) == ri(c) })
	case l.kind == kindFloat && r.kind == kindFloat:
		lf, rf := l.f, r.f
		return boolValue(func(c *evalCtx) bool { return lf(c) == rf(c) })
	case l.kind == kindBool && r.kind == kindBool:
		lb, rb := l.b, r.b
		return boolValue(func(c *evalCtx) bool { return lb(c) == rb(c) })
	}
	la, ra := boxed(l), boxed(r)
	return boolValue(func(c *evalCtx) bool { return runtime.Equal(la(c), ra(c)) })
}

func compare(op string, l, r value) value {
	switch {
	case l.kind == kindInt && r.kind == kindInt:
		li, ri := l.i, r.i
		return boolValue(orderInts(op, li, ri))
	case l.kind == kindFloat && r.kind == kindFloat:
		lf, rf := l.f, r.f
		return boolValue(orderFloats(op, lf, rf))
	case l.kind == kindFloat && r.kind == kindInt:
		lf, ri := l.f, r.i
		return boolValue(orderFloats(op, lf, func(c *evalCtx) float64 { return float64(ri(c)) }))
	case l.kind == kindInt && r.kind == kindFloat:
		li, rf := l.i, r.f
		return boolValue(orderFloats(op, func(c *evalCtx) float64 { return float64(li(c)) }, rf))
	}
	la, ra := boxed(l), boxed(r)
	var f func(a, b any) bool
	switch op {
	case "<":
		f = runtime.Less
	case ">":
		f = runtime.More
	case "<=":
		f = runtime.LessOrEqual
	default:
		f = runtime.MoreOrEqual
	}
	return boolValue(func(c *evalCtx) bool { return f(la(c), ra(c)) })
}

func orderInts(op string, l, r func(*evalCtx) int) func(*evalCtx) bool {
	switch op {
	case "<":
		return func(c *evalCtx) bool { return l(c) < r(c) }
	case ">":
		return func(c *evalCtx) bool { return l(c) > r(c) }
	case "<=":
		return func(c *evalCtx) bool { return l(c) <= r(c) }
	}
	return func(c *evalCtx) bool { return l(c) >= r(c) }
}

func orderFloats(op string, l, r func(*evalCtx) float64) func(*evalCtx) bool {
	switch op {
	case "<":
		return func(c *evalCtx) bool { return l(c) < r(c) }
	case ">":
		return func(c *evalCtx) bool { return l(c) > r(c) }
	case "<=":
		return func(c *evalCtx) bool { return l(c) <= r(c) }
	}
	return func(c *evalCtx) bool { return l(c) >= r(c) }
}

// in tests membership: a string in a constant set or list of strings, or in
// a list of strings such as the event's fields; anything else goes to
// runtime.In.
func in(l, r value) value {
	if l.kind == kindString {
		ls := l.s
		if set, ok := r.constant.(map[string]struct{}); ok && r.isConst {
			if len(set) <= 8 {
				keys := make([]string, 0, len(set))
				for k := range set {
					keys = append(keys, k)
				}
				return boolValue(func(c *evalCtx) bool { return containsString(keys, ls(c)) })
			}
			return boolValue(func(c *evalCtx) bool {
				_, ok := set[ls(c)]
				return ok
			})
		}
		if r.isConst && r.strs != nil {
			keys := r.strs
			return boolValue(func(c *evalCtx) bool { return containsString(keys, ls(c)) })
		}
		if r.kind == kindStrings {
			rs := r.ss
			return boolValue(func(c *evalCtx) bool { return containsString(rs(c), ls(c)) })
		}
	}
	la, ra := boxed(l), boxed(r)
	return boolValue(func(c *evalCtx) bool { return runtime.In(la(c), ra(c)) })
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// stringTest is contains, startsWith or endsWith: false when either side is
// nil, else both must be strings.
func stringTest(op string, l, r value) value {
	var f func(s, sub string) bool
	switch op {
	case "contains":
		f = strings.Contains
	case "startsWith":
		f = strings.HasPrefix
	default:
		f = strings.HasSuffix
	}
	if l.kind == kindString && r.kind == kindString {
		ls, rs := l.s, r.s
		return boolValue(func(c *evalCtx) bool { return f(ls(c), rs(c)) })
	}
	la, ra := boxed(l), boxed(r)
	return boolValue(func(c *evalCtx) bool {
		a, b := la(c), ra(c)
		if runtime.IsNil(a) || runtime.IsNil(b) {
			return false
		}
		return f(a.(string), b.(string))
	})
}

func matchesConst(l value, pattern string) (value, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return value{}, unsupported("pattern %q does not compile", pattern)
	}
	if l.kind == kindString {
		ls := l.s
		return boolValue(func(c *evalCtx) bool { return re.MatchString(ls(c)) }), nil
	}
	la := boxed(l)
	return boolValue(func(c *evalCtx) bool {
		a := la(c)
		if runtime.IsNil(a) {
			return false
		}
		return re.MatchString(a.(string))
	}), nil
}

// arithmetic has the VM's semantics by calling its helpers; rules rarely
// compute, so it is not specialised.
func arithmetic(op string, l, r value) value {
	la, ra := boxed(l), boxed(r)
	switch op {
	case "+":
		return anyValue(func(c *evalCtx) any { return runtime.Add(la(c), ra(c)) })
	case "-":
		return anyValue(func(c *evalCtx) any { return runtime.Subtract(la(c), ra(c)) })
	case "*":
		return anyValue(func(c *evalCtx) any { return runtime.Multiply(la(c), ra(c)) })
	case "/":
		return anyValue(func(c *evalCtx) any { return runtime.Divide(la(c), ra(c)) })
	case "%":
		return anyValue(func(c *evalCtx) any { return runtime.Modulo(la(c), ra(c)) })
	}
	return anyValue(func(c *evalCtx) any { return runtime.Exponent(la(c), ra(c)) })
}
