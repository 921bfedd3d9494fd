package detect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// corrRules has three signal rules (each a view by system), a queue rule and
// a corroboration over the signals: 10 days, half-life 5 days, threshold 3.5
// from two rules.
const corrRules = `rules:
  - name: sig_a
    signal: true
    weight: 2
    kind: access
    key: person_id
    dedupe: 30d
    when: event.system == "a"
  - name: sig_b
    signal: true
    weight: 2
    kind: access
    key: person_id
    dedupe: 30d
    when: event.system == "b"
  - name: sig_c
    signal: true
    weight: 1
    kind: access
    key: person_id
    dedupe: 30d
    when: event.system == "c"
  - name: queue_q
    weight: 2
    kind: access
    key: person_id
    when: event.system == "q"
  - name: corroborated
    kind: signals
    weight: 8
    corroborate:
      over: 10d
      half_life: 5d
      threshold: 3.5
      min_rules: 2
`

// sev writes one access event by staff at minutes after 2024-03-01 on system.
func sev(id, staff string, minutes int, system, person string) string {
	t := at("2024-03-01T00:00:00Z").Add(minuteDur(minutes))
	return fmt.Sprintf(`access {"id":%q,"time":%q,"staff_id":%q,"system":%q,"action":"view","person_id":%q}`,
		id, stamp(t), staff, system, person)
}

// TestSignalFlag checks that a signal rule's alerts are marked as signals
// and a queue rule's are not.
func TestSignalFlag(t *testing.T) {
	set := ruleSet(t, corrRules)
	got := run(t, set, strings.Join([]string{sev("x", "S1", 0, "a", "P1"), sev("y", "S1", 1, "q", "P1")}, "\n"))
	if len(got) != 2 {
		t.Fatalf("got %d alerts: %+v", len(got), got)
	}
	if !got[0].Signal || got[0].Rule != "sig_a" {
		t.Errorf("sig_a alert: %+v", got[0])
	}
	if got[1].Signal || got[1].Rule != "queue_q" {
		t.Errorf("queue_q alert: %+v", got[1])
	}
}

