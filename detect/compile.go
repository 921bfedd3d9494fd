package detect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"go.yaml.in/yaml/v3"
)

// Budgets for rule expressions: the largest expression tree a rule may
// compile to, and the memory one evaluation may use.
const (
	maxExprNodes    = 2000
	maxEvalMemory   = 10_000
	defaultDedupe   = 24 * time.Hour
	defaultPeerStep = 24 * time.Hour
)

// RuleSet is an immutable, compiled set of rules indexed by the kind of event
// each judges. It may be shared by several engines.
type RuleSet struct {
	rules  []*Rule
	byKind map[string][]*Rule
	used   []int   // indexes into eventVars of the fields some expression reads
	guards []*cond // terms several rules begin with; see guard.go

	slots   slotCounts // the variable slots the closures need at most
	memos   int        // the memo slots the closures use
	needsVM bool       // some expression is left to expr's VM
}

// Rules returns the rules in the order they were defined (files in name
// order). The slice must not be modified.
func (s *RuleSet) Rules() []*Rule { return s.rules }

// Rule returns the rule with the given name, or nil.
func (s *RuleSet) Rule(name string) *Rule {
	for _, r := range s.rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// forKind returns the rules that judge events of kind.
func (s *RuleSet) forKind(kind string) []*Rule { return s.byKind[kind] }

// compiler compiles the rules of several files against shared definitions.
type compiler struct {
	defs map[string]string // macro and list names → expression text
	opts []expr.Option
	errs []error
	used map[int]bool // event fields some expression reads

	lastExpanded  string  // the last condition compiled, macros expanded
	corroborating []*Rule // rules of kind signals, checked once all are known
	memo          *memoPlan
}

func compileFiles(files []parsedFile) (*RuleSet, error) {
	c := &compiler{defs: map[string]string{}, used: map[int]bool{}, opts: exprOptions(), memo: newMemoPlan()}
	c.collectDefs(files)
	set := &RuleSet{byKind: map[string][]*Rule{}}
	seen := map[string]*Rule{}
	for _, f := range files {
		for i := range f.f.Rules {
			r := c.rule(f.name, &f.f.Rules[i])
			if r == nil {
				continue
			}
			if prev := seen[r.Name]; prev != nil {
				c.fail(f.name, r.Line, "rule %q is already defined at %s:%d", r.Name, prev.File, prev.Line)
				continue
			}
			seen[r.Name] = r
			r.index = len(set.rules)
			set.rules = append(set.rules, r)
			for _, k := range r.kinds() {
				set.byKind[k] = append(set.byKind[k], r)
			}
		}
	}
	c.checkCorroborations(set)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	for i := range eventVars {
		if c.used[i] {
			set.used = append(set.used, i)
		}
	}
	c.planGuards(set)
	set.prepare()
	set.memos = c.memo.size()
	return set, nil
}

// exprOptions are the options every rule expression compiles with: the
// environment's names and types, event fields flattened, the node budget.
func exprOptions() []expr.Option {
	sample := newEnv(&evalCtx{}, &Event{}, eventKeys())
	return []expr.Option{expr.Env(sample), expr.Patch(flattenEvent{}), expr.MaxNodes(maxExprNodes)}
}

func (c *compiler) fail(file string, line int, format string, args ...any) {
	c.errs = append(c.errs, &LoadError{file, line, fmt.Sprintf(format, args...)})
}

// collectDefs gathers lists and macros from every file; a name defined twice,
// or shadowing a context function, is an error.
func (c *compiler) collectDefs(files []parsedFile) {
	where := map[string]string{}
	reserved := map[string]bool{"event": true}
	for name := range envFunctions(&evalCtx{}) {
		reserved[name] = true
	}
	add := func(file, name string, line int, text string) {
		if !validName(name) || reserved[name] {
			c.fail(file, line, "%q cannot name a list or macro", name)
			return
		}
		if w, ok := where[name]; ok {
			c.fail(file, line, "%q is already defined at %s", name, w)
			return
		}
		where[name] = fmt.Sprintf("%s:%d", file, line)
		c.defs[name] = text
	}
	for _, f := range files {
		for _, name := range sortedKeys(f.f.Lists) {
			n := f.f.Lists[name]
			var items []string
			if err := n.Decode(&items); err != nil || n.Kind != yaml.SequenceNode {
				c.fail(f.name, n.Line, "list %q must be a list of strings", name)
				continue
			}
			add(f.name, name, n.Line, listLiteral(items))
		}
		for _, name := range sortedKeys(f.f.Macros) {
			n := f.f.Macros[name]
			if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
				c.fail(f.name, n.Line, "macro %q must be an expression", name)
				continue
			}
			add(f.name, name, n.Line, n.Value)
		}
	}
}

