package sqlbase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"lantern/detect"
)

// Flag is one (staff member, key) pair a rule's query flagged: the key is
// what the engine would key an alert by (the person, the incident, or ""
// for rules about a staff member's behaviour as a whole).
type Flag struct {
	Staff   string
	Key     string
	Matches int // the events at which the rule matched: the engine's Alert.Matches summed over the pair's alerts
}

// RuleResult is what one rule's query found.
type RuleResult struct {
	Rule    string
	Flagged []Flag        // sorted by staff, then key
	Matches int           // the sum of the Flags' Matches
	Time    time.Duration // running the rule's statements
}

// Result is what Detect found, with the time the load and the detection took.
type Result struct {
	Dialect Dialect
	Loaded  Loaded        // what Load put in the database, and how long it took
	Prepare time.Duration // working out each event's facts (prepare.sql), shared by the rules
	Detect  time.Duration // the whole of Detect: Prepare and every rule
	Rules   []RuleResult  // by rule name
}

// Rule returns the result of the named rule, or nil.
func (r *Result) Rule(name string) *RuleResult {
	for i := range r.Rules {
		if r.Rules[i].Rule == name {
			return &r.Rules[i]
		}
	}
	return nil
}

// EventsPerSecond is the rate of the whole batch job: the events loaded over
// the time of Load and Detect together.
func (r *Result) EventsPerSecond() float64 {
	return rate(r.Loaded.Events, r.Loaded.Time+r.Detect)
}

// DetectEventsPerSecond is the rate of the detection alone, over data already
// loaded and indexed.
func (r *Result) DetectEventsPerSecond() float64 { return rate(r.Loaded.Events, r.Detect) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Rules lists the rules sqlbase has queries for, by name.
func Rules() []string {
	q, err := parseQueries(SQLite)
	if err != nil {
		return nil
	}
	return q.rules
}

// Detect runs, on one connection, the detections of the built-in rule
// library as SQL over what Load put in db: first prepare.sql, which works
// out for each event what the rules ask of the reference data, then for
// each rule its file sql/rules/<rule>.sql, whose last statement returns the
// events at which the rule matches, as (staff_id, key, at, seq, score)
// rows. They are kept in the temporary table rule_match, from which the
// (staff, key) pairs are counted and which the corroboration rules (kind
// signals, run after every other) read. Temporary tables are dropped
// before it returns. A library rule with no SQL, or SQL for a rule the
// library no longer has, is an error before anything runs; any database
// error is returned, wrapped with the rule's name.
func Detect(ctx context.Context, db *DB) (Result, error) {
	res := Result{Dialect: db.dialect, Loaded: db.loaded}
	q, err := parseQueries(db.dialect)
	if err != nil {
		return res, err
	}
	if err := q.checkLibrary(); err != nil {
		return res, err
	}
	s, err := db.conn(ctx)
	if err != nil {
		return res, fmt.Errorf("detect: connect: %w", err)
	}
	defer s.release()
	start := time.Now()
	prep, err := q.statements("prepare.sql", nil)
	if err != nil {
		return res, err
	}
	defer dropAll(s, tempTables(prep))
	if _, err := run(ctx, s, prep, false); err != nil {
		return res, fmt.Errorf("detect: prepare: %w", err)
	}
	res.Prepare = time.Since(start)
	// Corroborations last: they add up the other rules' matches.
	order := slices.Clone(q.lib.set.Rules())
	slices.SortStableFunc(order, func(a, b *detect.Rule) int {
		return cmp.Compare(btoi(a.Corroborate != nil), btoi(b.Corroborate != nil))
	})
	for _, r := range order {
		rr, err := detectRule(ctx, s, q, r)
		if err != nil {
			return res, err
		}
		res.Rules = append(res.Rules, rr)
	}
	slices.SortFunc(res.Rules, func(a, b RuleResult) int { return cmp.Compare(a.Rule, b.Rule) })
	res.Detect = time.Since(start)
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// detectRule runs one rule's statements, keeps the matches the last
// returns in rule_match and counts them per (staff, key).
func detectRule(ctx context.Context, s session, q *queries, r *detect.Rule) (RuleResult, error) {
	start := time.Now()
	stmts, err := q.statements(q.file[r.Name], r)
	if err != nil {
		return RuleResult{}, err
	}
	if len(stmts) == 0 {
		return RuleResult{}, fmt.Errorf("detect %s: no query", r.Name)
	}
	defer dropAll(s, tempTables(stmts))
	last := len(stmts) - 1
	stmts[last] = "INSERT INTO rule_match (rule, staff_id, key, at, seq, score)\nSELECT " + quote(r.Name) +
		", m.staff_id, m.key, m.at, m.seq, m.score FROM (\n" + stmts[last] + "\n) m"
	stmts = append(stmts, "SELECT staff_id, key, count(*) AS matches FROM rule_match WHERE rule = "+quote(r.Name)+" GROUP BY staff_id, key")
	flags, err := run(ctx, s, stmts, true)
	if err != nil {
		return RuleResult{}, fmt.Errorf("detect %s: %w", r.Name, err)
	}
	slices.SortFunc(flags, func(a, b Flag) int {
		return cmp.Or(cmp.Compare(a.Staff, b.Staff), cmp.Compare(a.Key, b.Key))
	})
	rr := RuleResult{Rule: r.Name, Flagged: flags, Time: time.Since(start)}
	for _, f := range flags {
		rr.Matches += f.Matches
	}
	return rr, nil
}

// run executes stmts in order; with query, the last is a query whose rows
// are returned as flags.
func run(ctx context.Context, s session, stmts []string, query bool) ([]Flag, error) {
	if query && len(stmts) == 0 {
		return nil, errors.New("no query")
	}
	n := len(stmts)
	if query {
		n--
	}
	for _, st := range stmts[:n] {
		if err := s.exec(ctx, st); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, st)
		}
	}
	if !query {
		return nil, nil
	}
	flags, err := s.flags(ctx, stmts[n])
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, stmts[n])
	}
	return flags, nil
}

// dropAll drops temporary tables, even when ctx has been cancelled, so that
// the connection goes back to its pool clean.
func dropAll(s session, tables []string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, t := range slices.Backward(tables) {
		_ = s.exec(ctx, "DROP TABLE IF EXISTS "+t)
	}
}
