package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"lantern"
	"lantern/detect"
)

// fixtureCache holds the fixture results of one rule set: a reload gives a
// new set and so a new run.
type fixtureCache struct {
	set     *detect.RuleSet
	results map[string]FixtureSummary
	err     error
}

// Rules returns the rules in use, in the set's order, each with its alerts
// by state, its dismissal rate (dismissed of decided: an estimate of its
// false alert rate) and how it fared on the fixtures that name it. Fixtures
// run once per rule set. It needs ActViewRules.
func (s *Service) Rules(ctx context.Context) ([]RuleSummary, error) {
	c, err := s.begin(ctx, lantern.ActViewRules, "rules")
	if err != nil {
		return nil, err
	}
	out, err := s.rules(ctx)
	if err != nil {
		return nil, c.fail(ctx, err)
	}
	if err := c.allow(ctx, ""); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) rules(ctx context.Context) ([]RuleSummary, error) {
	counts, err := s.cfg.Alerts.AlertCounts(ctx)
	if err != nil {
		return nil, err
	}
	byRule := map[string]lantern.RuleAlertCounts{}
	for _, c := range counts {
		byRule[c.Rule] = c
	}
	out := []RuleSummary{}
	if s.cfg.Rules == nil {
		return out, nil
	}
	set := s.cfg.Rules.Rules()
	if set == nil {
		return out, nil
	}
	fixtures, ferr := s.fixtureResults(set)
	for _, r := range set.Rules() {
		c, ok := byRule[r.Name]
		if !ok {
			c = lantern.RuleAlertCounts{Rule: r.Name}
		}
		sum := RuleSummary{Name: r.Name, Description: r.Description, Severity: r.Severity, Kind: r.Kind,
			Signal: r.Signal, File: r.File, Counts: c, DismissalRate: c.DismissalRate(), Fixtures: fixtures[r.Name]}
		if ferr != nil {
			sum.Fixtures.Problems = []string{"The fixtures could not be run: " + ferr.Error()}
		}
		out = append(out, sum)
	}
	return out, nil
}

// fixtureResults runs the set's fixtures once and keeps the results by
// rule: a fixture file counts for the rules it names, or when it names
// none, for the rule its file is named after.
func (s *Service) fixtureResults(set *detect.RuleSet) (map[string]FixtureSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fixtures.set == set {
		return s.fixtures.results, s.fixtures.err
	}
	results, err := runFixtures(set, s.cfg.Rules)
	s.fixtures = fixtureCache{set: set, results: results, err: err}
	return results, err
}

func runFixtures(set *detect.RuleSet, src RuleSource) (map[string]FixtureSummary, error) {
	out := map[string]FixtureSummary{}
	fsys, dir := src.Fixtures()
	if fsys == nil {
		return out, nil
	}
	results, err := detect.RunFixturesWith(set, fsys, dir)
	if err != nil {
		return out, err
	}
	named := map[string][]string{} // fixture file -> rules
	for _, r := range results {
		if _, ok := named[r.File]; ok {
			continue
		}
		rules, err := fixtureRules(fsys, r.File)
		if err != nil {
			return out, err
		}
		named[r.File] = rules
	}
	for _, r := range results {
		for _, rule := range named[r.File] {
			sum := out[rule]
			if r.Passed() {
				sum.Passed++
			} else {
				sum.Failed++
				sum.Problems = append(sum.Problems, r.String())
			}
			out[rule] = sum
		}
	}
	return out, nil
}

// fixtureRules returns the rules a fixture file names.
func fixtureRules(fsys fs.FS, name string) ([]string, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var head struct {
		Rules []string `yaml:"rules"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	if len(head.Rules) == 0 {
		return []string{strings.TrimSuffix(path.Base(name), path.Ext(name))}, nil
	}
	return head.Rules, nil
}