func validName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentStart(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// condition compiles an optional boolean expression; an empty one is nil.
func (c *compiler) condition(file string, n *yaml.Node, what string) (*cond, string, bool) {
	src := strings.TrimSpace(n.Value)
	if src == "" {
		return nil, "", true
	}
	line := max(n.Line, 1)
	if n.Kind != yaml.ScalarNode {
		c.fail(file, line, "%s must be an expression", what)
		return nil, "", false
	}
	full, err := expand(src, c.defs, 0)
	if err != nil {
		c.fail(file, line, "%s: %v", what, err)
		return nil, "", false
	}
	// Note the event fields the expression may read, so the engine binds
	// only those; a field named in a string literal is bound needlessly.
	for i, v := range eventVars {
		if strings.Contains(full, "event."+v.name) {
			c.used[i] = true
		}
	}
	prog, err := expr.Compile(full, append(c.opts, expr.AsBool())...)
	if err != nil {
		c.fail(file, line, "%s: %s", what, oneLine(err.Error()))
		return nil, "", false
	}
	c.lastExpanded = full
	return newCond(prog, c.memo), src, true
}

// oneLine folds expr's multi-line error (message, source, caret) into one.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func (c *compiler) rule(file string, y *ruleYAML) *Rule {
	line := max(y.Name.Line, 1)
	r := &Rule{Name: y.Name.Value, Description: y.Description, Severity: y.Severity, Weight: y.Weight,
		Kind: y.Kind, Key: y.Key, Signal: y.Signal, File: file, Line: line}
	before := len(c.errs)
	if !validName(r.Name) {
		c.fail(file, line, "rule name %q must be letters, digits and '_', starting with a letter", r.Name)
	}
	if r.Severity == "" {
		r.Severity = "medium"
	}
	w, ok := severityWeights[r.Severity]
	if !ok {
		c.fail(file, line, "rule %s: severity %q is not low, medium, high or critical", r.Name, r.Severity)
	}
	if r.Weight == 0 {
		r.Weight = w
	}
	if r.Weight < 0 {
		c.fail(file, line, "rule %s: weight must not be negative", r.Name)
	}
	if r.Kind != "access" && r.Kind != "comms" && r.Kind != "any" && r.Kind != KindSignals {
		c.fail(file, line, "rule %s: kind %q is not access, comms, any or signals", r.Name, r.Kind)
	}
	if r.Key == "" {
		r.Key = "target"
	}
	c.field(file, line, r.Name, "key", r.Key)
	r.Dedupe = defaultDedupe
	if y.Dedupe != "" {
		d, err := parseDuration(y.Dedupe)
		if err != nil {
			c.fail(file, line, "rule %s: dedupe: %v", r.Name, err)
		}
		r.Dedupe = d
	}
	r.when, r.src, _ = c.condition(file, &y.When, "when")
	if r.when != nil {
		r.terms = conjuncts(c.lastExpanded)
	}
	for i := range y.Exceptions {
		c.exception(file, r, &y.Exceptions[i])
	}
	c.stateful(file, r, y)
	c.corroboration(file, r, y)
	if len(c.errs) > before {
		return nil
	}
	r.stateKey = stateIdentity(r)
	return r
}

func (c *compiler) field(file string, line int, rule, what, name string) {
	if name != "" && !slices.Contains(fieldNames, name) {
		c.fail(file, line, "rule %s: %s %q is not one of %v", rule, what, name, fieldNames)
	}
}

