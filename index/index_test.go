package index_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/index"
	"lantern/ingest"
	"lantern/intake"
	"lantern/nats"
	"lantern/rules"
	"lantern/sim"
	"lantern/sqlite"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// force is a small simulated force loaded through intake into an embedded
// event log and a SQLite store, as `lantern ingest DIR` loads it.
type force struct {
	log    *nats.Log
	store  *sqlite.DB
	phones *ingest.PhoneHasher
	rules  *detect.RuleSet
}

func loadForce(t testing.TB, staff, days int) *force {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	input := filepath.Join(dir, "input")
	if _, err := sim.Generate(ctx, sim.Config{Staff: staff, Days: days, Seed: 3, OffenderRate: 0.05}, input); err != nil {
		t.Fatal(err)
	}
	phones, err := ingest.NewPhoneHasher(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := intake.NewSealer(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log, err := nats.Open(ctx, nats.Config{DataDir: filepath.Join(dir, "nats"), Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	in, err := intake.Open(ctx, intake.Config{Log: log, Store: store, Phones: phones, Sealer: sealer, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	var inps []intake.Input
	for _, k := range ingest.Kinds() {
		data, err := os.ReadFile(filepath.Join(input, string(k)+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		inps = append(inps, intake.Input{Source: string(k), Kind: k, Reader: bytes.NewReader(data)})
	}
	sums, err := in.SubmitMerged(ctx, inps)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Rejected > 0 {
			t.Fatalf("%s: %+v", s.Source, s)
		}
	}
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &force{log: log, store: store, phones: phones, rules: set}
}

// runIndexer runs an indexer over the whole log and stops it.
func (f *force) runIndexer(t *testing.T, partitions []int) *index.Indexer {
	t.Helper()
	return f.runIndexerInto(t, f.store, partitions)
}

func (f *force) runIndexerInto(t *testing.T, store index.Store, partitions []int) *index.Indexer {
	t.Helper()
	x, err := index.New(index.Config{Log: f.log, Phones: f.phones, Store: store, Partitions: partitions, Logger: discard, BatchSize: 97})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer wcancel()
	if err := x.WaitIdle(wctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return x
}

// logged is what a plain replay of the log gives: every event's id in log
// order, the alerts of the rule library, and the projector's verdicts.
type logged struct {
	ids    []string
	alerts map[string]detect.Alert
	direct map[string]*lantern.IndexedEvent
}

func (f *force) replay(t *testing.T) logged {
	t.Helper()
	e := detect.NewEngine(detect.NewWorld(), f.rules)
	p := index.NewProjector(nil)
	out := logged{alerts: map[string]detect.Alert{}, direct: map[string]*lantern.IndexedEvent{}}
	if _, err := intake.ReadLog(t.Context(), f.log, f.phones, 1, func(lr intake.LogRecord) error {
		// The projector keeps its own World: judge before the engine so
		// both see the record once.
		if ev := p.Project(lr.Record, lr.Seq); ev != nil {
			out.ids = append(out.ids, ev.ID)
			out.direct[ev.ID] = ev
		}
		for _, a := range e.Apply(lr.Record) {
			out.alerts[a.ID] = a
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// stored reads every event of ids back from the index.
func (f *force) stored(t *testing.T, ids []string) map[string]*lantern.IndexedEvent {
	t.Helper()
	out := map[string]*lantern.IndexedEvent{}
	for chunk := range slices.Chunk(ids, lantern.MaxIndexPage) {
		got, err := f.store.IndexedEvents(t.Context(), chunk...)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got {
			out[e.ID] = e
		}
	}
	return out
}

// purposeRules are the rules whose every match on a person is an access
// with no policing purpose as the index judges it. Others are stricter in
// their own way (repeated_checks counts rereading a closed case of one's
// own; out_of_area_access counts working a live incident far away), so
// their evidence may carry either verdict.
var purposeRules = []string{"no_purpose_access", "renewed_interest_after_contact", "off_duty_access"}

func TestIndexAgreesWithRulesAndReplaysIdempotently(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a force")
	}
	staff, days := 120, 45
	if raceEnabled {
		staff, days = 50, 30
	}
	f := loadForce(t, staff, days)
	want := f.replay(t)
	if len(want.ids) == 0 {
		t.Fatal("the simulated force has no events")
	}
	x := f.runIndexer(t, nil)
	if x.Owner() != "index:all" {
		t.Errorf("owner %q", x.Owner())
	}
	got := f.stored(t, want.ids)
	if len(got) != len(want.ids) {
		t.Fatalf("index holds %d of %d events", len(got), len(want.ids))
	}

	// Every evidence event of a purpose rule is marked without purpose.
	checked := 0
	for _, a := range want.alerts {
		if !slices.Contains(purposeRules, a.Rule) {
			continue
		}
		for _, id := range a.EvidenceIDs {
			e := got[id]
			if e == nil {
				t.Fatalf("evidence %s of alert %s is not indexed", id, a.ID)
			}
			checked++
			if e.Purpose != lantern.PurposeNo {
				t.Errorf("evidence %s of %s is marked %s (%s)", id, a.Rule, e.Purpose, e.PurposeReason)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no alert of a purpose rule to check")
	}

	// Accesses by an officer with an open case with the person are marked
	// with purpose, naming the incident; and the two verdicts both occur.
	counts := map[string]int{}
	assigned := 0
	for _, e := range got {
		counts[e.Purpose]++
		if e.Purpose == lantern.PurposeYes && e.Kind == lantern.IndexedAccess && bytes.Contains([]byte(e.PurposeReason), []byte("(open)")) {
			assigned++
		}
		if e.Purpose == "" || e.PurposeReason == "" {
			t.Fatalf("event %s has no verdict", e.ID)
		}
	}
	if assigned == 0 || counts[lantern.PurposeNo] == 0 {
		t.Errorf("verdicts: %v, %d by assigned officers", counts, assigned)
	}
	t.Logf("%d events, verdicts %v, %d evidence events of purpose rules checked", len(got), counts, checked)

	// The indexer saves what a plain replay projects.
	for id, w := range want.direct {
		g := got[id]
		if g.Purpose != w.Purpose || g.PurposeReason != w.PurposeReason || g.PersonID != w.PersonID || g.Seq != w.Seq {
			t.Fatalf("event %s: indexed %+v, replay %+v", id, g, w)
		}
	}

	checkWorkspace(t, f, want)

	// Run again: nothing new to save, nothing changes. Then forget the
	// progress and replay the whole log: the same rows, no more.
	f.runIndexer(t, nil)
	if err := f.store.SetMonitorProgress(t.Context(), "index:all", 0); err != nil {
		t.Fatal(err)
	}
	f.runIndexer(t, nil)
	again := f.stored(t, want.ids)
	for id, e := range got {
		if a := again[id]; a == nil || !reflect.DeepEqual(a, e) {
			t.Fatalf("event %s changed on replay", id)
		}
	}
	counted, err := f.store.IndexCounts(t.Context(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counted {
		total += c.Events
	}
	if total != len(want.ids) {
		t.Errorf("after replays the index holds %d events, want %d", total, len(want.ids))
	}

	// An indexer of half the partitions saves exactly their events, judged
	// the same (every indexer reads all reference data).
	half, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "half.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	parts := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if x := f.runIndexerInto(t, half, parts); x.Owner() != "index:0-15" {
		t.Errorf("owner %q", x.Owner())
	}
	var mine []string
	for _, id := range want.ids {
		if intake.Partition(want.direct[id].StaffID) < 16 {
			mine = append(mine, id)
		}
	}
	counted, err = half.IndexCounts(t.Context(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	total = 0
	for _, c := range counted {
		total += c.Events
	}
	if total != len(mine) || len(mine) == 0 || len(mine) == len(want.ids) {
		t.Errorf("partitions 0-15: %d events indexed, want %d of %d", total, len(mine), len(want.ids))
	}
	for chunk := range slices.Chunk(mine, lantern.MaxIndexPage) {
		got, err := half.IndexedEvents(t.Context(), chunk...)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got {
			if w := want.direct[e.ID]; e.Purpose != w.Purpose || e.PurposeReason != w.PurposeReason {
				t.Fatalf("partitioned verdict on %s: %s (%s), want %s (%s)", e.ID, e.Purpose, e.PurposeReason, w.Purpose, w.PurposeReason)
			}
		}
	}
}

func TestOwner(t *testing.T) {
	for _, c := range []struct {
		parts []int
		want  string
	}{{nil, "index:all"}, {[]int{0, 1, 2, 3}, "index:0-3"}} {
		if got := index.Owner(c.parts); got != c.want {
			t.Errorf("Owner(%v) = %q, want %q", c.parts, got, c.want)
		}
	}
}
