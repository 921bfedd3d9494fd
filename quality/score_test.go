package quality

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"lantern/sim"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return t0.Add(time.Duration(n * float64(24*time.Hour))) }

// truth is two offenders: S1 with two behaviours (onsets day 10 and 20), S2
// with one (day 30).
var truth = []sim.Truth{
	{StaffID: "S1", Pattern: "trawling", Onset: day(10), EventIDs: []string{"A1", "A2"}},
	{StaffID: "S1", Pattern: "off_duty_access", Onset: day(20), EventIDs: []string{"A3"}, Careful: true},
	{StaffID: "S2", Pattern: "work_phone_contact", Onset: day(30), EventIDs: []string{"C1", "C2"}},
}

// perfect is a run that alerts on each behaviour at its onset, with its
// events as evidence, and ranks the offenders first.
func perfect() Input {
	return Input{
		Truth: truth,
		Alerts: []Alert{
			{StaffID: "S1", Rule: "trawling_peer", FirstEvidence: day(10), EvidenceIDs: []string{"A1", "A2"}},
			{StaffID: "S1", Rule: "off_duty_access", FirstEvidence: day(20), EvidenceIDs: []string{"A3"}},
			{StaffID: "S2", Rule: "victim_contact_no_case", FirstEvidence: day(30), EvidenceIDs: []string{"C1"}},
		},
		Ranking: []Ranked{{"S1", 9}, {"S2", 5}, {"S3", 1}},
		Staff:   200,
		From:    day(0),
		To:      day(70),
	}
}

