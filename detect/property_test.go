package detect

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestWindowMatchesNaive drives a window rule with random events (gaps of
// any size, some late, few keys and values) and checks, after every event,
// that the engine's window measure is what a naive recount of every accepted
// event gives.
func TestWindowMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		distinct := rapid.Bool().Draw(t, "distinct")
		over := time.Duration(rapid.IntRange(1, 120).Draw(t, "over_minutes")) * time.Minute
		r := &Rule{Name: "w", Window: &Window{Over: over, By: "person_id", Threshold: 1 << 30}, Dedupe: time.Hour}
		if distinct {
			r.Window.Distinct = "query"
		}
		e := NewEngine(NewWorld(), nil)
		type accepted struct {
			at         int64
			key, value string
		}
		var kept []accepted
		latest := map[string]int64{} // by key: each window moves with its own events
		now := int64(0)
		n := rapid.IntRange(1, 200).Draw(t, "events")
		for i := range n {
			step := rapid.IntRange(-30, 90).Draw(t, "step_minutes")
			at := now + int64(step)*int64(time.Minute)
			now = max(now, at)
			key := fmt.Sprint("P", rapid.IntRange(0, 2).Draw(t, "person"))
			value := fmt.Sprint("q", rapid.IntRange(0, 4).Draw(t, "value"))
			e.ev = Event{ID: fmt.Sprint("e", i), Time: time.Unix(0, at).UTC(), StaffID: "S1", PersonID: key, Query: value}
			e.judgeWindow(r)

			// The model: an event is accepted unless it is older than the
			// window of its key ending at the latest time that key has seen.
			latest[key] = max(latest[key], at)
			cutoff := latest[key] - int64(over)
			if at > cutoff {
				kept = append(kept, accepted{at, key, value})
			}
			w := e.states[r.stateKey].windows[stableHash("S1", key)]
			if at <= cutoff && w == nil {
				continue
			}
			want := 0
			seen := map[string]bool{}
			for _, k := range kept {
				if k.key != key || k.at <= cutoff {
					continue
				}
				if distinct {
					if !seen[k.value] {
						seen[k.value] = true
						want++
					}
				} else {
					want++
				}
			}
			if at > cutoff && w.measure() != want {
				t.Fatalf("event %d at %d: measure %d, naive %d", i, at, w.measure(), want)
			}
		}
	})
}

// TestSequenceMatchesNaive checks the sequence state machine against a
// direct statement of its rules for a three-step sequence with an absent
// middle step, over random event streams.
func TestSequenceMatchesNaive(t *testing.T) {
	seq := &Sequence{Within: 10 * time.Minute, Steps: []Step{{Name: "a"}, {Name: "x", Absent: true}, {Name: "b"}}}
	rapid.Check(t, func(t *rapid.T) {
		var st *seqState
		// The model: the time of the pending first step, if any.
		var pending *int64
		now := int64(0)
		n := rapid.IntRange(1, 100).Draw(t, "events")
		for i := range n {
			now += int64(rapid.IntRange(0, 6).Draw(t, "gap")) * int64(time.Minute)
			isA, isX, isB := rapid.Bool().Draw(t, "a"), rapid.Bool().Draw(t, "x"), rapid.Bool().Draw(t, "b")
			match := func(j int) bool { return []bool{isA, isX, isB}[j] }
			var out seqOutcome
			st, out = stepSequence(seq, st, now, fmt.Sprint(i), match)

			want := seqNone
			if pending != nil && now-*pending > int64(seq.Within) {
				pending = nil
			}
			switch {
			case pending != nil && isX:
				pending = nil
				want = seqBroken
				if isA {
					p := now
					pending, want = &p, seqStarted
				}
			case pending != nil && isB:
				pending, want = nil, seqComplete
			case isA:
				p := now
				pending, want = &p, seqStarted
			}
			if out != want {
				t.Fatalf("event %d (a=%v x=%v b=%v): got outcome %d, want %d", i, isA, isX, isB, out, want)
			}
			if out == seqComplete {
				st = nil
			}
		}
	})
}

// TestWorldOrderIndependent checks that the World answers every question the
// same whatever order the reference records were applied in, and however
// often each was applied.
func TestWorldOrderIndependent(t *testing.T) {
	recs := records(t, worldScript)
	want := NewWorld()
	for _, r := range recs {
		want.Apply(r)
	}
	rapid.Check(t, func(t *rapid.T) {
		order := rapid.Permutation(recs).Draw(t, "order")
		w := NewWorld()
		for _, r := range order {
			w.Apply(r)
			if rapid.IntRange(0, 4).Draw(t, "again") == 0 {
				w.Apply(r)
			}
		}
		for range 20 {
			tt := at("2024-01-15T00:00:00Z").Add(time.Duration(rapid.IntRange(0, 200*24).Draw(t, "hour")) * time.Hour)
			s := rapid.SampledFrom([]string{"S1", "S2"}).Draw(t, "staff")
			got := fmt.Sprint(w.Vulnerable("P1", tt), w.Linked(s, "P1", tt), w.Attended(s, "P1", tt), w.OpenCaseWith(s, "P1", tt),
				w.CaseOpen("I1", tt), w.OnDuty(s, tt), w.Gender("P1", tt))
			exp := fmt.Sprint(want.Vulnerable("P1", tt), want.Linked(s, "P1", tt), want.Attended(s, "P1", tt), want.OpenCaseWith(s, "P1", tt),
				want.CaseOpen("I1", tt), want.OnDuty(s, tt), want.Gender("P1", tt))
			if got != exp {
				t.Fatalf("at %s for %s: got %s, want %s", tt, s, got, exp)
			}
			f1, _ := w.Staff(s, tt)
			f2, _ := want.Staff(s, tt)
			if f1 != f2 {
				t.Fatalf("staff at %s: %+v, want %+v", tt, f1, f2)
			}
		}
	})
}
