package detect

import (
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/checker"
)

// Context functions are called through one table: every function
// envFunctions registers, in name order. A compiled rule set is shared by
// engines, so closures call the bound copy of their own engine's evalCtx by
// index. Common signatures are called directly; any other made of strings,
// numbers, bools and lists is called through reflection, as the VM would.
var funcTable = newFuncTable()

type contextFuncs struct {
	names []string
	index map[string]int
	types []reflect.Type
}

func newFuncTable() contextFuncs {
	m := envFunctions(&evalCtx{})
	t := contextFuncs{index: map[string]int{}}
	for name := range m {
		t.names = append(t.names, name)
	}
	slices.Sort(t.names)
	for i, name := range t.names {
		t.index[name] = i
		t.types = append(t.types, reflect.TypeOf(m[name]))
	}
	return t
}

// bind returns the functions of env (an engine's expression environment) in
// table order.
func (t contextFuncs) bind(env map[string]any) []any {
	out := make([]any, len(t.names))
	for i, name := range t.names {
		out[i] = env[name]
	}
	return out
}

var (
	typeString  = reflect.TypeOf("")
	typeStrings = reflect.TypeOf([]string(nil))
	typeBool    = reflect.TypeOf(false)
	typeInt     = reflect.TypeOf(0)
	typeFloat   = reflect.TypeOf(0.0)
	typeCase    = reflect.TypeOf(ClosedCase{})
)

// kindOf returns the kind holding values of type t, and false for a type the
// compiler does not carry.
func kindOf(t reflect.Type) (kind, bool) {
	switch t {
	case typeString:
		return kindString, true
	case typeStrings:
		return kindStrings, true
	case typeBool:
		return kindBool, true
	case typeInt:
		return kindInt, true
	case typeFloat:
		return kindFloat, true
	case typeCase:
		return kindCase, true
	}
	return kindAny, false
}

func (c *closureCompiler) call(n *ast.CallNode) (value, error) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		return value{}, unsupported("call of %T", n.Callee)
	}
	for _, s := range c.scope {
		if s.name == id.Value {
			return value{}, unsupported("call of variable %s", id.Value)
		}
	}
	fi, ok := funcTable.index[id.Value]
	if !ok {
		return value{}, unsupported("call of %s", id.Value)
	}
	t := funcTable.types[fi]
	if t.IsVariadic() || t.NumIn() != len(n.Arguments) || t.NumOut() != 1 {
		return value{}, unsupported("call of %s with its signature", id.Value)
	}
	out, ok := kindOf(t.Out(0))
	if !ok {
		return value{}, unsupported("%s returns %v", id.Value, t.Out(0))
	}
	_, typed := checker.TypedFuncIndex(t, false)
	args := make([]value, len(n.Arguments))
	for i, node := range n.Arguments {
		v, err := c.compile(node)
		if err != nil {
			return value{}, err
		}
		want, ok := kindOf(t.In(i))
		if !ok || want == kindCase {
			return value{}, unsupported("%s takes %v", id.Value, t.In(i))
		}
		switch {
		case v.kind == want:
		case v.kind == kindAny:
			v = unboxed(v, want, t.In(i), typed)
		default:
			return value{}, unsupported("%s given kind %d for %v", id.Value, v.kind, t.In(i))
		}
		args[i] = v
	}
	if v, ok := directCall(fi, t, args); ok {
		return v, nil
	}
	return reflectCall(fi, out, args), nil
}

// unboxed converts a boxed argument to the parameter's kind as the VM would:
// a type assertion for a function it calls directly, reflection (where nil
// is the zero value) for one it calls through reflect.
func unboxed(v value, want kind, t reflect.Type, typed bool) value {
	a := v.a
	zero := reflect.Zero(t).Interface()
	get := func(c *evalCtx) any {
		x := a(c)
		if x == nil && !typed {
			return zero
		}
		return x
	}
	switch want {
	case kindString:
		return stringValue(func(c *evalCtx) string { return get(c).(string) })
	case kindStrings:
		return value{kind: kindStrings, ss: func(c *evalCtx) []string { return get(c).([]string) }}
	case kindBool:
		return boolValue(func(c *evalCtx) bool { return get(c).(bool) })
	case kindInt:
		return value{kind: kindInt, i: func(c *evalCtx) int { return get(c).(int) }}
	}
	return value{kind: kindFloat, f: func(c *evalCtx) float64 { return get(c).(float64) }}
}

