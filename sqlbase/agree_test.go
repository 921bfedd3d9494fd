package sqlbase_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"lantern/detect"
	"lantern/ingest"
	"lantern/rules"
	"lantern/sim"
	"lantern/sqlbase"
)

// simForce generates a simulated force into a temporary directory and reads
// it back as records in time order (stable, so that records with the same
// time keep the order of the files, reference kinds first).
func simForce(t testing.TB, cfg sim.Config) []*ingest.Record {
	t.Helper()
	dir := t.TempDir()
	if _, err := sim.Generate(t.Context(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	var recs []*ingest.Record
	for _, k := range ingest.Kinds() {
		recs = append(recs, readKind(t, filepath.Join(dir, string(k)+".jsonl"), k, hasher)...)
	}
	slices.SortStableFunc(recs, func(a, b *ingest.Record) int { return a.Time.Compare(b.Time) })
	return recs
}

func readKind(t testing.TB, name string, k ingest.Kind, hasher *ingest.PhoneHasher) []*ingest.Record {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := ingest.NewLineReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := ingest.NewDecoder(k, hasher)
	var out []*ingest.Record
	for {
		line, n, err := lines.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		rec, err := dec.Decode(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		out = append(out, rec)
	}
}

// enginePairs runs the built-in library over recs, in order, with one engine
// and returns the (rule, staff, key) of every alert with the matches of its
// alerts added up.
func enginePairs(t testing.TB, recs []*ingest.Record) map[pair]int {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := detect.NewEngine(detect.NewWorld(), set)
	final := map[string]detect.Alert{}
	for _, r := range recs {
		for _, a := range e.Apply(r) {
			final[a.ID] = a
		}
	}
	if n := e.Stats().Errors; n > 0 {
		t.Errorf("%d rule evaluations failed", n)
	}
	out := map[pair]int{}
	for _, a := range final {
		out[pair{a.Rule, a.StaffID, a.Key}] += a.Matches
	}
	return out
}

// agreement is how the pairs of one rule compare.
type agreement struct{ both, onlySQL, onlyEngine, matchesDiffer int }

// TestAgreementWithEngine runs a simulated force of 200 staff over 20 days
// through the engine and through Load and Detect, and compares, per rule,
// the (staff, key) pairs each flags. docs/sqlbase.md records the figures.
func TestAgreementWithEngine(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("simulates a force; skipped under -short and -race")
	}
	recs := simForce(t, sim.Config{Staff: 200, Days: 40, Seed: seed(t), OffenderRate: 0.1})
	eng := enginePairs(t, recs)
	for _, d := range dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			res := loadAndDetect(t, d, recs)
			got := map[pair]int{}
			for _, rr := range res.Rules {
				for _, f := range rr.Flagged {
					got[pair{rr.Rule, f.Staff, f.Key}] = f.Matches
				}
			}
			per := map[string]*agreement{}
			for _, name := range sqlbase.Rules() {
				per[name] = &agreement{}
			}
			for p, n := range got {
				if m, ok := eng[p]; ok {
					per[p.rule].both++
					if m != n {
						per[p.rule].matchesDiffer++
						t.Logf("matches differ: %s/%s/%q: SQL %d, engine %d", p.rule, p.staff, p.key, n, m)
					}
				} else {
					per[p.rule].onlySQL++
					t.Logf("only SQL: %s/%s/%q", p.rule, p.staff, p.key)
				}
			}
			for p := range eng {
				if _, ok := got[p]; !ok {
					per[p.rule].onlyEngine++
					t.Logf("only engine: %s/%s/%q", p.rule, p.staff, p.key)
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%d records, %d events; load %v, detect %v (prepare %v)\n", res.Loaded.Records, res.Loaded.Events, res.Loaded.Time, res.Detect, res.Prepare)
			fmt.Fprintf(&b, "%-34s %6s %8s %11s %14s %10s\n", "rule", "both", "only SQL", "only engine", "matches differ", "time")
			for _, name := range sqlbase.Rules() {
				a := per[name]
				fmt.Fprintf(&b, "%-34s %6d %8d %11d %14d %10v\n", name, a.both, a.onlySQL, a.onlyEngine, a.matchesDiffer, res.Rule(name).Time.Round(time.Millisecond))
				// Every rule's SQL has the engine's semantics for events
				// in time order (docs/sqlbase.md); allow a little for
				// ties in time.
				if n := a.both + a.onlySQL + a.onlyEngine; n > 0 && float64(a.both-a.matchesDiffer) < 0.95*float64(n) {
					t.Errorf("%s: the SQL and the engine agree on %d of %d pairs, with the same matches on %d", name, a.both, n, a.both-a.matchesDiffer)
				}
			}
			t.Log("\n" + b.String())
		})
	}
}

// seed is the simulation's seed: 1, or LANTERN_TEST_SEED.
func seed(t testing.TB) int64 {
	s := os.Getenv("LANTERN_TEST_SEED")
	if s == "" {
		return 1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("LANTERN_TEST_SEED: %v", err)
	}
	return n
}
