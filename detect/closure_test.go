package detect

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"pgregory.net/rapid"
)

// The closure compiler must give exactly expr's VM result — true, false or
// a run-time failure — for every expression and event. These tests compare
// the two on the built-in library's expressions over a synthetic stream of
// events, and on generated expressions over generated events.

// diffWorld is a small World with something of everything the context
// functions read: flags, genders, ages, areas, phones, open, closed and
// reopened incidents, attended and assigned links (one ended), and rosters
// with duty and sickness.
const diffWorld = `
staff {"id":"S1","category":"officer","role":"response","team":"A","station":"N1","area":"north","gender":"male","start_date":"2015-01-01"}
staff {"id":"S2","category":"officer","role":"safeguarding","team":"B","station":"S1","area":"south","gender":"female","start_date":"2015-01-01"}
staff {"id":"S3","category":"staff","role":"control_room","team":"C","station":"N1","area":"north","gender":"male","start_date":"2015-01-01"}
staff {"id":"S3","category":"staff","role":"analyst","team":"C","station":"N1","area":"","gender":"male","start_date":"2015-01-01","time":"2024-03-01T00:00:00Z"}
person {"id":"P1","gender":"female","birth_year":2000,"area":"north","flags":["domestic_abuse_victim"],"phones":["07700 900001"],"time":"2023-01-01T00:00:00Z"}
person {"id":"P2","gender":"female","birth_year":1970,"area":"south","flags":["mental_health","domestic_abuse_victim"],"phones":["07700 900002"],"time":"2023-01-01T00:00:00Z"}
person {"id":"P3","gender":"male","birth_year":1990,"area":"east","time":"2023-01-01T00:00:00Z"}
person {"id":"P4","gender":"female","birth_year":2006,"area":"","phones":["07700 900004"],"time":"2023-01-01T00:00:00Z"}
person {"id":"P4","gender":"female","birth_year":2006,"area":"west","flags":["child"],"phones":["07700 900004"],"time":"2024-02-15T00:00:00Z"}
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-01-10T10:00:00Z","area":"north"}
incident {"id":"I1","type":"domestic_abuse","status":"closed","opened_at":"2024-01-10T10:00:00Z","closed_at":"2024-01-12T10:00:00Z","area":"north"}
incident {"id":"I2","type":"theft","status":"open","opened_at":"2024-01-20T10:00:00Z","area":"south"}
incident {"id":"I3","type":"concern_for_welfare","status":"open","opened_at":"2024-01-05T10:00:00Z","area":"west"}
incident {"id":"I3","type":"concern_for_welfare","status":"closed","opened_at":"2024-01-05T10:00:00Z","closed_at":"2024-02-01T10:00:00Z","area":"west"}
incident {"id":"I3","type":"concern_for_welfare","status":"open","opened_at":"2024-01-05T10:00:00Z","time":"2024-03-01T10:00:00Z","area":"west"}
involvement {"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-01-10T10:05:00Z"}
involvement {"incident_id":"I2","person_id":"P2","part":"victim","at":"2024-01-20T10:05:00Z"}
involvement {"incident_id":"I3","person_id":"P4","part":"suspect","at":"2024-01-05T10:05:00Z"}
involvement {"incident_id":"I2","person_id":"P3","part":"witness","at":"2024-01-20T10:05:00Z"}
assignment {"incident_id":"I1","staff_id":"S1","kind":"attended","at":"2024-01-10T11:00:00Z"}
assignment {"incident_id":"I2","staff_id":"S1","kind":"assigned","at":"2024-01-21T11:00:00Z","until":"2024-02-10T00:00:00Z"}
assignment {"incident_id":"I3","staff_id":"S2","kind":"attended","at":"2024-01-05T11:00:00Z"}
assignment {"incident_id":"I2","staff_id":"S3","kind":"assigned","at":"2024-01-22T11:00:00Z"}
shift {"staff_id":"S1","kind":"sick","start":"2024-02-10T00:00:00Z","end":"2024-02-14T00:00:00Z"}
shift {"staff_id":"S2","kind":"duty","start":"2024-02-01T07:00:00Z","end":"2024-02-01T17:00:00Z"}
`

// diffEngine returns an engine over diffWorld with no rules, for judging
// single expressions.
func diffEngine(t testing.TB) *Engine {
	var b strings.Builder
	b.WriteString(diffWorld)
	day := time.Date(2024, 1, 1, 7, 0, 0, 0, time.UTC)
	for d := range 120 {
		if d%7 < 5 {
			s := day.AddDate(0, 0, d)
			fmt.Fprintf(&b, "shift {\"staff_id\":\"S1\",\"kind\":\"duty\",\"start\":%q,\"end\":%q}\n",
				s.Format(time.RFC3339), s.Add(10*time.Hour).Format(time.RFC3339))
		}
	}
	return NewEngine(world(t, b.String()), nil)
}

