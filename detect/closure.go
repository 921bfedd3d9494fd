package detect

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// The closure compiler turns a rule expression, as expr has parsed, checked,
// patched and optimised it (the very tree its bytecode comes from), into Go
// closures over an evalCtx. A closure reads the event's fields straight from
// the Event, calls the context functions without boxing their arguments and
// keeps typed values (bool, int, float64, string, []string, ClosedCase)
// unboxed, where expr's VM looks variables up in a map and pushes every value
// through an interface. It handles the subset of expr the rule library uses,
// and a little more; an expression with any node it does not handle is left
// to the VM whole, so every valid rule still runs.
//
// The closures keep expr's semantics exactly, errors included: where the VM
// would panic (a failed type assertion, a runtime helper's complaint, a
// context function's panic, the memory budget) a closure panics too, and the
// caller recovers and counts an error, as the VM's Run does. Wherever the
// types are not known statically the closures call the same helpers from
// expr's vm/runtime package that the VM calls. TestClosuresMatchVM and
// FuzzClosuresMatchVM check the two against each other.

// kind is the Go type a compiled node yields.
type kind uint8

const (
	kindAny     kind = iota // anything, boxed: the VM's view of every value
	kindBool                // bool
	kindInt                 // int
	kindFloat               // float64
	kindString              // string
	kindStrings             // []string
	kindCase                // ClosedCase
)

// value is one compiled node: the closure of its kind, and its constant
// value when it has one. Strs is an optional typed view of a kindAny list
// whose elements are all strings, for iterating without boxing.
type value struct {
	kind kind
	b    func(*evalCtx) bool
	i    func(*evalCtx) int
	f    func(*evalCtx) float64
	s    func(*evalCtx) string
	ss   func(*evalCtx) []string
	cc   func(*evalCtx) ClosedCase
	a    func(*evalCtx) any

	isConst  bool
	constant any
	strs     []string // for a constant list of strings
}

// errUnsupported marks a node the closure compiler leaves to the VM.
var errUnsupported = errors.New("not handled by the closure compiler")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUnsupported, fmt.Sprintf(format, args...))
}

// slotCounts are the variable slots of each kind an expression needs in its
// evalCtx: one per let and per predicate pointer.
type slotCounts struct {
	bools, ints, floats, strs, lists, cases, anys int
}

func (s *slotCounts) max(o slotCounts) {
	s.bools = max(s.bools, o.bools)
	s.ints = max(s.ints, o.ints)
	s.floats = max(s.floats, o.floats)
	s.strs = max(s.strs, o.strs)
	s.lists = max(s.lists, o.lists)
	s.cases = max(s.cases, o.cases)
	s.anys = max(s.anys, o.anys)
}

// slots is an evalCtx's storage for let variables and predicate pointers.
type slots struct {
	bools  []bool
	ints   []int
	floats []float64
	strs   []string
	lists  [][]string
	cases  []ClosedCase
	anys   []any
}

// ensure grows the slots to hold n of each kind.
func (s *slots) ensure(n slotCounts) {
	grow(&s.bools, n.bools)
	grow(&s.ints, n.ints)
	grow(&s.floats, n.floats)
	grow(&s.strs, n.strs)
	grow(&s.lists, n.lists)
	grow(&s.cases, n.cases)
	grow(&s.anys, n.anys)
}

func grow[T any](s *[]T, n int) {
	if len(*s) < n {
		*s = append(*s, make([]T, n-len(*s))...)
	}
}

// closureCompiler compiles one expression.
type closureCompiler struct {
	scope []scoped // let variables and predicate pointers in scope, innermost last
	used  slotCounts
	memo  *memoPlan // nil: remember nothing across expressions
}

// scoped is a name in scope: a let variable, or "#" for the element of the
// innermost predicate.
type scoped struct {
	name string
	v    value
}

