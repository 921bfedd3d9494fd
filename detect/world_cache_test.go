package detect

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestVersionScansMatchAsOf checks that the typed version lookups find the
// same version as asOf, on lists short and long, with repeated instants.
func TestVersionScansMatchAsOf(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ats := rapid.SliceOfN(rapid.Int64Range(-5, 40), 0, 40).Draw(t, "ats")
		slices.Sort(ats)
		q := rapid.Int64Range(-10, 50).Draw(t, "t")
		var staff []staffVersion
		var persons []personVersion
		var status []statusChange
		var shifts []shiftEntry
		for _, a := range ats {
			staff = append(staff, staffVersion{at: a})
			persons = append(persons, personVersion{at: a})
			status = append(status, statusChange{at: a})
			shifts = append(shifts, shiftEntry{start: a})
		}
		want := asOf(staff, q, func(v staffVersion) int64 { return v.at })
		got := []int{staffAt(staff, q), personAt(persons, q), statusAsOf(status, q), shiftAsOf(shifts, q)}
		for i, g := range got {
			if g != want {
				t.Fatalf("lookup %d of %d in %v: %d, asOf %d", i, q, ats, g, want)
			}
		}
	})
}

// TestWorldLookupsForgetOnApply checks that a record applied after a lookup
// is seen by the next one.
func TestWorldLookupsForgetOnApply(t *testing.T) {
	w := world(t, `person {"id":"P1","gender":"female","time":"2024-01-01T00:00:00Z"}`)
	when := at("2024-06-01T00:00:00Z")
	if w.Vulnerable("P1", when) || w.Vulnerable("P2", when) {
		t.Fatal("no one is flagged yet")
	}
	for _, r := range records(t, `person {"id":"P1","gender":"female","flags":["child"],"time":"2024-02-01T00:00:00Z"}
person {"id":"P2","gender":"female","flags":["child"],"time":"2024-02-01T00:00:00Z"}`) {
		w.Apply(r)
	}
	if !w.Vulnerable("P1", when) || !w.Vulnerable("P2", when) {
		t.Fatal("a remembered lookup hid a record applied later")
	}
}
