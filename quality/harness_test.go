package quality

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern/detect"
	"lantern/ingest"
	"lantern/rules"
	"lantern/sim"
)

// run is one detection run over a force's directory: every alert and signal
// in its final state, the risk ranking and the period of the events.
type run struct {
	alerts   []detect.Alert
	ranking  []detect.StaffRisk
	from, to time.Time
	staff    int
}

// replay judges a simulator's directory with set directly, without intake or
// the event log: every reference record first (the World answers as of each
// event's time whatever the order), then the access and comms events merged
// in time order.
func replay(t testing.TB, dir string, set *detect.RuleSet) run {
	t.Helper()
	h, err := ingest.NewPhoneHasher([]byte("lantern-quality-harness-phone-key-not-secret"))
	if err != nil {
		t.Fatal(err)
	}
	e := detect.NewEngine(detect.NewWorld(), set)
	var out run
	staffAt := map[string]time.Time{}
	for _, k := range []ingest.Kind{ingest.KindStaff, ingest.KindPerson, ingest.KindIncident, ingest.KindInvolvement, ingest.KindAssignment, ingest.KindShift} {
		eachRecord(t, dir, k, h, func(r *ingest.Record) {
			if r.Staff != nil {
				if at, ok := staffAt[r.Staff.ID]; !ok || r.Time.Before(at) {
					staffAt[r.Staff.ID] = r.Time
				}
			}
			e.Apply(r)
		})
	}
	access := streamRecords(t, dir, ingest.KindAccess, h)
	comms := streamRecords(t, dir, ingest.KindComms, h)
	final := map[string]detect.Alert{}
	var order []string
	a, c := <-access, <-comms
	for a != nil || c != nil {
		var r *ingest.Record
		if c == nil || a != nil && !c.Time.Before(a.Time) {
			r, a = a, <-access
		} else {
			r, c = c, <-comms
		}
		if out.from.IsZero() {
			out.from = r.Time
		}
		out.to = r.Time
		for _, al := range e.Apply(r) {
			if _, ok := final[al.ID]; !ok {
				order = append(order, al.ID)
			}
			final[al.ID] = al
		}
	}
	risk := detect.NewRisk(0)
	for _, id := range order {
		out.alerts = append(out.alerts, final[id])
		risk.Add(final[id])
	}
	out.ranking = risk.Ranked(0)
	for _, at := range staffAt {
		if !at.After(out.from) {
			out.staff++
		}
	}
	return out
}

func eachRecord(t testing.TB, dir string, k ingest.Kind, h *ingest.PhoneHasher, fn func(*ingest.Record)) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, string(k)+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := ingest.NewDecoder(k, h)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, ingest.MaxLineBytes)
	for sc.Scan() {
		r, err := d.Decode(sc.Bytes())
		if err != nil {
			// Intake would quarantine the line; so does the harness.
			t.Logf("%s: skipped: %v", k, err)
			continue
		}
		fn(r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// streamRecords decodes a kind's file on its own goroutine, in file order.
func streamRecords(t testing.TB, dir string, k ingest.Kind, h *ingest.PhoneHasher) <-chan *ingest.Record {
	ch := make(chan *ingest.Record, 4096)
	go func() {
		defer close(ch)
		eachRecord(t, dir, k, h, func(r *ingest.Record) { ch <- r })
	}()
	return ch
}

// input turns a run into Score's input.
func (r run) input(truth []sim.Truth, set *detect.RuleSet) Input {
	in := Input{Truth: truth, Staff: r.staff, From: r.from, To: r.to}
	for _, a := range r.alerts {
		in.Alerts = append(in.Alerts, Alert{StaffID: a.StaffID, Rule: a.Rule, FirstEvidence: a.FirstEvidence,
			EvidenceIDs: a.EvidenceIDs, Signal: a.Signal})
	}
	for _, s := range r.ranking {
		in.Ranking = append(in.Ranking, Ranked{s.StaffID, s.Score})
	}
	return in
}

// TestEvalDir scores the built-in library and the baseline on a simulated
// force in $LANTERN_EVAL_DIR (skipped without it):
//
//	lantern simulate --seed 1 --out /tmp/force
//	LANTERN_EVAL_DIR=/tmp/force go test ./quality -run TestEvalDir -v -timeout 1h
//
// With $LANTERN_EVAL_DUMP set it also writes every alert, the ranking's top
// and the truth there, for analysis.
func TestEvalDir(t *testing.T) {
	dir := os.Getenv("LANTERN_EVAL_DIR")
	if dir == "" {
		t.Skip("LANTERN_EVAL_DIR is not set")
	}
	truth, err := sim.ReadTruth(filepath.Join(dir, sim.TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := rules.Load()
	if d := os.Getenv("LANTERN_EVAL_RULES"); d != "" {
		lib, err = detect.Load(os.DirFS(d), ".")
	}
	if err != nil {
		t.Fatal(err)
	}
	base, err := BaselineRules()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	lr := replay(t, dir, lib)
	t.Logf("library replayed in %s", time.Since(start).Round(time.Second))
	rep := Score(lr.input(truth, lib))
	if os.Getenv("LANTERN_EVAL_NOBASE") == "" {
		br := replay(t, dir, base)
		b := Score(br.input(truth, base))
		rep.Baseline = &b
	}
	var sb strings.Builder
	rep.WriteText(&sb)
	t.Log("\n" + sb.String())
	if js, err := json.Marshal(rep); err != nil {
		t.Error(err)
	} else {
		t.Log(string(js))
	}
	if p := os.Getenv("LANTERN_EVAL_DUMP"); p != "" {
		dump(t, p, lr, truth)
	}
}

// dump writes alerts (one JSON object a line, with the member of staff's
// role and whether they are an offender) and the top of the ranking.
func dump(t *testing.T, path string, r run, truth []sim.Truth) {
	offenders := map[string]bool{}
	for _, tr := range truth {
		offenders[tr.StaffID] = true
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, a := range r.alerts {
		_ = enc.Encode(map[string]any{"type": "alert", "staff": a.StaffID, "offender": offenders[a.StaffID], "rule": a.Rule,
			"key": a.Key, "first": a.FirstEvidence, "last": a.LastEvidence, "score": a.Score, "signal": a.Signal,
			"matches": a.Matches, "evidence": a.EvidenceIDs, "why": a.Explanation})
	}
	top := r.ranking[:min(len(r.ranking), 200)]
	for i, s := range top {
		rules := slices.Collect(func(yield func(string) bool) {
			for _, c := range s.Top {
				if !yield(fmt.Sprintf("%s:%.3g", c.Rule, c.Decayed)) {
					return
				}
			}
		})
		_ = enc.Encode(map[string]any{"type": "rank", "rank": i + 1, "staff": s.StaffID, "offender": offenders[s.StaffID], "score": s.Score, "top": rules})
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}