// TestScorePerfect checks that a run finding every offender at onset, with
// nothing else, scores recall and precision 1.
func TestScorePerfect(t *testing.T) {
	r := Score(perfect())
	checks := []struct {
		name      string
		got, want float64
	}{
		{"recall", float64(r.Recall), 1},
		{"precision at k", float64(r.PrecisionAtK), 1},
		{"precision at 1%", float64(r.PrecisionAt1Pct), 1},
		{"median days", float64(r.MedianDaysToDetect), 0},
		{"false alerts", float64(r.FalseAlertsPer1000), 0},
		{"staff-weeks", r.StaffWeeks, 2000},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.K != 2 || r.K1Pct != 2 || r.Offenders != 2 || r.Behaviours != 3 || r.Detected != 2 {
		t.Errorf("counts: %+v", r)
	}
	for _, p := range r.PerPattern {
		if p.Recall != 1 || p.Overlap != 1 || p.MedianDaysToDetect != 0 {
			t.Errorf("pattern %+v", p)
		}
	}
}

// TestScore is the table of Score's definitions on small hand-made runs.
func TestScore(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		check func(t *testing.T, r Report)
	}{
		{"a signal is not a queue alert", func(in *Input) {
			in.Alerts[2].Signal = true
		}, func(t *testing.T, r Report) {
			if r.Recall != 0.5 || r.Detected != 1 || r.Alerts != 2 || r.Signals != 1 || r.SignalsByRule["victim_contact_no_case"] != 1 {
				t.Errorf("recall %v detected %d alerts %d signals %d", r.Recall, r.Detected, r.Alerts, r.Signals)
			}
			p := pattern(t, r, "work_phone_contact")
			if p.Recall != 0 || p.Overlap != 0 || p.SignalOverlap != 1 || p.MedianDaysToDetect.Defined() {
				t.Errorf("pattern %+v", p)
			}
		}},
		{"false alerts per 1,000 staff-weeks", func(in *Input) {
			for range 4 {
				in.Alerts = append(in.Alerts, Alert{StaffID: "S9", Rule: "no_purpose_access", FirstEvidence: day(5)})
			}
		}, func(t *testing.T, r Report) {
			// 4 false alerts over 200 staff × 10 weeks.
			if r.FalseAlerts != 4 || r.FalseByRule["no_purpose_access"] != 4 || math.Abs(float64(r.FalseAlertsPer1000)-2) > 1e-9 {
				t.Errorf("false %d (%v) rate %v", r.FalseAlerts, r.FalseByRule, r.FalseAlertsPer1000)
			}
		}},
		{"delay from the earliest onset to the first alert", func(in *Input) {
			in.Alerts[0].FirstEvidence = day(13) // S1: 3 days
			in.Alerts[1].FirstEvidence = day(25)
			in.Alerts[2].FirstEvidence = day(38) // S2: 8 days
		}, func(t *testing.T, r Report) {
			if r.MedianDaysToDetect != 5.5 {
				t.Errorf("median %v, want 5.5", r.MedianDaysToDetect)
			}
			// Per pattern, from the onset to the member of staff's first queue
			// alert at or after it: day 13's alert came before day 20.
			if p := pattern(t, r, "trawling"); p.MedianDaysToDetect != 3 {
				t.Errorf("trawling median %v, want 3", p.MedianDaysToDetect)
			}
			if p := pattern(t, r, "off_duty_access"); p.MedianDaysToDetect != 5 {
				t.Errorf("off_duty_access median %v, want 5", p.MedianDaysToDetect)
			}
		}},
		{"an alert before the onset detects the offender at once but not the behaviour", func(in *Input) {
			in.Alerts = in.Alerts[2:]
			in.Alerts = append(in.Alerts, Alert{StaffID: "S1", Rule: "no_purpose_access", FirstEvidence: day(2)})
		}, func(t *testing.T, r Report) {
			if r.Recall != 1 || r.MedianDaysToDetect != 0 {
				t.Errorf("recall %v median %v", r.Recall, r.MedianDaysToDetect)
			}
			if p := pattern(t, r, "trawling"); p.Recall != 0 || p.Overlap != 0 {
				t.Errorf("trawling %+v", p)
			}
		}},
		{"a ranking shorter than k counts the missing places as wrong", func(in *Input) {
			in.Ranking = in.Ranking[:1]
		}, func(t *testing.T, r Report) {
			if r.PrecisionAtK != 0.5 {
				t.Errorf("precision %v", r.PrecisionAtK)
			}
		}},
		{"non-offenders ranked above offenders", func(in *Input) {
			in.Ranking = []Ranked{{"S7", 20}, {"S1", 9}, {"S2", 5}}
			in.Staff = 300
		}, func(t *testing.T, r Report) {
			if r.PrecisionAtK != 0.5 || r.K1Pct != 3 || math.Abs(float64(r.PrecisionAt1Pct)-2.0/3) > 1e-9 {
				t.Errorf("precision %v at %d, %v at %d", r.PrecisionAtK, r.K, r.PrecisionAt1Pct, r.K1Pct)
			}
		}},
		{"nobody detected leaves the median undefined", func(in *Input) {
			in.Alerts = nil
		}, func(t *testing.T, r Report) {
			if r.Recall != 0 || r.MedianDaysToDetect.Defined() {
				t.Errorf("recall %v median %v", r.Recall, r.MedianDaysToDetect)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := perfect()
			in.Alerts = append([]Alert(nil), in.Alerts...)
			c.edit(&in)
			c.check(t, Score(in))
		})
	}
}

func pattern(t *testing.T, r Report, name string) PatternScore {
	t.Helper()
	for _, p := range r.PerPattern {
		if p.Pattern == name {
			return p
		}
	}
	t.Fatalf("no pattern %s in %+v", name, r.PerPattern)
	return PatternScore{}
}

// TestReportJSON checks the keys a consumer relies on, and that an undefined
// figure is null.
func TestReportJSON(t *testing.T) {
	in := perfect()
	in.Alerts = nil
	r := Score(in)
	b := Score(perfect())
	r.Baseline = &b
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"recall", "precision_at_k", "precision_at_1pct", "k", "k_1pct", "median_days_to_detect", "false_alerts_per_1000_staff_weeks", "per_pattern", "baseline"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no key %q in %s", k, data)
		}
	}
	if m["median_days_to_detect"] != nil {
		t.Errorf("median %v, want null", m["median_days_to_detect"])
	}
	if base := m["baseline"].(map[string]any); base["recall"] != 1.0 {
		t.Errorf("baseline %v", base)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.MedianDaysToDetect.Defined() || back.Baseline.Recall != 1 {
		t.Errorf("round trip: %+v", back)
	}
}

// TestWriteText checks that the text report shows both columns and every
// pattern.
func TestWriteText(t *testing.T) {
	r := Score(perfect())
	b := Score(Input{Truth: truth, Staff: 200, From: day(0), To: day(70)})
	r.Baseline = &b
	var sb strings.Builder
	r.WriteText(&sb)
	out := sb.String()
	for _, want := range []string{"Lantern", "baseline", "recall (offenders with a queue alert)", "precision at k = 2 offenders", "trawling", "work_phone_contact", "off_duty_access", "victim_contact_no_case"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
