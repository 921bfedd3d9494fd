package quality

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"lantern/detect"
	"lantern/ingest"
)

// TestBaselineRule checks the baseline's one rule: distinct vulnerable
// people viewed in 30 days, against its threshold of 300.
func TestBaselineRule(t *testing.T) {
	set, err := BaselineRules()
	if err != nil {
		t.Fatal(err)
	}
	r := set.Rule("vulnerable_views_30d")
	if r == nil || r.Window == nil || r.Window.Threshold != 300 || r.Window.Over != 30*24*time.Hour {
		t.Fatalf("rule %+v", r)
	}
	h, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	// views writes n views by S1, one person each, every step apart from
	// 2024-03-01; flagged says whether the people are vulnerable.
	views := func(n int, step time.Duration, flagged bool) string {
		var b strings.Builder
		b.WriteString(`staff {"id":"S1","category":"staff","role":"safeguarding","gender":"female","area":"north","start_date":"2015-01-01"}` + "\n")
		flags := ""
		if flagged {
			flags = `,"flags":["domestic_abuse_victim"]`
		}
		for i := range n {
			fmt.Fprintf(&b, `person {"id":"P%d","gender":"female","birth_year":1990%s,"time":"2024-01-01T00:00:00Z"}`+"\n", i, flags)
		}
		for i := range n {
			at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * step)
			fmt.Fprintf(&b, `access {"id":"a%d","time":%q,"staff_id":"S1","system":"rms","action":"view","person_id":"P%d"}`+"\n", i, at.Format(time.RFC3339), i)
		}
		return b.String()
	}
	cases := []struct {
		name   string
		script string
		want   int
	}{
		{"300 in a day", views(300, time.Minute, true), 1},
		{"299 in a day", views(299, time.Minute, true), 0},
		{"300 people not flagged", views(300, time.Minute, false), 0},
		{"300 over 50 days", views(300, 4*time.Hour, true), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := detect.ParseRecords(c.script, h)
			if err != nil {
				t.Fatal(err)
			}
			e := detect.NewEngine(detect.NewWorld(), set)
			ids := map[string]bool{}
			for _, rec := range recs {
				for _, a := range e.Apply(rec) {
					ids[a.ID] = true
				}
			}
			if len(ids) != c.want {
				t.Errorf("%d alerts, want %d", len(ids), c.want)
			}
		})
	}
}
