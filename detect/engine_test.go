package detect_test

import (
	"reflect"
	"testing"
	"time"

	"lantern/detect"
	"lantern/rules"
)

func library(t testing.TB) *detect.RuleSet {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestDeterminism checks that the same records give the same alerts, ids and
// explanations included, twice.
func TestDeterminism(t *testing.T) {
	set := library(t)
	f := newSynthForce(1, 200, 20000)
	var runs [2][]detect.Alert
	for i := range runs {
		e := f.engine(set)
		for _, r := range f.events {
			runs[i] = append(runs[i], e.Apply(r)...)
		}
		if e.Stats().Errors > 0 {
			t.Errorf("%d evaluations failed", e.Stats().Errors)
		}
	}
	if len(runs[0]) == 0 {
		t.Fatal("the synthetic force raised no alerts")
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Fatal("two runs over the same records differ")
	}
	seen := map[string]bool{}
	for _, a := range runs[0] {
		seen[a.Rule] = true
	}
	t.Logf("%d alert updates from rules %v", len(runs[0]), seen)
}

// TestSetRulesKeepsState checks that replacing the rule set keeps the state of
// rules that keep their names.
func TestSetRulesKeepsState(t *testing.T) {
	set := library(t)
	f := newSynthForce(2, 50, 4000)
	whole := f.engine(set)
	split := f.engine(set)
	var a, b []detect.Alert
	for i, r := range f.events {
		a = append(a, whole.Apply(r)...)
		if i == len(f.events)/2 {
			again := library(t)
			split.SetRules(again)
		}
		b = append(b, split.Apply(r)...)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("a reload of the same rules changed the alerts")
	}
}

// TestRiskRanking checks that Risk ranks by decayed score and explains it.
func TestRiskRanking(t *testing.T) {
	risk := detect.NewRisk(10 * 24 * time.Hour)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	risk.Add(detect.Alert{ID: "a1", Rule: "r", StaffID: "S1", Score: 4, LastEvidence: t0})
	risk.Add(detect.Alert{ID: "a2", Rule: "r", StaffID: "S2", Score: 4, LastEvidence: t0.Add(10 * 24 * time.Hour)})
	risk.Add(detect.Alert{ID: "a3", Rule: "q", StaffID: "S1", Score: 1, LastEvidence: t0.Add(10 * 24 * time.Hour)})
	risk.Add(detect.Alert{ID: "a3", Rule: "q", StaffID: "S1", Score: 1.5, LastEvidence: t0.Add(10 * 24 * time.Hour)})
	got := risk.Ranked(0)
	if len(got) != 2 || got[0].StaffID != "S2" || got[0].Score != 4 || got[1].StaffID != "S1" || got[1].Score != 3.5 {
		t.Fatalf("ranking: %+v", got)
	}
	if got[1].Top[0].AlertID != "a1" || got[1].Top[0].Decayed != 2 || got[1].Explanation == "" {
		t.Errorf("top contribution: %+v", got[1])
	}
	if one := risk.Ranked(1); len(one) != 1 {
		t.Errorf("limit: %d", len(one))
	}
}

// BenchmarkEngine judges a synthetic force's events with the whole built-in
// library loaded and reports events per second.
func BenchmarkEngine(b *testing.B) { benchmarkEngine(b, true) }

// BenchmarkEngineWithoutGuards is BenchmarkEngine evaluating every condition
// whole, to show what shared guards save.
func BenchmarkEngineWithoutGuards(b *testing.B) { benchmarkEngine(b, false) }

func benchmarkEngine(b *testing.B, guards bool) {
	set := library(b)
	f := newSynthForce(3, 1000, 200000)
	e := f.engine(set)
	detect.SetGuards(e, guards)
	b.ReportAllocs()
	b.ResetTimer()
	alerts := 0
	for i := 0; i < b.N; i++ {
		j := i % len(f.events)
		if j == 0 && i > 0 {
			b.StopTimer()
			e = f.engine(set)
			detect.SetGuards(e, guards)
			b.StartTimer()
		}
		alerts += len(e.Apply(f.events[j]))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/event")
}

// TestConcurrentReload applies records while another goroutine swaps the rule
// set, for the race detector.
func TestConcurrentReload(t *testing.T) {
	set := library(t)
	f := newSynthForce(5, 20, 2000)
	e := f.engine(set)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			e.SetRules(library(t))
		}
	}()
	for _, r := range f.events {
		e.Apply(r)
	}
	<-done
	if e.Stats().Events != len(f.events) {
		t.Errorf("judged %d of %d events", e.Stats().Events, len(f.events))
	}
}

// TestRiskRepetitionHalves checks that further alerts of one rule count half
// the one before, so breadth outweighs repetition.
func TestRiskRepetitionHalves(t *testing.T) {
	risk := detect.NewRisk(10 * 24 * time.Hour)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c"} {
		risk.Add(detect.Alert{ID: id, Rule: "same", StaffID: "S1", Score: 4, LastEvidence: t0.Add(time.Duration(i) * time.Second)})
	}
	risk.Add(detect.Alert{ID: "d", Rule: "one", StaffID: "S2", Score: 4, LastEvidence: t0})
	risk.Add(detect.Alert{ID: "e", Rule: "two", StaffID: "S2", Score: 4, LastEvidence: t0})
	got := risk.Ranked(0)
	if got[0].StaffID != "S2" || got[1].StaffID != "S1" {
		t.Fatalf("ranking %+v", got)
	}
	if s := got[1].Score; s < 6.99 || s > 7.01 {
		t.Errorf("S1 scores %v, want about 4 + 2 + 1", s)
	}
}

// TestGuardsChangeNothing checks that evaluating shared leading terms once per
// event gives exactly the alerts of evaluating every condition whole.
func TestGuardsChangeNothing(t *testing.T) {
	set := library(t)
	f := newSynthForce(7, 200, 30000)
	var runs [2][]detect.Alert
	for i := range runs {
		e := f.engine(set)
		detect.SetGuards(e, i == 0)
		for _, r := range f.events {
			runs[i] = append(runs[i], e.Apply(r)...)
		}
	}
	if len(runs[0]) == 0 || !reflect.DeepEqual(runs[0], runs[1]) {
		t.Fatalf("with guards %d alert updates, without %d, or they differ", len(runs[0]), len(runs[1]))
	}
}
