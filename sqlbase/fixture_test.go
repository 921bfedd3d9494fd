package sqlbase_test

import (
	"io/fs"
	"maps"
	"path"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"lantern/detect"
	"lantern/ingest"
	"lantern/rules"
	"lantern/sqlbase"
)

// TestEveryRuleHasSQL checks that sqlbase has a query for every rule of the
// built-in library, and none for a rule the library does not have.
func TestEveryRuleHasSQL(t *testing.T) {
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	var lib []string
	for _, r := range set.Rules() {
		lib = append(lib, r.Name)
	}
	slices.Sort(lib)
	if got := sqlbase.Rules(); !slices.Equal(got, lib) {
		t.Errorf("sqlbase has queries for %v,\nthe library has rules %v", got, lib)
	}
}

type fixtureFile struct {
	Rules []string `yaml:"rules"`
	Load  string   `yaml:"load"`
	Cases []struct {
		Name    string `yaml:"name"`
		Records string `yaml:"records"`
		Expect  []struct {
			Rule  string `yaml:"rule"`
			Staff string `yaml:"staff"`
			Key   string `yaml:"key"`
		} `yaml:"expect"`
	} `yaml:"cases"`
}

// TestFixtures runs the rule library's fixtures (rules/testdata) through
// Load and Detect: for each case, a fresh database with the file's load
// records and the case's, and the rules the file names must flag exactly the
// (staff, key) pairs the case expects alerts about.
func TestFixtures(t *testing.T) {
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(rules.FS(), "testdata/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, d := range dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			for _, name := range names {
				data, err := fs.ReadFile(rules.FS(), name)
				if err != nil {
					t.Fatal(err)
				}
				var f fixtureFile
				if err := yaml.Unmarshal(data, &f); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				load, err := detect.ParseRecords(f.Load, hasher)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, c := range f.Cases {
					t.Run(path.Base(name)+"/"+c.Name, func(t *testing.T) {
						recs, err := detect.ParseRecords(c.Records, hasher)
						if err != nil {
							t.Fatal(err)
						}
						res := loadAndDetect(t, d, append(slices.Clip(load), recs...))
						want := map[pair]bool{}
						for _, e := range c.Expect {
							want[pair{e.Rule, e.Staff, e.Key}] = true
						}
						got := map[pair]bool{}
						for _, rr := range res.Rules {
							if len(f.Rules) > 0 && !slices.Contains(f.Rules, rr.Rule) {
								continue
							}
							for _, fl := range rr.Flagged {
								got[pair{rr.Rule, fl.Staff, fl.Key}] = true
							}
						}
						for _, p := range slices.SortedFunc(maps.Keys(want), cmpPair) {
							if !got[p] {
								t.Errorf("missing %s/%s/%q", p.rule, p.staff, p.key)
							}
						}
						for _, p := range slices.SortedFunc(maps.Keys(got), cmpPair) {
							if !want[p] {
								t.Errorf("unexpected %s/%s/%q", p.rule, p.staff, p.key)
							}
						}
					})
				}
			}
		})
	}
}

func cmpPair(a, b pair) int {
	switch {
	case a.rule != b.rule:
		return cmpString(a.rule, b.rule)
	case a.staff != b.staff:
		return cmpString(a.staff, b.staff)
	}
	return cmpString(a.key, b.key)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