// compileClosure compiles a checked and optimised expression tree, compiled
// with expr.AsBool as every rule expression is, into a condition closure. It
// reports errUnsupported when some node is not handled.
func compileClosure(node ast.Node, memo *memoPlan) (fn func(*evalCtx) bool, used slotCounts, err error) {
	defer func() {
		// A bug here must not stop a rule set loading: the VM runs it.
		if r := recover(); r != nil {
			fn, err = nil, unsupported("compiler panic: %v", r)
		}
	}()
	c := &closureCompiler{memo: memo}
	v, err := c.compile(node)
	if err != nil {
		return nil, slotCounts{}, err
	}
	switch v.kind {
	case kindBool:
		return v.b, c.used, nil
	case kindAny:
		// expr.AsBool casts the result as runtime.ToBool does: nil is
		// false, anything but a bool fails.
		a := v.a
		return func(x *evalCtx) bool { return runtime.ToBool(a(x)) }, c.used, nil
	}
	return nil, slotCounts{}, unsupported("a condition of kind %d", v.kind)
}

func (c *closureCompiler) compile(node ast.Node) (value, error) {
	switch n := node.(type) {
	case *ast.NilNode:
		return constant(nil), nil
	case *ast.BoolNode:
		return constant(n.Value), nil
	case *ast.StringNode:
		return constant(n.Value), nil
	case *ast.FloatNode:
		return constant(n.Value), nil
	case *ast.IntegerNode:
		return c.integer(n)
	case *ast.ConstantNode:
		return constant(n.Value), nil
	case *ast.IdentifierNode:
		return c.identifier(n)
	case *ast.UnaryNode:
		return c.unary(n)
	case *ast.BinaryNode:
		return c.binary(n)
	case *ast.MemberNode:
		return c.member(n)
	case *ast.CallNode:
		v, err := c.call(n)
		if err != nil {
			return v, err
		}
		return c.memoize(n, v), nil
	case *ast.BuiltinNode:
		v, err := c.builtin(n)
		if err != nil || n.Name == "len" || predicates[n.Name] {
			return v, err
		}
		return c.memoize(n, v), nil
	case *ast.PointerNode:
		return c.pointer(n)
	case *ast.ConditionalNode:
		return c.conditional(n)
	case *ast.VariableDeclaratorNode:
		return c.let(n)
	case *ast.SequenceNode:
		return c.sequence(n)
	case *ast.ArrayNode:
		return c.array(n)
	}
	return value{}, unsupported("%T", node)
}

// constant returns a constant value of the kind its Go type gives.
func constant(x any) value {
	v := value{isConst: true, constant: x}
	switch t := x.(type) {
	case bool:
		v.kind, v.b = kindBool, func(*evalCtx) bool { return t }
	case int:
		v.kind, v.i = kindInt, func(*evalCtx) int { return t }
	case float64:
		v.kind, v.f = kindFloat, func(*evalCtx) float64 { return t }
	case string:
		v.kind, v.s = kindString, func(*evalCtx) string { return t }
	default:
		v.kind, v.a = kindAny, func(*evalCtx) any { return x }
		if list, ok := x.([]any); ok {
			v.strs = stringsOf(list)
		}
	}
	return v
}

// stringsOf returns the list as strings when every element is one, else nil.
func stringsOf(list []any) []string {
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil
		}
		out[i] = s
	}
	return out
}

// integer compiles an integer literal as the type the checker gave it (it
// types a literal compared with a float as a float).
func (c *closureCompiler) integer(n *ast.IntegerNode) (value, error) {
	switch n.Type().Kind() {
	case reflect.Int, reflect.Interface:
		return constant(n.Value), nil
	case reflect.Float64:
		return constant(float64(n.Value)), nil
	}
	return value{}, unsupported("integer literal of type %v", n.Type())
}