// outcome is what one evaluation gave.
type outcome struct {
	v, failed bool
}

// setEvent makes ev the engine's current event, with room for memos slots.
func setEvent(e *Engine, ev Event, memos int) {
	e.ev = ev
	e.ctx.setEvent(ev.Time)
	grow(&e.ctx.memo, memos)
	e.ev.bind(e.env, e.keys)
	e.envGen = e.ctx.gen
}

// evalBoth evaluates c on the current event with the closures and with the
// VM.
func evalBoth(e *Engine, c *cond) (closures, machine outcome) {
	e.ctx.vars.ensure(c.slots)
	run := func(vmOnly bool) outcome {
		e.vmOnly = vmOnly
		before := e.stats.Errors
		v := e.eval(c)
		return outcome{v, e.stats.Errors > before}
	}
	return run(false), run(true)
}

// testMemo is the memo plan of every expression the tests compile.
var testMemo = newMemoPlan()

// compileExpr compiles one condition as a rule's when is compiled.
func compileExpr(src string) (*cond, error) {
	prog, err := expr.Compile(src, append(exprOptions(), expr.AsBool())...)
	if err != nil {
		return nil, err
	}
	return newCond(prog, testMemo), nil
}

var (
	diffIDs     = []string{"S1", "S2", "S3", "S9", "P1", "P2", "P3", "P4", "P9", "I1", "I2", "I3", "", "e1"}
	diffStaff   = []string{"S1", "S1", "S2", "S3", "S9", ""}
	diffPersons = []string{"P1", "P1", "P2", "P3", "P4", "P9", ""}
	diffActions = []string{"view", "print", "export", "search", "update", ""}
	diffFields  = [][]string{nil, {}, {"phone"}, {"name", "address"}, {"warning_markers", "email", "mobile"}}
	diffQueries = []string{"", "SMITH JOHN", "blonde female", "Young Woman", "AB12 CDE", "ÉCOLE"}
)

// drawEvent draws an event from small pools, so that expressions meet the
// World's people, staff and incidents.
func drawEvent(t *rapid.T) Event {
	pick := func(name string, from []string) string { return rapid.SampledFrom(from).Draw(t, name) }
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := start.Add(time.Duration(rapid.Int64Range(0, int64(120*24*time.Hour)).Draw(t, "at")))
	ev := Event{ID: pick("id", diffIDs), Kind: pick("kind", []string{"access", "comms"}), Time: at, Hour: at.Hour(),
		StaffID: pick("staff", diffStaff), PersonID: pick("person", diffPersons), IncidentID: pick("incident", diffIDs),
		System: pick("system", []string{"rms", "pnc", ""}), Action: pick("action", diffActions),
		Fields: rapid.SampledFrom(diffFields).Draw(t, "fields"), Query: pick("query", diffQueries),
		Direction: pick("direction", []string{"inbound", "outbound", ""}), Channel: pick("channel", []string{"sms", "call", ""}),
		DurationS: float64(rapid.IntRange(0, 3600).Draw(t, "duration"))}
	return ev
}

// TestLibraryCompilesToClosures checks that the closure compiler handles
// every expression of the built-in library, so that none falls back to the
// VM.
func TestLibraryCompilesToClosures(t *testing.T) {
	set, err := Load(os.DirFS("../rules"), ".")
	if err != nil {
		t.Fatal(err)
	}
	if set.needsVM {
		for _, c := range set.conds() {
			if c != nil && c.fn == nil {
				_, _, err := compileClosure(c.prog.Node(), nil)
				t.Errorf("%s: %v", c.prog.Source().String(), err)
			}
		}
	}
}

