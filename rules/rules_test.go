package rules

import (
	"io/fs"
	"testing"

	"go.yaml.in/yaml/v3"

	"lantern/detect"
)

// TestLoad checks that the built-in library compiles.
func TestLoad(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules()) == 0 {
		t.Fatal("no rules")
	}
}

// TestFixtures runs every fixture of the built-in library.
func TestFixtures(t *testing.T) {
	results, err := detect.RunFixtures(FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no fixtures")
	}
	for _, r := range results {
		t.Run(r.File+"/"+r.Case, func(t *testing.T) {
			if !r.Passed() {
				t.Error(r)
			}
		})
	}
}

// TestEveryRuleHasFixtures checks that each rule of the library is named by a
// fixture file with at least one case that alerts and one that does not.
func TestEveryRuleHasFixtures(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(FS(), "testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	positive, negative := map[string]bool{}, map[string]bool{}
	for _, name := range names {
		data, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Rules []string `yaml:"rules"`
			Cases []struct {
				Expect []struct {
					Rule string `yaml:"rule"`
				} `yaml:"expect"`
			} `yaml:"cases"`
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range f.Cases {
			alerted := map[string]bool{}
			for _, e := range c.Expect {
				alerted[e.Rule] = true
				positive[e.Rule] = true
			}
			for _, r := range f.Rules {
				if !alerted[r] {
					negative[r] = true
				}
			}
		}
	}
	for _, r := range set.Rules() {
		if !positive[r.Name] || !negative[r.Name] {
			t.Errorf("rule %s: positive fixture %v, negative fixture %v", r.Name, positive[r.Name], negative[r.Name])
		}
	}
}
