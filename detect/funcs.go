package detect

import (
	"time"
)

// evalCtx binds the context functions to a World and to the instant of the
// event being judged. Each engine has its own, so one RuleSet can serve
// several engines.
type evalCtx struct {
	w *World
	t time.Time

	// One-entry memos of the questions most rules ask, valid for the event
	// numbered gen: several rules ask them about the same event.
	gen                    uint64
	vuln, linked, opencase memo

	// What compiled closures read: the event, the context functions bound
	// to this ctx in funcTable order, let and predicate variables, and the
	// memory the current evaluation has used.
	ev   *Event
	fns  []any
	vars slots
	memo []memoEntry
	mem  uint
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

// newEnv returns an expression environment: the context functions bound to
// ctx, and the event's fields under "event.<name>" (see eventVars).
func newEnv(ctx *evalCtx, ev *Event, keys []string) map[string]any {
	m := envFunctions(ctx)
	ev.bind(m, keys)
	return m
}

// envFunctions returns the context functions every rule may call, bound to
// c: each answers as of c's instant. docs/rules.md lists them. They are
// variables of the environment rather than expr.Function options so that
// compiled rules hold no engine, and so that expr calls them directly (its
// typed-call path for these signatures) without boxing their arguments.
func envFunctions(c *evalCtx) map[string]any {
	staffFact := func(get func(StaffFacts) string) func(string) string {
		return func(id string) string {
			f, _ := c.w.Staff(id, c.t)
			return get(f)
		}
	}
	m := map[string]any{
		"vulnerable":      func(p string) bool { return c.remember(askVulnerable, p, "") },
		"flags":           func(p string) []string { return c.w.Flags(p, c.t) },
		"has_flag":        func(p, f string) bool { return c.w.HasFlag(p, f, c.t) },
		"gender":          func(p string) string { return c.w.Gender(p, c.t) },
		"age":             func(p string) int { return c.w.Age(p, c.t) },
		"person_area":     func(p string) string { return c.w.PersonArea(p, c.t) },
		"linked":          func(s, p string) bool { return c.remember(askLinked, s, p) },
		"attended":        func(s, p string) bool { return c.w.Attended(s, p, c.t) },
		"open_case_with":  func(s, p string) bool { return c.remember(askOpenCase, s, p) },
		"linked_incident": func(s, i string) bool { return c.w.LinkedIncident(s, i, c.t) },
		"closed_case": func(s, p string) ClosedCase {
			cc, _ := c.w.ClosedCaseWith(s, p, c.t)
			return cc
		},
		"case_open":     func(i string) bool { return c.w.CaseOpen(i, c.t) },
		"incident_type": func(i string) string { return c.w.IncidentType(i) },
		"incident_area": func(i string) string { return c.w.IncidentArea(i) },
		"on_duty":       func(s string) bool { return c.w.OnDuty(s, c.t) },
		"rostered":      func(s string) bool { return c.w.Rostered(s) },
		"role":          staffFact(func(f StaffFacts) string { return f.Role }),
		"team":          staffFact(func(f StaffFacts) string { return f.Team }),
		"station":       staffFact(func(f StaffFacts) string { return f.Station }),
		"staff_area":    staffFact(func(f StaffFacts) string { return f.Area }),
	}
	addContextFunctions(c, m)
	return m
}