// TestClosuresMatchVMOnLibrary evaluates every expression of the built-in
// library, guards and rests included, with both evaluators on generated
// events.
func TestClosuresMatchVMOnLibrary(t *testing.T) {
	set, err := Load(os.DirFS("../rules"), ".")
	if err != nil {
		t.Fatal(err)
	}
	e := diffEngine(t)
	var conds []*cond
	for _, c := range set.conds() {
		if c != nil {
			conds = append(conds, c)
		}
	}
	trues := make([]int, len(conds))
	rapid.Check(t, func(t *rapid.T) {
		ev := drawEvent(t)
		// One event for every expression, as the engine judges it: the
		// memos are shared.
		setEvent(e, ev, set.memos)
		for i, c := range conds {
			cl, vm := evalBoth(e, c)
			if cl != vm {
				t.Fatalf("%s on %+v: closures %+v, VM %+v", c.prog.Source().String(), ev, cl, vm)
			}
			if cl.v {
				trues[i]++
			}
		}
	})
	for i, n := range trues {
		if n == 0 {
			t.Logf("never true: %s", conds[i].prog.Source().String())
		}
	}
}

// exprGen draws random expressions over the event, the context functions,
// literals, lists, let, predicates and the operators, mostly well typed but
// with values of unknown type (mixed lists, ternaries) that can fail at run
// time.
type exprGen struct {
	t     *rapid.T
	vars  []string // let variables in scope holding strings
	inStr bool     // inside a predicate over strings: # is a string
	inAny bool     // inside a predicate over a mixed list: # is anything
}

func (g *exprGen) pick(name string, choices ...string) string {
	return rapid.SampledFrom(choices).Draw(g.t, name)
}

func (g *exprGen) str(d int) string {
	if d <= 0 {
		return g.strLeaf()
	}
	switch rapid.IntRange(0, 9).Draw(g.t, "str") {
	case 0:
		return "lower(" + g.str(d-1) + ")"
	case 1:
		return "upper(" + g.str(d-1) + ")"
	case 2:
		return g.pick("sfn", "role", "team", "station", "staff_area") + "(" + g.str(d-1) + ")"
	case 3:
		return g.pick("pfn", "gender", "person_area", "incident_type", "incident_area") + "(" + g.str(d-1) + ")"
	case 4:
		return "(" + g.boolean(d-1) + " ? " + g.str(d-1) + " : " + g.str(d-1) + ")"
	case 5:
		return "closed_case(" + g.str(d-1) + ", " + g.str(d-1) + ")." + g.pick("cf", "type", "incident")
	case 6:
		return "trim(" + g.str(d-1) + ")"
	case 7:
		return g.str(d-1) + " + " + g.str(d-1)
	}
	return g.strLeaf()
}

func (g *exprGen) strLeaf() string {
	choices := []string{"event.staff_id", "event.person_id", "event.incident_id", "event.action", "event.query",
		"event.kind", "event.system", "event.direction", "event.channel", "event.id",
		`"S1"`, `"P1"`, `"P4"`, `"I3"`, `"view"`, `"female"`, `"north"`, `""`, `"domestic_abuse"`, `"female"`}
	choices = append(choices, g.vars...)
	if g.inStr {
		choices = append(choices, "#", "#", "#")
	}
	return g.pick("strleaf", choices...)
}

func (g *exprGen) num(d int) string {
	if d <= 0 {
		return g.pick("numleaf", "event.hour", "event.duration_s", "1", "16", "30", "2.5", "-3", "0")
	}
	switch rapid.IntRange(0, 6).Draw(g.t, "num") {
	case 0:
		return "age(" + g.str(d-1) + ")"
	case 1:
		return "len(" + g.pick("lenarg", g.str(d-1), "event.fields", "flags("+g.str(d-1)+")") + ")"
	case 2:
		return "closed_case(" + g.str(d-1) + ", " + g.str(d-1) + ")." + g.pick("nf", "days_open", "days_since_closed")
	case 3:
		return "(" + g.num(d-1) + " " + g.pick("arith", "+", "-", "*", "/", "%") + " " + g.num(d-1) + ")"
	case 4:
		return "(" + g.boolean(d-1) + " ? " + g.num(d-1) + " : " + g.num(d-1) + ")"
	}
	return g.num(0)
}

func (g *exprGen) list(d int) string {
	switch rapid.IntRange(0, 5).Draw(g.t, "list") {
	case 0:
		return "event.fields"
	case 1:
		return "flags(" + g.str(d-1) + ")"
	case 2:
		return `["phone", "address", "view", "P1", "female"]`
	case 3:
		return "[" + g.str(d-1) + ", " + g.str(d-1) + "]"
	}
	return `["blonde", "female", "young", "smith"]`
}