// boxed returns v's value as the VM would hold it.
func boxed(v value) func(*evalCtx) any {
	switch v.kind {
	case kindBool:
		f := v.b
		return func(c *evalCtx) any { return f(c) }
	case kindInt:
		f := v.i
		return func(c *evalCtx) any { return f(c) }
	case kindFloat:
		f := v.f
		return func(c *evalCtx) any { return f(c) }
	case kindString:
		f := v.s
		return func(c *evalCtx) any { return f(c) }
	case kindStrings:
		f := v.ss
		return func(c *evalCtx) any { return f(c) }
	case kindCase:
		f := v.cc
		return func(c *evalCtx) any { return f(c) }
	}
	return v.a
}

// asBool returns v as a bool, panicking as the VM's type assertion does when
// it is not one.
func asBool(v value) func(*evalCtx) bool {
	if v.kind == kindBool {
		return v.b
	}
	a := boxed(v)
	return func(c *evalCtx) bool { return a(c).(bool) }
}

// anyValue wraps a boxed closure as a kindAny value.
func anyValue(a func(*evalCtx) any) value { return value{kind: kindAny, a: a} }

func boolValue(b func(*evalCtx) bool) value { return value{kind: kindBool, b: b} }

func stringValue(s func(*evalCtx) string) value { return value{kind: kindString, s: s} }

func (c *closureCompiler) identifier(n *ast.IdentifierNode) (value, error) {
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == n.Value {
			return c.scope[i].v, nil
		}
	}
	if v, ok := eventField(n.Value); ok {
		return v, nil
	}
	return value{}, unsupported("identifier %s", n.Value)
}

func (c *closureCompiler) pointer(n *ast.PointerNode) (value, error) {
	if n.Name != "" {
		return value{}, unsupported("pointer #%s", n.Name)
	}
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == "#" {
			return c.scope[i].v, nil
		}
	}
	return value{}, unsupported("# outside a predicate")
}

func (c *closureCompiler) unary(n *ast.UnaryNode) (value, error) {
	x, err := c.compile(n.Node)
	if err != nil {
		return value{}, err
	}
	switch n.Operator {
	case "!", "not":
		b := asBool(x)
		return boolValue(func(c *evalCtx) bool { return !b(c) }), nil
	case "+":
		return x, nil
	case "-":
		a := boxed(x)
		return anyValue(func(c *evalCtx) any { return runtime.Negate(a(c)) }), nil
	}
	return value{}, unsupported("unary %s", n.Operator)
}

func (c *closureCompiler) conditional(n *ast.ConditionalNode) (value, error) {
	cond, err := c.compile(n.Cond)
	if err != nil {
		return value{}, err
	}
	yes, err := c.compile(n.Exp1)
	if err != nil {
		return value{}, err
	}
	no, err := c.compile(n.Exp2)
	if err != nil {
		return value{}, err
	}
	test := asBool(cond)
	if yes.kind == kindBool && no.kind == kindBool {
		y, n := yes.b, no.b
		return boolValue(func(c *evalCtx) bool {
			if test(c) {
				return y(c)
			}
			return n(c)
		}), nil
	}
	if yes.kind == kindString && no.kind == kindString {
		y, n := yes.s, no.s
		return stringValue(func(c *evalCtx) string {
			if test(c) {
				return y(c)
			}
			return n(c)
		}), nil
	}
	y, no2 := boxed(yes), boxed(no)
	return anyValue(func(c *evalCtx) any {
		if test(c) {
			return y(c)
		}
		return no2(c)
	}), nil
}

// let binds a variable in a slot of its kind for the expression after it.
func (c *closureCompiler) let(n *ast.VariableDeclaratorNode) (value, error) {
	init, err := c.compile(n.Value)
	if err != nil {
		return value{}, err
	}
	ref, store := c.slot(init)
	c.scope = append(c.scope, scoped{n.Name, ref})
	body, err := c.compile(n.Expr)
	c.scope = c.scope[:len(c.scope)-1]
	if err != nil {
		return value{}, err
	}
	return then(store, body), nil
}

