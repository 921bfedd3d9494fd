package detect

import (
	"context"
	"time"

	"github.com/expr-lang/expr"
)

// evalCtx binds the context functions of a rule to a World and to the instant
// of the event being judged. It reaches the functions as their hidden first
// argument (expr's WithContext), so compiled rules hold no World and one
// RuleSet can serve several engines.
type evalCtx struct {
	context.Context // never used; satisfies expr's context parameter
	w               *World
	t               time.Time

	// One-entry memos of the questions most rules ask, valid for the event
	// numbered gen: several rules ask them about the same event.
	gen                    uint64
	vuln, linked, opencase memo
}

type memo struct {
	gen  uint64
	a, b string
	v    bool
}

// Questions a memo can remember.
const (
	askVulnerable = iota
	askLinked
	askOpenCase
)

// remember returns the answer to question ask about (a, b) for this event,
// from the memo when it holds it.
func (c *evalCtx) remember(ask int, a, b string) bool {
	m := &c.vuln
	switch ask {
	case askLinked:
		m = &c.linked
	case askOpenCase:
		m = &c.opencase
	}
	if m.gen == c.gen && m.a == a && m.b == b {
		return m.v
	}
	var v bool
	switch ask {
	case askVulnerable:
		v = c.w.Vulnerable(a, c.t)
	case askLinked:
		v = c.w.Linked(a, b, c.t)
	case askOpenCase:
		v = c.w.OpenCaseWith(a, b, c.t)
	}
	*m = memo{c.gen, a, b, v}
	return v
}

// setEvent points the context at a new event's instant, forgetting memos.
func (c *evalCtx) setEvent(t time.Time) {
	c.t = t
	c.gen++
}

// newEnv returns an expression environment: the binding context under "ctx"
// and the event's fields under "event.<name>" (see eventVars).
func newEnv(ctx *evalCtx, ev *Event, keys []string) map[string]any {
	m := make(map[string]any, len(keys)+1)
	m["ctx"] = ctx
	ev.bind(m, keys)
	return m
}

// The signatures of the context functions, for expr's type checker.
type (
	fnPerson     func(context.Context, string) bool
	fnPersonStr  func(context.Context, string) string
	fnPersonInt  func(context.Context, string) int
	fnPersonList func(context.Context, string) []string
	fnTwo        func(context.Context, string, string) bool
	fnClosed     func(context.Context, string, string) ClosedCase
	fnIncident   func(context.Context, string) string
)

func ctxOf(p []any) *evalCtx { return p[0].(*evalCtx) }

// functions returns the context functions every rule may call; docs/rules.md
// lists them. Each is judged as of the event's time.
func functions() []expr.Option {
	str := func(p []any, i int) string { return p[i].(string) }
	staffFact := func(get func(StaffFacts) string) func(...any) (any, error) {
		return func(p ...any) (any, error) {
			c := ctxOf(p)
			f, _ := c.w.Staff(str(p, 1), c.t)
			return get(f), nil
		}
	}
	return []expr.Option{
		expr.Function("vulnerable", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.remember(askVulnerable, str(p, 1), ""), nil
		}, new(fnPerson)),
		expr.Function("flags", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.Flags(str(p, 1), c.t), nil
		}, new(fnPersonList)),
		expr.Function("has_flag", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.HasFlag(str(p, 1), str(p, 2), c.t), nil
		}, new(fnTwo)),
		expr.Function("gender", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.Gender(str(p, 1), c.t), nil
		}, new(fnPersonStr)),
		expr.Function("age", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.Age(str(p, 1), c.t), nil
		}, new(fnPersonInt)),
		expr.Function("person_area", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.PersonArea(str(p, 1), c.t), nil
		}, new(fnPersonStr)),
		expr.Function("linked", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.remember(askLinked, str(p, 1), str(p, 2)), nil
		}, new(fnTwo)),
		expr.Function("attended", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.Attended(str(p, 1), str(p, 2), c.t), nil
		}, new(fnTwo)),
		expr.Function("open_case_with", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.remember(askOpenCase, str(p, 1), str(p, 2)), nil
		}, new(fnTwo)),
		expr.Function("linked_incident", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.LinkedIncident(str(p, 1), str(p, 2), c.t), nil
		}, new(fnTwo)),
		expr.Function("closed_case", func(p ...any) (any, error) {
			c := ctxOf(p)
			cc, _ := c.w.ClosedCaseWith(str(p, 1), str(p, 2), c.t)
			return cc, nil
		}, new(fnClosed)),
		expr.Function("case_open", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.CaseOpen(str(p, 1), c.t), nil
		}, new(fnPerson)),
		expr.Function("incident_type", func(p ...any) (any, error) {
			return ctxOf(p).w.IncidentType(str(p, 1)), nil
		}, new(fnIncident)),
		expr.Function("incident_area", func(p ...any) (any, error) {
			return ctxOf(p).w.IncidentArea(str(p, 1)), nil
		}, new(fnIncident)),
		expr.Function("on_duty", func(p ...any) (any, error) {
			c := ctxOf(p)
			return c.w.OnDuty(str(p, 1), c.t), nil
		}, new(fnPerson)),
		expr.Function("rostered", func(p ...any) (any, error) {
			return ctxOf(p).w.Rostered(str(p, 1)), nil
		}, new(fnPerson)),
		expr.Function("role", staffFact(func(f StaffFacts) string { return f.Role }), new(fnPersonStr)),
		expr.Function("team", staffFact(func(f StaffFacts) string { return f.Team }), new(fnPersonStr)),
		expr.Function("station", staffFact(func(f StaffFacts) string { return f.Station }), new(fnPersonStr)),
		expr.Function("staff_area", staffFact(func(f StaffFacts) string { return f.Area }), new(fnPersonStr)),
	}
}