func (g *exprGen) boolean(d int) string {
	if d <= 0 {
		return g.boolLeaf()
	}
	switch rapid.IntRange(0, 20).Draw(g.t, "bool") {
	case 0, 1:
		return "(" + g.boolean(d-1) + " " + g.pick("andor", "&&", "||", "and", "or") + " " + g.boolean(d-1) + ")"
	case 2:
		return g.pick("not", "!", "not ") + "(" + g.boolean(d-1) + ")"
	case 3:
		return g.str(d-1) + " " + g.pick("eq", "==", "!=") + " " + g.str(d-1)
	case 4:
		return g.num(d-1) + " " + g.pick("cmp", "<", ">", "<=", ">=", "==", "!=") + " " + g.num(d-1)
	case 5:
		return g.str(d-1) + " in " + g.list(d-1)
	case 6:
		return g.str(d-1) + " " + g.pick("strop", "contains", "startsWith", "endsWith") + " " + g.str(d-1)
	case 7:
		return g.str(d-1) + ` matches "^[A-Z][0-9]$"`
	case 8:
		return g.pick("bfn1", "vulnerable", "case_open", "on_duty", "rostered") + "(" + g.str(d-1) + ")"
	case 9:
		return g.pick("bfn2", "linked", "attended", "open_case_with", "linked_incident", "has_flag") + "(" + g.str(d-1) + ", " + g.str(d-1) + ")"
	case 10:
		return g.predicate(d)
	case 11:
		name := fmt.Sprintf("v%d", len(g.vars))
		val := g.str(d - 1)
		g.vars = append(g.vars, name)
		body := g.boolean(d - 1)
		g.vars = g.vars[:len(g.vars)-1]
		return "(let " + name + " = " + val + "; " + body + ")"
	case 12:
		return "(let c = closed_case(" + g.str(d-1) + ", " + g.str(d-1) + "); c.closed && c.days_since_closed <= " + g.num(0) + " || c.attended)"
	case 13:
		return "(" + g.boolean(d-1) + " ? " + g.boolean(d-1) + " : " + g.boolean(d-1) + ")"
	case 14:
		return g.mixed(d-1) + " " + g.pick("meq", "==", "!=") + " " + g.mixed(d-1)
	case 15:
		return "(" + g.mixed(d-1) + " " + g.pick("mcmp", "<", ">=") + " " + g.mixed(d-1) + ")"
	case 16:
		return "(" + g.boolean(d-1) + " && " + g.mixed(d-1) + ")"
	case 17:
		// The same call, of a value that may not be a string, twice: the
		// second use must fail again if the first did.
		call := g.pick("mfn", "vulnerable", "rostered") + "(" + g.mixed(d-1) + ")"
		return "(" + call + " || " + g.boolean(d-1) + " || " + call + ")"
	}
	return g.boolLeaf()
}

func (g *exprGen) boolLeaf() string {
	choices := []string{"true", "false", `event.person_id != ""`, `event.action == "view"`, `vulnerable(event.person_id)`,
		`"phone" in event.fields`}
	if g.inStr {
		choices = append(choices, `# == "female"`, `lower(event.query) contains #`, `# in event.fields`)
	}
	if g.inAny {
		choices = append(choices, `# == 1`, `# == "P1"`, `lower(#) == "p1"`, `# > 0`, `#`)
	}
	return g.pick("boolleaf", choices...)
}

// mixed is a value of no static type: it may be a string, a number, a bool,
// a list or nil.
func (g *exprGen) mixed(d int) string {
	switch rapid.IntRange(0, 5).Draw(g.t, "mixed") {
	case 0:
		return "(" + g.boolean(d-1) + " ? " + g.str(d-1) + " : " + g.num(d-1) + ")"
	case 1:
		return "(" + g.boolean(d-1) + " ? " + g.boolean(d-1) + " : nil)"
	case 2:
		return "(" + g.boolean(d-1) + " ? " + g.list(d-1) + " : " + g.str(d-1) + ")"
	case 3:
		if g.inAny {
			return "#"
		}
	}
	return g.num(d - 1)
}

func (g *exprGen) predicate(d int) string {
	name := g.pick("pred", "any", "all", "none", "one")
	if rapid.Bool().Draw(g.t, "mixedlist") {
		list := g.pick("mlist", `[1, "P1", true, 2.5, nil]`, `[event.person_id, 1, event.hour]`, `[]`, `["P1", "p1"]`)
		save := g.inAny
		g.inAny = true
		body := g.boolean(d - 1)
		g.inAny = save
		return name + "(" + list + ", " + body + ")"
	}
	list := g.list(d - 1)
	save := g.inStr
	g.inStr = true
	body := g.boolean(d - 1)
	g.inStr = save
	return name + "(" + list + ", " + body + ")"
}

