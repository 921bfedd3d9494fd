package detect

import (
	"fmt"
	"strings"
	"testing"
)

const peerStaff = `
staff {"id":"A","category":"officer","role":"response","gender":"male","start_date":"2015-01-01"}
staff {"id":"B","category":"officer","role":"response","gender":"male","start_date":"2015-01-01"}
staff {"id":"C","category":"officer","role":"response","gender":"male","start_date":"2015-01-01"}
staff {"id":"D","category":"officer","role":"response","gender":"male","start_date":"2015-01-01"}
staff {"id":"E","category":"staff","role":"safeguarding","gender":"female","start_date":"2015-01-01"}
`

// view writes an access event by staff of person at minutes after
// 2024-03-01T00:00Z.
func view(id, staff string, minutes int, person string) string {
	t := at("2024-03-01T00:00:00Z").Add(minuteDur(minutes))
	return fmt.Sprintf(`access {"id":%q,"time":%q,"staff_id":%q,"system":"rms","action":"view","person_id":%q}`, id, stamp(t), staff, person)
}

// peerHistory has A to D each view one new person a day for days 0 to 3.
func peerHistory() []string {
	var out []string
	for d := range 4 {
		for i, s := range []string{"A", "B", "C", "D"} {
			out = append(out, view(fmt.Sprintf("h%d%s", d, s), s, d*day+60*(i+8), fmt.Sprintf("%s-%d", s, d)))
		}
	}
	return out
}

// burst has staff view n new people from minute start, one a minute.
func burst(staff string, start, n int) []string {
	var out []string
	for i := range n {
		out = append(out, view(fmt.Sprintf("b%s%d", staff, i), staff, start+i, fmt.Sprintf("new-%d", i)))
	}
	return out
}

// TestPeerSemantics checks the peer comparison: the modified z-score against
// the same role's median and MAD (floored at 1) taken at the day's boundary,
// the minimum value, the warm-up of one full window and the smallest group.
func TestPeerSemantics(t *testing.T) {
	rule := func(minValue int) *RuleSet {
		return ruleSet(t, fmt.Sprintf(`rules:
  - name: p
    kind: access
    window: {over: 2d, distinct: person_id}
    peer: {min_score: 3.5, min_value: %d}
`, minValue))
	}
	cases := []struct {
		name    string
		set     *RuleSet
		events  []string
		want    int    // alerts
		evCount int    // evidence of the first alert
		explain string // in the first alert's explanation
	}{
		// At day 4's boundary every response officer has 2 people in the
		// window (days 2 and 3): median 2, MAD 0 taken as 1. A needs
		// 0.6745·(x−2) ≥ 3.5, so x ≥ 8. At 10:00 on day 4 A's window holds
		// day 3's person, so the 7th new person raises the alert and the
		// 8th extends it.
		{"far above the peers", rule(3), append(peerHistory(), burst("A", 4*day+600, 8)...), 1, 9,
			`the 4 staff in role "response" had a median of 2 and a median absolute deviation of 0 (taken as 1)`},
		{"not far enough above", rule(3), append(peerHistory(), burst("A", 4*day+600, 6)...), 0, 0, ""},
		{"the minimum value holds it back", rule(20), append(peerHistory(), burst("A", 4*day+600, 8)...), 0, 0, ""},
		{"no comparison before a full window of history", rule(3), append(peerHistory()[:4], burst("A", day+600, 12)...), 0, 0, ""},
		{"a group of one compares nobody", rule(3), append(peerHistory(), burst("E", 4*day+600, 12)...), 0, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.set, peerStaff+strings.Join(c.events, "\n"))
			if len(got) != c.want {
				t.Fatalf("got %d alerts %v, want %d", len(got), alertsSummary(got), c.want)
			}
			if c.want == 0 {
				return
			}
			a := got[0]
			if a.StaffID != "A" || len(a.EvidenceIDs) != c.evCount || !strings.Contains(a.Explanation, c.explain) {
				t.Errorf("alert %+v", a)
			}
		})
	}
}

// TestPeerStats checks the median and MAD of a group.
func TestPeerStats(t *testing.T) {
	ps := computePeerStats([]float64{1, 2, 3, 4, 100})
	if ps.n != 5 || ps.median != 3 || ps.mad != 1 {
		t.Errorf("stats %+v", ps)
	}
	if z := ps.z(100); z != 0.6745*97 {
		t.Errorf("z %v", z)
	}
	even := computePeerStats([]float64{4, 1, 3, 2})
	if even.median != 2.5 || even.mad != 1 {
		t.Errorf("even stats %+v", even)
	}
	if z := even.z(1e9); z != maxZ {
		t.Errorf("z is not capped: %v", z)
	}
}