// TestCorroborationSemantics is the table of the corroboration's period,
// decay, distinct rules and per-staff partition.
func TestCorroborationSemantics(t *testing.T) {
	set := ruleSet(t, corrRules)
	cases := []struct {
		name   string
		events []string
		want   []string // corroboration alerts as "staff:evidence"
	}{
		{"two rules at once reach the threshold", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 1, "b", "P2")},
			[]string{"S1:a1,b1"}},
		{"one rule repeated is not corroboration", []string{sev("a1", "S1", 0, "a", "P1"), sev("a2", "S1", 1, "a", "P2"),
			sev("a3", "S1", 2, "a", "P3"), sev("a4", "S1", 3, "a", "P4")}, nil},
		{"signals about other staff do not add up", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S2", 1, "b", "P2")}, nil},
		{"the queue rule does not count", []string{sev("a1", "S1", 0, "a", "P1"), sev("q1", "S1", 1, "q", "P2")}, nil},
		// 2 decayed over 5 days is 1, plus 2 is 3: short of 3.5.
		{"decay: a signal five days old counts half", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 5*day, "b", "P2")}, nil},
		// 2·2^-0.5 + 2 = 3.41, + 1 = 4.41 with a third rule.
		{"a third rule tops it up", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 5*day/2, "b", "P2"),
			sev("c1", "S1", 5*day/2+1, "c", "P3")}, []string{"S1:a1,b1,c1"}},
		{"a signal older than the period is forgotten", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 10*day+1, "b", "P2")}, nil},
		// The second view of P1 extends sig_a's alert: its last evidence moves on,
		// so it counts in full again later.
		{"an extended signal counts from its last evidence", []string{sev("a1", "S1", 0, "a", "P1"), sev("a2", "S1", 8*day, "a", "P1"),
			sev("b1", "S1", 9*day, "b", "P2")}, []string{"S1:a1,a2,b1"}},
		{"further signals extend the corroboration", []string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 1, "b", "P2"),
			sev("c1", "S1", 2, "c", "P3")}, []string{"S1:a1,b1,c1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, a := range run(t, set, strings.Join(c.events, "\n")) {
				if a.Rule == "corroborated" {
					if a.Signal {
						t.Errorf("the corroboration is a queue alert, not a signal")
					}
					got = append(got, a.StaffID+":"+strings.Join(a.EvidenceIDs, ","))
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestCorroborationExplains checks that the alert names the signals, their
// rules and what each added.
func TestCorroborationExplains(t *testing.T) {
	set := ruleSet(t, corrRules)
	var corr *Alert
	for _, a := range run(t, set, strings.Join([]string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", day, "b", "P2")}, "\n")) {
		if a.Rule == "corroborated" {
			corr = &a
		}
	}
	if corr == nil {
		t.Fatal("no corroboration")
	}
	for _, want := range []string{"from 2 rule(s)", "threshold of 3.5", "sig_a about P1", "sig_b about P2", "events a1", "adds 1.74 of its 2", "adds 2 of its 2"} {
		if !strings.Contains(corr.Explanation, want) {
			t.Errorf("explanation lacks %q: %s", want, corr.Explanation)
		}
	}
	// 8 × (2 + 2·2^-0.2)/3.5
	if corr.Score < 8.55 || corr.Score > 8.56 {
		t.Errorf("score %.4f", corr.Score)
	}
}

// TestCorroborationNamedRules checks that a corroboration that names its
// rules counts only those, queue rules included.
func TestCorroborationNamedRules(t *testing.T) {
	set := ruleSet(t, strings.Replace(corrRules, "min_rules: 2\n", "min_rules: 2\n      rules: [sig_a, queue_q]\n", 1))
	var got []string
	for _, a := range run(t, set, strings.Join([]string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", 1, "b", "P2"), sev("q1", "S1", 2, "q", "P3")}, "\n")) {
		if a.Rule == "corroborated" {
			got = append(got, strings.Join(a.EvidenceIDs, ","))
		}
	}
	if !slices.Equal(got, []string{"a1,q1"}) {
		t.Errorf("got %v", got)
	}
}

// TestCorroborationLoadErrors checks the mistakes a corroboration can make.
func TestCorroborationLoadErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"signals without corroborate", `rules:
  - name: c
    kind: signals
`, "rule c: a rule of kind signals needs corroborate"},
		{"corroborate on an event rule", `rules:
  - name: c
    kind: access
    corroborate: {over: 1d, threshold: 2}
`, "rule c: a rule of kind signals needs corroborate"},
		{"with a when", `rules:
  - name: c
    kind: signals
    when: event.system == "a"
    corroborate: {over: 1d, threshold: 2}
`, "it takes no when"},
		{"no threshold", `rules:
  - name: c
    kind: signals
    corroborate: {over: 1d}
`, "corroborate needs a positive threshold"},
		{"no period", `rules:
  - name: c
    kind: signals
    corroborate: {threshold: 2}
`, "corroborate needs over"},
		{"unknown rule", `rules:
  - name: c
    kind: signals
    corroborate: {over: 1d, threshold: 2, rules: [nobody]}
`, `corroborate names rule "nobody", which the set does not have`},
		{"names a corroboration", `rules:
  - name: c
    kind: signals
    corroborate: {over: 1d, threshold: 2, rules: [d]}
  - name: d
    kind: signals
    corroborate: {over: 1d, threshold: 2}
`, `corroborate names "d", itself a corroboration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFile("test.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestCorroborationReplay checks that a replay gives the same alerts, and
// that a reload keeping the rules keeps the signals gathered so far.
func TestCorroborationReplay(t *testing.T) {
	set := ruleSet(t, corrRules)
	script := strings.Join([]string{sev("a1", "S1", 0, "a", "P1"), sev("b1", "S1", day, "b", "P2")}, "\n")
	first, second := run(t, set, script), run(t, set, script)
	if !slices.EqualFunc(first, second, func(a, b Alert) bool { return a.ID == b.ID && a.Explanation == b.Explanation }) {
		t.Errorf("replay differs:\n%+v\n%+v", first, second)
	}
	e := NewEngine(NewWorld(), set)
	recs := records(t, script)
	e.Apply(recs[0])
	e.SetRules(ruleSet(t, corrRules))
	var corr bool
	for _, a := range e.Apply(recs[1]) {
		corr = corr || a.Rule == "corroborated"
	}
	if !corr {
		t.Error("the reload lost the first signal")
	}
}
