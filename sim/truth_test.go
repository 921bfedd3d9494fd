package sim

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"lantern/ingest"
)

// TestTruthNamesRealEvents checks the ground truth of a moderate force:
// every pattern is planted, careful and blatant variants both occur, and
// every event a behaviour lists exists, belongs to its member of staff, and
// none comes before the behaviour's onset.
func TestTruthNamesRealEvents(t *testing.T) {
	dir, st := generate(t, moderateForce)
	truth, err := ReadTruth(filepath.Join(dir, TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(truth) != st.Behaviours || st.Offenders == 0 {
		t.Fatalf("%d truth lines, stats say %d behaviours of %d offenders", len(truth), st.Behaviours, st.Offenders)
	}
	type event struct {
		staff string
		at    time.Time
	}
	want := map[string]event{}
	patterns := map[string]int{}
	careful := map[bool]int{}
	for _, tr := range truth {
		patterns[tr.Pattern]++
		careful[tr.Careful]++
		if len(tr.EventIDs) == 0 {
			t.Errorf("%s %s lists no events", tr.StaffID, tr.Pattern)
		}
		for _, id := range tr.EventIDs {
			want[id] = event{staff: tr.StaffID}
		}
	}
	for _, p := range Patterns() {
		if patterns[p] == 0 {
			t.Errorf("no %s planted in %s", p, moderateForce)
		}
	}
	if careful[true] == 0 || careful[false] == 0 {
		t.Errorf("careful/blatant behaviours: %v", careful)
	}
	for _, k := range []ingest.Kind{ingest.KindAccess, ingest.KindComms} {
		eachLine(t, dir, k, func(n int, line []byte) {
			id := field(line, "id")
			if e, ok := want[id]; ok {
				if got := field(line, "staff_id"); got != e.staff {
					t.Errorf("%s.jsonl:%d: event %s is %s's, truth says %s's", k, n, id, got, e.staff)
				}
				want[id] = event{staff: e.staff, at: fieldTime(t, line, "time")}
			}
		})
	}
	for _, tr := range truth {
		first := time.Time{}
		for _, id := range tr.EventIDs {
			e := want[id]
			if e.at.IsZero() {
				t.Fatalf("%s %s lists %s, which is in no file", tr.StaffID, tr.Pattern, id)
			}
			if first.IsZero() || e.at.Before(first) {
				first = e.at
			}
		}
		if !first.Equal(tr.Onset) {
			t.Errorf("%s %s: onset %s, first event %s", tr.StaffID, tr.Pattern, tr.Onset, first)
		}
	}
}

// TestPlantedBehaviourMeansWhatItSays checks two patterns against the
// records a detector would use: off-duty access falls outside every working
// shift of the offender's roster, and out-of-area access is to incidents in
// another area than the offender's.
func TestPlantedBehaviourMeansWhatItSays(t *testing.T) {
	dir, _ := generate(t, moderateForce)
	truth, err := ReadTruth(filepath.Join(dir, TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	pattern := map[string]Truth{} // event id → its behaviour
	offenders := map[string]bool{}
	for _, tr := range truth {
		if tr.Pattern == PatternOffDutyAccess || tr.Pattern == PatternOutOfAreaAccess {
			offenders[tr.StaffID] = true
			for _, id := range tr.EventIDs {
				pattern[id] = tr
			}
		}
	}
	area := map[string]string{}
	eachLine(t, dir, ingest.KindStaff, func(_ int, line []byte) { area[field(line, "id")] = field(line, "area") })
	incidentArea := map[string]string{}
	eachLine(t, dir, ingest.KindIncident, func(_ int, line []byte) { incidentArea[field(line, "id")] = field(line, "area") })
	type span struct{ start, end time.Time }
	working := map[string][]span{}
	eachLine(t, dir, ingest.KindShift, func(_ int, line []byte) {
		s := field(line, "staff_id")
		if k := field(line, "kind"); offenders[s] && k != "leave" && k != "sick" {
			working[s] = append(working[s], span{fieldTime(t, line, "start"), fieldTime(t, line, "end")})
		}
	})
	checked := map[string]int{}
	eachLine(t, dir, ingest.KindAccess, func(n int, line []byte) {
		tr, ok := pattern[field(line, "id")]
		if !ok {
			return
		}
		checked[tr.Pattern]++
		switch tr.Pattern {
		case PatternOffDutyAccess:
			at := fieldTime(t, line, "time")
			if slices.ContainsFunc(working[tr.StaffID], func(s span) bool { return !at.Before(s.start) && at.Before(s.end) }) {
				t.Errorf("access.jsonl:%d: off-duty access by %s at %s falls in a shift", n, tr.StaffID, at)
			}
		case PatternOutOfAreaAccess:
			if in := field(line, "incident_id"); in != "" && incidentArea[in] == area[tr.StaffID] {
				t.Errorf("access.jsonl:%d: out-of-area access by %s to %s in their own area", n, tr.StaffID, in)
			}
		}
	})
	for _, p := range []string{PatternOffDutyAccess, PatternOutOfAreaAccess} {
		if checked[p] == 0 {
			t.Errorf("no %s events checked", p)
		}
	}
}

// TestAssignmentsEndAfterTheyStart checks a force large enough for staff to
// leave while their cases close overnight: a case that closes before the
// colleague taking it on would start is not handed on, so no assignment ends
// before it begins (intake would reject it).
func TestAssignmentsEndAfterTheyStart(t *testing.T) {
	dir, _ := generate(t, Config{Staff: 2000, Days: 60, Seed: 4})
	f, err := os.Open(filepath.Join(dir, "assignment.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var a struct {
			At    time.Time  `json:"at"`
			Until *time.Time `json:"until"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		n++
		if a.Until != nil && a.Until.Before(a.At) {
			t.Errorf("assignment line %d ends before it starts: %s", n, sc.Text())
		}
	}
	if err := sc.Err(); err != nil || n == 0 {
		t.Fatalf("read %d assignments: %v", n, err)
	}
}