func (c *compiler) exception(file string, r *Rule, y *exceptionYAML) {
	line := max(y.When.Line, r.Line)
	prog, _, ok := c.condition(file, &y.When, "exception")
	if ok && prog == nil {
		c.fail(file, line, "rule %s: an exception needs a when", r.Name)
	}
	if strings.TrimSpace(y.Reason) == "" {
		c.fail(file, line, "rule %s: an exception needs a reason", r.Name)
	}
	exp, err := time.Parse(time.DateOnly, y.Expires)
	if err != nil {
		c.fail(file, line, "rule %s: an exception needs expires, a date such as 2027-03-31", r.Name)
	}
	// The exception holds through the whole of its expiry date.
	r.Exceptions = append(r.Exceptions, Exception{Reason: y.Reason, Expires: exp.Add(24 * time.Hour), Line: line, when: prog})
}

func (c *compiler) stateful(file string, r *Rule, y *ruleYAML) {
	line := r.Line
	if y.Sequence != nil && (y.Window != nil || y.Peer != nil) {
		c.fail(file, line, "rule %s: a sequence cannot be combined with a window or peer", r.Name)
		return
	}
	if w := y.Window; w != nil {
		over, err := parseDuration(w.Over)
		if err != nil || over <= 0 {
			c.fail(file, line, "rule %s: window needs over, a positive duration such as 30d", r.Name)
		}
		c.field(file, line, r.Name, "window by", w.By)
		c.field(file, line, r.Name, "window distinct", w.Distinct)
		if w.Threshold < 0 || w.Threshold == 0 && y.Peer == nil {
			c.fail(file, line, "rule %s: window needs a positive threshold (or a peer comparison)", r.Name)
		}
		r.Window = &Window{Over: over, By: w.By, Distinct: w.Distinct, Threshold: w.Threshold}
		if y.Dedupe == "" {
			r.Dedupe = over
		}
	}
	if p := y.Peer; p != nil {
		if y.Window == nil {
			c.fail(file, line, "rule %s: peer compares a window's measure; add a window", r.Name)
		} else if y.Window.By != "" {
			c.fail(file, line, "rule %s: a peer window must count per member of staff (no by)", r.Name)
		}
		every := defaultPeerStep
		if p.Every != "" {
			d, err := parseDuration(p.Every)
			if err != nil || d < time.Minute {
				c.fail(file, line, "rule %s: peer every must be at least 1m", r.Name)
			}
			every = d
		}
		if p.MinScore <= 0 {
			c.fail(file, line, "rule %s: peer needs a positive min_score (3.5 is usual)", r.Name)
		}
		r.Peer = &Peer{MinScore: p.MinScore, MinValue: p.MinValue, Every: every}
	}
	if s := y.Sequence; s != nil {
		c.sequence(file, r, s, y.Dedupe == "")
	}
}

func (c *compiler) sequence(file string, r *Rule, s *sequenceYAML, defaultDedupe bool) {
	within, err := parseDuration(s.Within)
	if err != nil || within <= 0 {
		c.fail(file, r.Line, "rule %s: sequence needs within, a positive duration such as 90d", r.Name)
	}
	c.field(file, r.Line, r.Name, "sequence by", s.By)
	seq := &Sequence{By: s.By, Within: within}
	for i := range s.Steps {
		y := &s.Steps[i]
		line := max(y.Name.Line, r.Line)
		prog, src, ok := c.condition(file, &y.When, "step "+y.Name.Value)
		if ok && prog == nil {
			c.fail(file, line, "rule %s: step %q needs a when", r.Name, y.Name.Value)
		}
		seq.Steps = append(seq.Steps, Step{Name: y.Name.Value, Absent: y.Absent, when: prog, src: src})
	}
	n := len(seq.Steps)
	switch {
	case n < 2:
		c.fail(file, r.Line, "rule %s: a sequence needs at least two steps", r.Name)
	case seq.Steps[0].Absent || seq.Steps[n-1].Absent:
		c.fail(file, r.Line, "rule %s: a sequence cannot start or end with an absent step", r.Name)
	}
	for i := 1; i < n; i++ {
		if seq.Steps[i].Absent && seq.Steps[i-1].Absent {
			c.fail(file, r.Line, "rule %s: two absent steps in a row; join their conditions with ||", r.Name)
		}
	}
	r.Sequence = seq
	if defaultDedupe {
		r.Dedupe = within
	}
}
