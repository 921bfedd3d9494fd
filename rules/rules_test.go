package rules

import (
	"testing"

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
