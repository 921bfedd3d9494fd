package detect

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"lantern/ingest"
)

// FixturePhoneKey is the phone hash key fixtures use, so that they can write
// telephone numbers in clear.
const FixturePhoneKey = "lantern-fixture-phone-key-not-secret"

// FixtureResult is the outcome of one case of a fixture file.
type FixtureResult struct {
	File     string
	Case     string
	Line     int
	Problems []string // empty when the case passed
}

// Passed reports whether the case gave exactly the alerts it expected.
func (r FixtureResult) Passed() bool { return len(r.Problems) == 0 }

// String gives the case's place, name and outcome on one line.
func (r FixtureResult) String() string {
	if r.Passed() {
		return fmt.Sprintf("%s:%d: %s: ok", r.File, r.Line, r.Case)
	}
	return fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.Case, strings.Join(r.Problems, "; "))
}

type fixtureYAML struct {
	Rules []string      `yaml:"rules"`
	Load  string        `yaml:"load"`
	Cases []fixtureCase `yaml:"cases"`
}

type fixtureCase struct {
	Name    yaml.Node       `yaml:"name"`
	Records string          `yaml:"records"`
	Expect  []expectedAlert `yaml:"expect"`
}

type expectedAlert struct {
	Rule     string   `yaml:"rule"`
	Staff    string   `yaml:"staff"`
	Key      string   `yaml:"key"`
	Evidence []string `yaml:"evidence"`
}

// RunFixtures loads the rule set in dir of fsys and runs every fixture file
// in dir/testdata (*.yaml). Each case starts a fresh World and Engine, applies
// the file's load records and then the case's records in order, and compares
// the alerts of the rules the file names (all when it names none), in their
// final state, with the expected ones: same rule, staff and key, and the same
// evidence ids when the expectation lists them. docs/rules.md describes the
// format. An error is returned only when the rules or a fixture cannot be
// read; a failing case is a result with problems.
func RunFixtures(fsys fs.FS, dir string) ([]FixtureResult, error) {
	set, err := Load(fsys, dir)
	if err != nil {
		return nil, err
	}
	return RunFixturesWith(set, fsys, path.Join(dir, "testdata"))
}

// RunFixturesWith runs the fixture files in dir against set.
func RunFixturesWith(set *RuleSet, fsys fs.FS, dir string) ([]FixtureResult, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	hasher, err := ingest.NewPhoneHasher([]byte(FixturePhoneKey))
	if err != nil {
		return nil, err
	}
	var out []FixtureResult
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		res, err := runFixtureFile(set, hasher, name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func runFixtureFile(set *RuleSet, hasher *ingest.PhoneHasher, name string, data []byte) ([]FixtureResult, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f fixtureYAML
	if err := dec.Decode(&f); err != nil {
		return nil, yamlError(name, err)
	}
	for _, r := range f.Rules {
		if set.Rule(r) == nil {
			return nil, &LoadError{name, 1, fmt.Sprintf("fixture names rule %q, which the set does not have", r)}
		}
	}
	load, err := ParseRecords(f.Load, hasher)
	if err != nil {
		return nil, fmt.Errorf("%s: load: %w", name, err)
	}
	var out []FixtureResult
	for _, c := range f.Cases {
		res := FixtureResult{File: name, Case: c.Name.Value, Line: c.Name.Line}
		recs, err := ParseRecords(c.Records, hasher)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: records: %w", name, c.Name.Line, err)
		}
		eng := NewEngine(NewWorld(), set)
		final := map[string]Alert{}
		var order []string
		for _, rec := range append(slices.Clip(load), recs...) {
			for _, a := range eng.Apply(rec) {
				if len(f.Rules) > 0 && !slices.Contains(f.Rules, a.Rule) {
					continue
				}
				if _, ok := final[a.ID]; !ok {
					order = append(order, a.ID)
				}
				final[a.ID] = a
			}
		}
		got := make([]Alert, 0, len(order))
		for _, id := range order {
			got = append(got, final[id])
		}
		res.Problems = compareAlerts(got, c.Expect)
		if n := eng.Stats().Errors; n > 0 {
			res.Problems = append(res.Problems, fmt.Sprintf("%d rule evaluations failed at run time", n))
		}
		out = append(out, res)
	}
	return out, nil
}

// compareAlerts matches expected alerts to actual ones in order of rule,
// staff and key, and describes every difference.
func compareAlerts(got []Alert, want []expectedAlert) []string {
	var problems []string
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, a := range got {
			if used[i] || a.Rule != w.Rule || a.StaffID != w.Staff || a.Key != w.Key {
				continue
			}
			used[i], found = true, true
			if w.Evidence != nil && !slices.Equal(w.Evidence, a.EvidenceIDs) {
				problems = append(problems, fmt.Sprintf("alert %s/%s/%s has evidence %v, want %v", w.Rule, w.Staff, w.Key, a.EvidenceIDs, w.Evidence))
			}
			break
		}
		if !found {
			problems = append(problems, fmt.Sprintf("missing alert %s/%s/%s", w.Rule, w.Staff, w.Key))
		}
	}
	for i, a := range got {
		if !used[i] {
			problems = append(problems, fmt.Sprintf("unexpected alert %s/%s/%s (evidence %v)", a.Rule, a.StaffID, a.Key, a.EvidenceIDs))
		}
	}
	return problems
}

// ParseRecords reads a script of records, one a line as "<kind> <json>",
// with blank lines and lines starting with "#" skipped, through ingest's
// decoder (so fixtures are held to the input formats of docs/formats.md).
// Clear numbers are hashed with hasher.
func ParseRecords(script string, hasher *ingest.PhoneHasher) ([]*ingest.Record, error) {
	decs := map[ingest.Kind]*ingest.Decoder{}
	var out []*ingest.Record
	sc := bufio.NewScanner(strings.NewReader(script))
	sc.Buffer(nil, ingest.MaxLineBytes)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		kind, err := ingest.ParseKind(word)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		d := decs[kind]
		if d == nil {
			d = ingest.NewDecoder(kind, hasher)
			decs[kind] = d
		}
		rec, err := d.Decode([]byte(strings.TrimSpace(rest)))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Join(err)
	}
	return out, nil
}