// directCall calls the context functions of the common signatures without
// reflection.
func directCall(fi int, t reflect.Type, args []value) (value, bool) {
	switch len(args) {
	case 1:
		if args[0].kind != kindString {
			return value{}, false
		}
		a := args[0].s
		switch t.Out(0) {
		case typeBool:
			return boolValue(func(c *evalCtx) bool { return c.fns[fi].(func(string) bool)(a(c)) }), true
		case typeString:
			return stringValue(func(c *evalCtx) string { return c.fns[fi].(func(string) string)(a(c)) }), true
		case typeInt:
			return value{kind: kindInt, i: func(c *evalCtx) int { return c.fns[fi].(func(string) int)(a(c)) }}, true
		case typeFloat:
			return value{kind: kindFloat, f: func(c *evalCtx) float64 { return c.fns[fi].(func(string) float64)(a(c)) }}, true
		case typeStrings:
			return value{kind: kindStrings, ss: func(c *evalCtx) []string { return c.fns[fi].(func(string) []string)(a(c)) }}, true
		}
	case 2:
		if args[0].kind != kindString || args[1].kind != kindString {
			return value{}, false
		}
		a, b := args[0].s, args[1].s
		switch t.Out(0) {
		case typeBool:
			return boolValue(func(c *evalCtx) bool { return c.fns[fi].(func(string, string) bool)(a(c), b(c)) }), true
		case typeString:
			return stringValue(func(c *evalCtx) string { return c.fns[fi].(func(string, string) string)(a(c), b(c)) }), true
		case typeCase:
			return value{kind: kindCase, cc: func(c *evalCtx) ClosedCase { return c.fns[fi].(func(string, string) ClosedCase)(a(c), b(c)) }}, true
		}
	}
	return value{}, false
}

// reflectCall calls any other context function through reflection.
func reflectCall(fi int, out kind, args []value) value {
	in := make([]func(*evalCtx) any, len(args))
	for i, a := range args {
		in[i] = boxed(a)
	}
	call := func(c *evalCtx) reflect.Value {
		vs := make([]reflect.Value, len(in))
		for i, a := range in {
			vs[i] = reflect.ValueOf(a(c))
		}
		return reflect.ValueOf(c.fns[fi]).Call(vs)[0]
	}
	switch out {
	case kindBool:
		return boolValue(func(c *evalCtx) bool { return call(c).Bool() })
	case kindString:
		return stringValue(func(c *evalCtx) string { return call(c).String() })
	case kindInt:
		return value{kind: kindInt, i: func(c *evalCtx) int { return int(call(c).Int()) }}
	case kindFloat:
		return value{kind: kindFloat, f: func(c *evalCtx) float64 { return call(c).Float() }}
	case kindStrings:
		return value{kind: kindStrings, ss: func(c *evalCtx) []string { return call(c).Interface().([]string) }}
	}
	return value{kind: kindCase, cc: func(c *evalCtx) ClosedCase { return call(c).Interface().(ClosedCase) }}
}

// closedCaseFields reads ClosedCase's fields by their expr names.
var closedCaseFields = map[string]func(func(*evalCtx) ClosedCase) value{
	"closed": func(f func(*evalCtx) ClosedCase) value {
		return boolValue(func(c *evalCtx) bool { return f(c).Closed })
	},
	"attended": func(f func(*evalCtx) ClosedCase) value {
		return boolValue(func(c *evalCtx) bool { return f(c).Attended })
	},
	"incident": func(f func(*evalCtx) ClosedCase) value {
		return stringValue(func(c *evalCtx) string { return f(c).Incident })
	},
	"type": func(f func(*evalCtx) ClosedCase) value {
		return stringValue(func(c *evalCtx) string { return f(c).Type })
	},
	"days_open": func(f func(*evalCtx) ClosedCase) value {
		return value{kind: kindFloat, f: func(c *evalCtx) float64 { return f(c).DaysOpen }}
	},
	"days_since_closed": func(f func(*evalCtx) ClosedCase) value {
		return value{kind: kindFloat, f: func(c *evalCtx) float64 { return f(c).DaysSinceClosed }}
	},
}

func (c *closureCompiler) member(n *ast.MemberNode) (value, error) {
	if n.Optional || n.Method {
		return value{}, unsupported("optional member or method")
	}
	prop, ok := n.Property.(*ast.StringNode)
	if !ok {
		return value{}, unsupported("computed member")
	}
	base, err := c.compile(n.Node)
	if err != nil {
		return value{}, err
	}
	field, ok := closedCaseFields[prop.Value]
	if base.kind != kindCase || !ok {
		return value{}, unsupported("member %s", prop.Value)
	}
	return field(base.cc), nil
}

// predicates are the builtins the compiler runs over a list with "#".
var predicates = map[string]bool{"any": true, "all": true, "none": true, "one": true}

func (c *closureCompiler) builtin(n *ast.BuiltinNode) (value, error) {
	if predicates[n.Name] {
		return c.predicate(n)
	}
	id, ok := builtin.Index[n.Name]
	if !ok || n.Map != nil || n.Threshold != nil {
		return value{}, unsupported("builtin %s", n.Name)
	}
	f := builtin.Builtins[id]
	if f.Predicate || f.Safe != nil || f.Fast == nil && f.Func == nil {
		return value{}, unsupported("builtin %s", n.Name)
	}
	args := make([]value, len(n.Arguments))
	for i, node := range n.Arguments {
		v, err := c.compile(node)
		if err != nil {
			return value{}, err
		}
		args[i] = v
	}
	if v, ok := typedBuiltin(n.Name, args); ok {
		return v, nil
	}
	boxes := make([]func(*evalCtx) any, len(args))
	for i, a := range args {
		boxes[i] = boxed(a)
	}
	if f.Fast != nil {
		if len(boxes) != 1 {
			return value{}, unsupported("builtin %s with %d arguments", n.Name, len(boxes))
		}
		fast, a := f.Fast, boxes[0]
		return anyValue(func(c *evalCtx) any { return fast(a(c)) }), nil
	}
	fn := f.Func
	return anyValue(func(c *evalCtx) any {
		in := make([]any, len(boxes))
		for i, a := range boxes {
			in[i] = a(c)
		}
		out, err := fn(in...)
		if err != nil {
			panic(err)
		}
		return out
	}), nil
}

