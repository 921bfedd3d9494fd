package detect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// ev writes one access event line: id, minutes after 2024-03-01T00:00Z,
// action, system and person.
func ev(id string, minutes int, action, system, person string) string {
	t := at("2024-03-01T00:00:00Z").Add(minuteDur(minutes))
	return fmt.Sprintf(`access {"id":%q,"time":%q,"staff_id":"S1","system":%q,"action":%q,"person_id":%q}`,
		id, stamp(t), system, action, person)
}

const day = 24 * 60 // minutes

// alertsSummary writes each alert as "key:evidence,evidence".
func alertsSummary(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key+":"+strings.Join(a.EvidenceIDs, ","))
	}
	return out
}

// TestWindowSemantics is the table of a window's bounds, distinct counting,
// grouping and deduplication.
func TestWindowSemantics(t *testing.T) {
	count := ruleSet(t, `rules:
  - name: w
    kind: access
    window: {over: 1d, by: person_id, threshold: 3}
`)
	distinct := ruleSet(t, `rules:
  - name: w
    kind: access
    dedupe: 2d
    window: {over: 1d, distinct: person_id, threshold: 3}
`)
	cases := []struct {
		name   string
		set    *RuleSet
		events []string
		want   []string
	}{
		{"three within a day", count, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "view", "rms", "P1"), ev("c", day-1, "view", "rms", "P1")},
			[]string{"P1:a,b,c"}},
		{"an event exactly the window before falls out (lower bound exclusive)", count,
			[]string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "view", "rms", "P1"), ev("c", day, "view", "rms", "P1")}, nil},
		{"grouped by person", count, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P2"), ev("c", 2, "view", "rms", "P1")}, nil},
		{"the ongoing condition extends the alert", count, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P1"),
			ev("c", 2, "view", "rms", "P1"), ev("d", 3, "view", "rms", "P1")}, []string{"P1:a,b,c,d"}},
		{"after the dedupe interval a new alert", count, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P1"),
			ev("c", 2, "view", "rms", "P1"), ev("d", 3*day, "view", "rms", "P1"), ev("e", 3*day+1, "view", "rms", "P1"), ev("f", 3*day+2, "view", "rms", "P1")},
			[]string{"P1:a,b,c", "P1:d,e,f"}},
		{"a match exactly the dedupe interval later still extends", distinct, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P2"),
			ev("c", 2, "view", "rms", "P3"), ev("d", 2*day+2-2, "view", "rms", "P4"), ev("e", 2*day+2-1, "view", "rms", "P5"), ev("f", 2*day+2, "view", "rms", "P6")},
			[]string{":a,b,c,d,e,f"}},
		{"distinct values, not events", distinct, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P1"), ev("c", 2, "view", "rms", "P2"),
			ev("d", 3, "view", "rms", "P2")}, nil},
		{"distinct reaches the threshold", distinct, []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "view", "rms", "P1"), ev("c", 2, "view", "rms", "P2"),
			ev("d", 3, "view", "rms", "P3")}, []string{":a,b,c,d"}},
		{"a late event older than the window is not counted", count, []string{ev("a", 2*day, "view", "rms", "P1"), ev("b", 2*day+1, "view", "rms", "P1"),
			ev("c", 0, "view", "rms", "P1")}, nil},
		{"a late event inside the window is counted", count, []string{ev("a", 2*day, "view", "rms", "P1"), ev("b", 2*day+1, "view", "rms", "P1"),
			ev("c", 2*day-5, "view", "rms", "P1")}, []string{"P1:c,a,b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := alertsSummary(run(t, c.set, strings.Join(c.events, "\n")))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestSequenceSemantics is the table of a sequence's span, absence steps,
// restarts and deduplication.
func TestSequenceSemantics(t *testing.T) {
	seq := ruleSet(t, `rules:
  - name: s
    kind: access
    dedupe: 1h
    sequence:
      by: person_id
      within: 1d
      steps:
        - {name: viewed, when: event.action == "view"}
        - {name: checked on the pnc, when: event.system == "pnc", absent: true}
        - {name: printed, when: event.action == "print"}
`)
	cases := []struct {
		name   string
		events []string
		want   []string
	}{
		{"in order within the span", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "print", "rms", "P1")}, []string{"P1:a,b"}},
		{"the span is inclusive", []string{ev("a", 0, "view", "rms", "P1"), ev("b", day, "print", "rms", "P1")}, []string{"P1:a,b"}},
		{"past the span", []string{ev("a", 0, "view", "rms", "P1"), ev("b", day+1, "print", "rms", "P1")}, nil},
		{"the absent step breaks it", []string{ev("a", 0, "view", "rms", "P1"), ev("x", 5, "update", "pnc", "P1"), ev("b", 60, "print", "rms", "P1")}, nil},
		{"absence before the first step does not matter", []string{ev("x", 0, "update", "pnc", "P1"), ev("a", 5, "view", "rms", "P1"), ev("b", 60, "print", "rms", "P1")},
			[]string{"P1:a,b"}},
		{"an event matching both the absent and the next step breaks it", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "print", "pnc", "P1")}, nil},
		{"the last step alone does nothing", []string{ev("b", 60, "print", "rms", "P1")}, nil},
		{"keys are separate", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "print", "rms", "P2")}, nil},
		{"a later first step restarts the span", []string{ev("a", 0, "view", "rms", "P1"), ev("a2", day-10, "view", "rms", "P1"), ev("b", day+60, "print", "rms", "P1")},
			[]string{"P1:a2,b"}},
		{"a completed sequence starts over", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "print", "rms", "P1"), ev("b2", 2, "print", "rms", "P1")},
			[]string{"P1:a,b"}},
		{"a repeat within the dedupe interval extends the alert", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "print", "rms", "P1"),
			ev("a2", 2, "view", "rms", "P1"), ev("b2", 3, "print", "rms", "P1")}, []string{"P1:a,b,a2,b2"}},
		{"a repeat after the dedupe interval is a new alert", []string{ev("a", 0, "view", "rms", "P1"), ev("b", 1, "print", "rms", "P1"),
			ev("a2", 200, "view", "rms", "P1"), ev("b2", 201, "print", "rms", "P1")}, []string{"P1:a,b", "P1:a2,b2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := alertsSummary(run(t, seq, strings.Join(c.events, "\n")))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestExceptions checks that an exception suppresses matches until the end of
// its expiry date, and no longer.
func TestExceptions(t *testing.T) {
	set := ruleSet(t, `rules:
  - name: e
    kind: access
    key: person_id
    dedupe: 1m
    exceptions:
      - when: event.system == "pnc"
        reason: PNC checks audited by the bureau until the migration
        expires: 2024-03-02
`)
	got := alertsSummary(run(t, set, strings.Join([]string{
		ev("a", 0, "view", "pnc", "P1"), ev("b", 2*day-1, "view", "pnc", "P1"), ev("c", 2*day, "view", "pnc", "P1"), ev("d", 2*day+5, "view", "rms", "P1"),
	}, "\n")))
	if want := []string{"P1:c", "P1:d"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestExplanations checks that alerts explain themselves in plain words:
// the rule, the events and the figures compared.
func TestExplanations(t *testing.T) {
	win := ruleSet(t, `rules:
  - name: checks
    description: Checked the same person again and again.
    severity: high
    kind: access
    window: {over: 7d, by: person_id, threshold: 2}
`)
	got := run(t, win, strings.Join([]string{ev("a", 0, "view", "rms", "P1"), ev("b", 60, "view", "rms", "P1")}, "\n"))
	want := "Rule checks (high): Checked the same person again and again. 2 matching events by S1 about P1 in the 7 days up to 2024-03-01T01:00:00Z (event b), against a threshold of 2; score 4 = weight 4 × 2/2."
	if len(got) != 1 || got[0].Explanation != want {
		t.Errorf("window explanation:\n got %v\nwant %s", got, want)
	}
	seq := ruleSet(t, `rules:
  - name: s
    description: Viewed then printed
    kind: access
    sequence:
      by: person_id
      within: 1d
      steps:
        - {name: viewed, when: event.action == "view"}
        - {name: printed, when: event.action == "print"}
`)
	got = run(t, seq, strings.Join([]string{ev("a", 0, "view", "rms", "P1"), ev("b", 90, "print", "rms", "P1")}, "\n"))
	want = "Rule s (medium): Viewed then printed. S1 about P1: viewed (event a), then printed (event b), over 1h30m0s (limit 1 day); scored the rule's weight 2."
	if len(got) != 1 || got[0].Explanation != want {
		t.Errorf("sequence explanation:\n got %v\nwant %s", got, want)
	}
}