// TestClosuresMatchVMOnGenerated compares the two evaluators on generated
// expressions and events.
func TestClosuresMatchVMOnGenerated(t *testing.T) {
	e := diffEngine(t)
	compiled, closures := 0, 0
	seen := map[outcome]int{}
	rapid.Check(t, func(t *rapid.T) {
		g := &exprGen{t: t}
		src := g.boolean(rapid.IntRange(1, 5).Draw(t, "depth"))
		c, err := compileExpr(src)
		if err != nil {
			return // not well typed: expr rejects it at load
		}
		compiled++
		if c.fn == nil {
			return
		}
		closures++
		for range 4 {
			ev := drawEvent(t)
			setEvent(e, ev, testMemo.size())
			cl, vm := evalBoth(e, c)
			if cl != vm {
				t.Fatalf("%s on %+v: closures %+v, VM %+v", src, ev, cl, vm)
			}
			seen[cl]++
		}
	})
	t.Logf("%d expressions compiled, %d to closures; outcomes %v", compiled, closures, seen)
	if closures < compiled/2 {
		t.Errorf("only %d of %d generated expressions compiled to closures", closures, compiled)
	}
}

// FuzzClosuresMatchVM compares the two evaluators on any expression that
// compiles, over a fixed set of events.
func FuzzClosuresMatchVM(f *testing.F) {
	for _, s := range []string{
		`event.action in ["view", "print"] && vulnerable(event.person_id) && !linked(event.staff_id, event.person_id)`,
		`any(event.fields, # in ["phone", "address"])`,
		`event.action == "search" && event.query != "" && any(["blonde", "female"], lower(event.query) contains #)`,
		`let c = closed_case(event.staff_id, event.person_id); c.closed && c.days_since_closed <= 90`,
		`gender(event.person_id) == "female" && age(event.person_id) >= 16 && age(event.person_id) <= 30`,
		`role(event.staff_id) in ["control_room", "analyst"] || rostered(event.staff_id) && !on_duty(event.staff_id)`,
		`one([1, "P1", nil], # == event.person_id) ? event.hour > 12 : len(event.fields) == 2`,
		`all(flags(event.person_id), # startsWith "d") && none([event.action], # matches "^p")`,
	} {
		f.Add(s)
	}
	e := diffEngine(f)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var events []Event
	for i, p := range []string{"P1", "P2", "P3", "P4", ""} {
		for j, s := range []string{"S1", "S2", "S3"} {
			at := start.Add(time.Duration(i*17+j*31) * 24 * time.Hour).Add(time.Duration(i*5+j) * time.Hour)
			events = append(events, Event{ID: fmt.Sprint("e", i, j), Kind: "access", Time: at, Hour: at.Hour(), StaffID: s,
				PersonID: p, IncidentID: []string{"I1", "I2", "I3", "", "I9"}[i], Action: diffActions[(i+j)%len(diffActions)],
				Fields: diffFields[(i+j)%len(diffFields)], Query: diffQueries[(i*j)%len(diffQueries)], DurationS: float64(i * j)})
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2000 || strings.Count(src, "(") > 200 {
			return
		}
		c, err := compileExpr(src)
		if err != nil || c.fn == nil {
			return
		}
		for _, ev := range events {
			setEvent(e, ev, testMemo.size())
			cl, vm := evalBoth(e, c)
			if cl != vm {
				t.Fatalf("%s on %+v: closures %+v, VM %+v", src, ev, cl, vm)
			}
		}
	})
}

// TestReflectCall checks the path by which compiled closures call a context
// function of a signature they do not call directly, as functions added to
// the table later may have.
func TestReflectCall(t *testing.T) {
	c := &evalCtx{fns: []any{
		func(s string, n int) bool { return len(s) == n },
		func(s string, f float64, b bool) string { return fmt.Sprint(s, f, b) },
		func(a, b, c string) []string { return []string{a, b, c} },
		func(n int) float64 { return float64(n) / 2 },
	}}
	if !reflectCall(0, kindBool, []value{constant("abc"), constant(3)}).b(c) {
		t.Error("bool result")
	}
	if got := reflectCall(1, kindString, []value{constant("x"), constant(1.5), constant(true)}).s(c); got != "x1.5 true" {
		t.Errorf("string result %q", got)
	}
	if got := reflectCall(2, kindStrings, []value{constant("a"), constant("b"), constant("c")}).ss(c); len(got) != 3 || got[2] != "c" {
		t.Errorf("list result %v", got)
	}
	if got := reflectCall(3, kindFloat, []value{constant(3)}).f(c); got != 1.5 {
		t.Errorf("float result %v", got)
	}
}
