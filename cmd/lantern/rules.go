package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"lantern/detect"
	"lantern/rules"
)

// rulesSource names where a rule set comes from: a directory of YAML files,
// or the built-in library when dir is "".
type rulesSource struct{ dir string }

func (s rulesSource) fs() (fs.FS, string, error) {
	if s.dir == "" {
		return rules.FS(), ".", nil
	}
	st, err := os.Stat(s.dir)
	if err != nil {
		return nil, "", fmt.Errorf("rules directory: %w", errors.Unwrap(err))
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("rules directory %s is not a directory", s.dir)
	}
	return os.DirFS(s.dir), ".", nil
}

func (s rulesSource) String() string {
	if s.dir == "" {
		return "the built-in library"
	}
	return s.dir
}

// load compiles the rule set; errors name file and line.
func (s rulesSource) load() (*detect.RuleSet, error) {
	fsys, dir, err := s.fs()
	if err != nil {
		return nil, err
	}
	return detect.Load(fsys, dir)
}

// runRules checks, tests and lists rule sets: lantern rules check|test|list [DIR].
func runRules(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("rules needs a subcommand: check [DIR], test [DIR] or list [DIR]")
	}
	sub := args[0]
	if sub != "check" && sub != "test" && sub != "list" {
		return usageErrorf("unknown rules subcommand %q: use check, test or list", sub)
	}
	_, _, dirs, err := loadConfig("rules "+sub, args[1:], e.getenv, e.stderr, nil)
	if err != nil {
		return err
	}
	if len(dirs) > 1 {
		return usageErrorf("rules %s takes at most one directory", sub)
	}
	src := rulesSource{}
	if len(dirs) == 1 {
		src.dir = dirs[0]
	}
	switch sub {
	case "check":
		set, err := src.load()
		if err != nil {
			return loadFailure(e, src, err)
		}
		fmt.Fprintf(e.stdout, "%s: %d rules, all valid\n", src, len(set.Rules()))
		return nil
	case "list":
		set, err := src.load()
		if err != nil {
			return loadFailure(e, src, err)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tKIND\tSEVERITY\tSTATE\tDEFINED\tDESCRIPTION")
		for _, r := range set.Rules() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\t%s\n", r.Name, r.Kind, r.Severity, ruleShape(r), r.File, r.Line, r.Description)
		}
		return tw.Flush()
	}
	fsys, dir, err := src.fs()
	if err != nil {
		return err
	}
	results, err := detect.RunFixtures(fsys, dir)
	if err != nil {
		return loadFailure(e, src, err)
	}
	failed := 0
	for _, r := range results {
		if !r.Passed() {
			failed++
			fmt.Fprintf(e.stdout, "FAIL %s\n", r)
		} else {
			fmt.Fprintf(e.stdout, "ok   %s\n", r)
		}
	}
	if len(results) == 0 {
		return fmt.Errorf("%s has no fixtures in testdata/*.yaml: every rule should have a positive and a negative case", src)
	}
	fmt.Fprintf(e.stdout, "%d cases, %d passed, %d failed\n", len(results), len(results)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d fixture cases failed", failed, len(results))
	}
	return nil
}

// ruleShape says what state a rule keeps.
func ruleShape(r *detect.Rule) string {
	switch {
	case r.Peer != nil:
		return "peer window " + durationWords(r.Window.Over)
	case r.Window != nil:
		return "window " + durationWords(r.Window.Over)
	case r.Sequence != nil:
		return fmt.Sprintf("sequence of %d within %s", len(r.Sequence.Steps), durationWords(r.Sequence.Within))
	}
	return "single event"
}

// loadFailure prints each load error on its own line (file:line: message)
// and returns one error saying how many there were.
func loadFailure(e *env, src rulesSource, err error) error {
	var errs interface{ Unwrap() []error }
	lines := []error{err}
	if errors.As(err, &errs) {
		lines = errs.Unwrap()
	}
	for _, l := range lines {
		fmt.Fprintln(e.stderr, strings.TrimSpace(l.Error()))
	}
	return fmt.Errorf("%s: %d error(s) in the rule set", src, len(lines))
}

// durationWords writes whole days as "30d" and other durations as Go does.
func durationWords(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