// slot allocates a variable slot for values like v and returns a value that
// reads it and a closure that evaluates v into it.
func (c *closureCompiler) slot(v value) (value, func(*evalCtx)) {
	switch v.kind {
	case kindBool:
		i, f := c.used.bools, v.b
		c.used.bools++
		return boolValue(func(c *evalCtx) bool { return c.vars.bools[i] }), func(c *evalCtx) { c.vars.bools[i] = f(c) }
	case kindInt:
		i, f := c.used.ints, v.i
		c.used.ints++
		return value{kind: kindInt, i: func(c *evalCtx) int { return c.vars.ints[i] }}, func(c *evalCtx) { c.vars.ints[i] = f(c) }
	case kindFloat:
		i, f := c.used.floats, v.f
		c.used.floats++
		return value{kind: kindFloat, f: func(c *evalCtx) float64 { return c.vars.floats[i] }}, func(c *evalCtx) { c.vars.floats[i] = f(c) }
	case kindString:
		i, f := c.used.strs, v.s
		c.used.strs++
		return stringValue(func(c *evalCtx) string { return c.vars.strs[i] }), func(c *evalCtx) { c.vars.strs[i] = f(c) }
	case kindStrings:
		i, f := c.used.lists, v.ss
		c.used.lists++
		return value{kind: kindStrings, ss: func(c *evalCtx) []string { return c.vars.lists[i] }}, func(c *evalCtx) { c.vars.lists[i] = f(c) }
	case kindCase:
		i, f := c.used.cases, v.cc
		c.used.cases++
		return value{kind: kindCase, cc: func(c *evalCtx) ClosedCase { return c.vars.cases[i] }}, func(c *evalCtx) { c.vars.cases[i] = f(c) }
	}
	i, f := c.used.anys, boxed(v)
	c.used.anys++
	ref := anyValue(func(c *evalCtx) any { return c.vars.anys[i] })
	ref.strs = v.strs
	return ref, func(c *evalCtx) { c.vars.anys[i] = f(c) }
}

// then returns a value that runs first and then yields v.
func then(first func(*evalCtx), v value) value {
	switch v.kind {
	case kindBool:
		f := v.b
		return boolValue(func(c *evalCtx) bool { first(c); return f(c) })
	case kindString:
		f := v.s
		return stringValue(func(c *evalCtx) string { first(c); return f(c) })
	}
	f := boxed(v)
	return anyValue(func(c *evalCtx) any { first(c); return f(c) })
}

func (c *closureCompiler) sequence(n *ast.SequenceNode) (value, error) {
	if len(n.Nodes) == 0 {
		return value{}, unsupported("empty sequence")
	}
	var firsts []func(*evalCtx)
	for _, node := range n.Nodes[:len(n.Nodes)-1] {
		v, err := c.compile(node)
		if err != nil {
			return value{}, err
		}
		a := boxed(v)
		firsts = append(firsts, func(c *evalCtx) { a(c) })
	}
	last, err := c.compile(n.Nodes[len(n.Nodes)-1])
	if err != nil {
		return value{}, err
	}
	return then(func(c *evalCtx) {
		for _, f := range firsts {
			f(c)
		}
	}, last), nil
}

// array builds a list at run time, as the VM does for a list literal that
// is not constant, and charges its length to the memory budget.
func (c *closureCompiler) array(n *ast.ArrayNode) (value, error) {
	elems := make([]func(*evalCtx) any, len(n.Nodes))
	for i, node := range n.Nodes {
		v, err := c.compile(node)
		if err != nil {
			return value{}, err
		}
		elems[i] = boxed(v)
	}
	size := uint(len(elems))
	return anyValue(func(c *evalCtx) any {
		out := make([]any, len(elems))
		for i, e := range elems {
			out[i] = e(c)
		}
		c.grow(size)
		return out
	}), nil
}