// typedBuiltin is lower, upper and len on values whose kinds are known.
func typedBuiltin(name string, args []value) (value, bool) {
	if len(args) != 1 {
		return value{}, false
	}
	a := args[0]
	switch {
	case name == "lower" && a.kind == kindString:
		s := a.s
		return stringValue(func(c *evalCtx) string { return strings.ToLower(s(c)) }), true
	case name == "upper" && a.kind == kindString:
		s := a.s
		return stringValue(func(c *evalCtx) string { return strings.ToUpper(s(c)) }), true
	case name == "len" && a.kind == kindString:
		s := a.s
		// expr counts a string's characters, not its bytes.
		return value{kind: kindInt, i: func(c *evalCtx) int { return utf8.RuneCountInString(s(c)) }}, true
	case name == "len" && a.kind == kindStrings:
		s := a.ss
		return value{kind: kindInt, i: func(c *evalCtx) int { return len(s(c)) }}, true
	}
	return value{}, false
}

// predicate compiles any, all, none and one: the predicate sees each element
// of the list as "#", in a slot of its own, and must yield a bool (the VM's
// jumps assert one). Like the VM, any, all and none stop at the first
// element that decides them; one judges every element.
func (c *closureCompiler) predicate(n *ast.BuiltinNode) (value, error) {
	if len(n.Arguments) != 2 {
		return value{}, unsupported("%s with %d arguments", n.Name, len(n.Arguments))
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return value{}, unsupported("%s without a predicate", n.Name)
	}
	list, err := c.compile(n.Arguments[0])
	if err != nil {
		return value{}, err
	}
	var elem value
	var each func(c *evalCtx, f func(c *evalCtx) bool) bool // calls f per element until it returns false
	if strs := list.strs; list.kind == kindStrings || strs != nil && list.isConst {
		i := c.used.strs
		c.used.strs++
		elem = stringValue(func(c *evalCtx) string { return c.vars.strs[i] })
		get := list.ss
		if get == nil {
			get = func(*evalCtx) []string { return strs }
		}
		each = func(c *evalCtx, f func(*evalCtx) bool) bool {
			for _, s := range get(c) {
				c.vars.strs[i] = s
				if !f(c) {
					return false
				}
			}
			return true
		}
	} else {
		i := c.used.anys
		c.used.anys++
		elem = anyValue(func(c *evalCtx) any { return c.vars.anys[i] })
		get := boxed(list)
		each = func(c *evalCtx, f func(*evalCtx) bool) bool {
			return eachItem(get(c), func(x any) bool {
				c.vars.anys[i] = x
				return f(c)
			})
		}
	}
	c.scope = append(c.scope, scoped{"#", elem})
	body, err := c.compile(pred.Node)
	c.scope = c.scope[:len(c.scope)-1]
	if err != nil {
		return value{}, err
	}
	test := asBool(body)
	untrue := func(c *evalCtx) bool { return !test(c) }
	switch n.Name {
	case "any":
		return boolValue(func(c *evalCtx) bool { return !each(c, untrue) }), nil
	case "all":
		return boolValue(func(c *evalCtx) bool { return each(c, test) }), nil
	case "none":
		return boolValue(func(c *evalCtx) bool { return each(c, untrue) }), nil
	}
	count := c.used.ints
	c.used.ints++
	counted := func(c *evalCtx) bool {
		if test(c) {
			c.vars.ints[count]++
		}
		return true
	}
	return boolValue(func(c *evalCtx) bool {
		c.vars.ints[count] = 0
		each(c, counted)
		return c.vars.ints[count] == 1
	}), nil
}

// eachItem walks a list as the VM's loops do, calling f per element until it
// returns false, and reports whether every call returned true. A value that
// is not a list panics as it does in the VM.
func eachItem(list any, f func(any) bool) bool {
	switch v := list.(type) {
	case []int:
		for _, x := range v {
			if !f(x) {
				return false
			}
		}
	case []float64:
		for _, x := range v {
			if !f(x) {
				return false
			}
		}
	case []string:
		for _, x := range v {
			if !f(x) {
				return false
			}
		}
	case []any:
		for _, x := range v {
			if !f(x) {
				return false
			}
		}
	default:
		r := reflect.ValueOf(list)
		n := r.Len()
		for i := 0; i < n; i++ {
			if !f(r.Index(i).Interface()) {
				return false
			}
		}
	}
	return true
}
