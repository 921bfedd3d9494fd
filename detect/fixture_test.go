package detect

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// TestRunFixturesReportsFailures checks that the fixture runner notices a
// missing alert, an unexpected one and wrong evidence.
func TestRunFixturesReportsFailures(t *testing.T) {
	fsys := fstest.MapFS{
		"r/rules.yaml": {Data: []byte(`rules:
  - name: views
    kind: access
    key: person_id
    when: event.action == "view"
`)},
		"r/testdata/views.yaml": {Data: []byte(`rules: [views]
load: |
  staff {"id":"S1","category":"officer","role":"response","gender":"male","start_date":"2015-01-01"}
cases:
  - name: right
    records: |
      access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}
    expect:
      - {rule: views, staff: S1, key: P1, evidence: [a1]}
  - name: wrong evidence
    records: |
      access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}
    expect:
      - {rule: views, staff: S1, key: P1, evidence: [a2]}
  - name: missing and unexpected
    records: |
      access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P2"}
    expect:
      - {rule: views, staff: S1, key: P1}
`)},
	}
	res, err := RunFixtures(fsys, "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || !res[0].Passed() || res[1].Passed() || res[2].Passed() {
		t.Fatalf("results %v", res)
	}
	if !strings.Contains(res[1].String(), "has evidence [a1], want [a2]") || res[1].Line != 10 {
		t.Errorf("wrong evidence: %s", res[1])
	}
	if p := strings.Join(res[2].Problems, "; "); !strings.Contains(p, "missing alert views/S1/P1") || !strings.Contains(p, "unexpected alert views/S1/P2") {
		t.Errorf("missing and unexpected: %s", p)
	}
}

// TestFailedLoadKeepsRules checks the reload contract: a set that fails to
// load gives no set, and the engine keeps judging with the one it has.
func TestFailedLoadKeepsRules(t *testing.T) {
	good := ruleSet(t, "rules:\n  - name: views\n    kind: access\n    key: person_id\n")
	e := NewEngine(NewWorld(), good)
	bad, err := LoadFile("bad.yaml", []byte("rules:\n  - name: views\n    kind: access\n    when: nonsense(\n"))
	if err == nil || bad != nil {
		t.Fatalf("loaded a broken set: %v", err)
	}
	e.SetRules(bad)
	recs := records(t, `access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}`)
	if got := e.Apply(recs[0]); len(got) != 1 || e.Rules() != good {
		t.Errorf("after a failed reload: %v", got)
	}
}

// TestReloadChangedRuleStartsAfresh checks that a reload keeps the window of
// an unchanged rule and starts a changed one from nothing.
func TestReloadChangedRuleStartsAfresh(t *testing.T) {
	src := func(threshold int) *RuleSet {
		return ruleSet(t, fmt.Sprintf("rules:\n  - name: w\n    kind: access\n    window: {over: 1d, threshold: %d}\n", threshold))
	}
	evs := records(t, strings.Join([]string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P1"), ev("c", 2, "view", "rms", "P1")}, "\n"))
	for _, c := range []struct {
		name   string
		reload *RuleSet
		want   int
	}{{"unchanged", src(3), 1}, {"changed", src(2), 0}} {
		e := NewEngine(NewWorld(), src(3))
		e.Apply(evs[0])
		e.Apply(evs[1])
		e.SetRules(c.reload)
		if got := len(e.Apply(evs[2])); got != c.want {
			t.Errorf("%s: %d alerts, want %d", c.name, got, c.want)
		}
	}
}
