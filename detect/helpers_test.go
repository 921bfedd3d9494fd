package detect

import (
	"testing"
	"time"

	"lantern/ingest"
)

// records parses a script of "<kind> <json>" lines, failing the test on error.
func records(t testing.TB, script string) []*ingest.Record {
	t.Helper()
	h, err := ingest.NewPhoneHasher([]byte(FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ParseRecords(script, h)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// world returns a World with the script's records applied.
func world(t testing.TB, script string) *World {
	t.Helper()
	w := NewWorld()
	for _, r := range records(t, script) {
		if !w.Apply(r) {
			t.Fatalf("%s record was not applied", r.Kind)
		}
	}
	return w
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// ruleSet compiles one rule file held in a string, failing the test on error.
func ruleSet(t testing.TB, src string) *RuleSet {
	t.Helper()
	set, err := LoadFile("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// run applies the records to a new engine and returns every alert in its
// final state, in the order first raised.
func run(t testing.TB, set *RuleSet, script string) []Alert {
	t.Helper()
	e := NewEngine(NewWorld(), set)
	final := map[string]Alert{}
	var order []string
	for _, r := range records(t, script) {
		for _, a := range e.Apply(r) {
			if _, ok := final[a.ID]; !ok {
				order = append(order, a.ID)
			}
			final[a.ID] = a
		}
	}
	if e.Stats().Errors > 0 {
		t.Errorf("%d evaluations failed", e.Stats().Errors)
	}
	out := make([]Alert, len(order))
	for i, id := range order {
		out[i] = final[id]
	}
	return out
}

func minuteDur(m int) time.Duration { return time.Duration(m) * time.Minute }
