package monitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"lantern/detect"
	"lantern/ingest"
	"lantern/intake"
	"lantern/monitor"
	"lantern/nats"
	"lantern/rules"
	"lantern/sim"
	"lantern/sqlite"
)

// memSink keeps the latest state of every alert saved, and counts saves.
type memSink struct {
	mu     sync.Mutex
	alerts map[string]detect.Alert
	saves  int
	upTo   uint64
}

func newMemSink() *memSink { return &memSink{alerts: map[string]detect.Alert{}} }

func (s *memSink) SaveAlerts(_ context.Context, as []detect.Alert, upTo uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		s.alerts[a.ID] = a
	}
	s.saves++
	s.upTo = upTo
	return nil
}

func (s *memSink) snapshot() map[string]detect.Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.alerts)
}

// force is a simulated force loaded through intake into an embedded event
// log, the way `lantern ingest DIR` loads it.
type force struct {
	log    *nats.Log
	in     *intake.Intake
	phones *ingest.PhoneHasher
	rules  *detect.RuleSet
	later  []intake.Input // events held back by loadForce's split
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// loadForce simulates a force and loads its reference records and its
// events, merged by time; with split set, only the events before it, the
// rest being kept for loadRest.
func loadForce(t *testing.T, staff, days int, split time.Time) *force {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	input := filepath.Join(dir, "input")
	if _, err := sim.Generate(ctx, sim.Config{Staff: staff, Days: days, Seed: 4, OffenderRate: 0.03}, input); err != nil {
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
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &force{log: log, in: in, phones: phones, rules: set}
	var now []intake.Input
	for _, k := range ingest.Kinds() {
		data, err := os.ReadFile(filepath.Join(input, string(k)+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if k != ingest.KindAccess && k != ingest.KindComms {
			if sum, err := in.Submit(ctx, intake.Input{Source: string(k), Kind: k, Reader: bytes.NewReader(data)}); err != nil || sum.Rejected > 0 {
				t.Fatalf("%s: %v %+v", k, err, sum)
			}
			continue
		}
		before, after := splitLines(t, data, split)
		now = append(now, intake.Input{Source: string(k), Kind: k, Reader: bytes.NewReader(before)})
		f.later = append(f.later, intake.Input{Source: string(k), Kind: k, Reader: bytes.NewReader(after)})
	}
	f.submit(t, now)
	return f
}

// splitLines parts time-ordered event lines at split (zero: no split).
func splitLines(t *testing.T, data []byte, split time.Time) (before, after []byte) {
	if split.IsZero() {
		return data, nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	i := 0
	for ; i < len(lines); i++ {
		var ev struct {
			Time time.Time `json:"time"`
		}
		if len(bytes.TrimSpace(lines[i])) == 0 {
			continue
		}
		if err := json.Unmarshal(lines[i], &ev); err != nil {
			t.Fatal(err)
		}
		if !ev.Time.Before(split) {
			break
		}
	}
	return bytes.Join(lines[:i], nil), bytes.Join(lines[i:], nil)
}

func (f *force) submit(t *testing.T, inps []intake.Input) {
	t.Helper()
	sums, err := f.in.SubmitMerged(t.Context(), inps)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Rejected > 0 {
			t.Fatalf("%s: %+v", s.Source, s)
		}
	}
}

// loadRest loads the events loadForce held back.
func (f *force) loadRest(t *testing.T) {
	f.submit(t, f.later)
	f.later = nil
}

// direct judges the whole log with one engine, in log order, as a plain
// loop: what every monitor arrangement must reproduce.
func (f *force) direct(t *testing.T) map[string]detect.Alert {
	t.Helper()
	e := detect.NewEngine(detect.NewWorld(), f.rules)
	out := map[string]detect.Alert{}
	if _, err := intake.ReadLog(t.Context(), f.log, f.phones, 1, func(lr intake.LogRecord) error {
		for _, a := range e.Apply(lr.Record) {
			out[a.ID] = a
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// start runs a monitor until stop is called or the test ends.
func (f *force) start(t *testing.T, partitions []int, peers *monitor.PeerExchange, resume uint64) (m *monitor.Monitor, sink *memSink, stop func()) {
	t.Helper()
	sink = newMemSink()
	m, err := monitor.New(monitor.Config{Log: f.log, Phones: f.phones, Rules: f.rules, Sink: sink,
		Partitions: partitions, Peers: peers, Logger: discard, Resume: resume})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("monitor stopped with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return m, sink, stop
}

func waitIdle(t *testing.T, ms ...*monitor.Monitor) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for _, m := range ms {
		if err := m.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func sameAlerts(t *testing.T, what string, got, want map[string]detect.Alert) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("the force raised no alerts: the comparison would prove nothing")
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: missing alert %s (%s on %s)", what, id, w.Rule, w.StaffID)
			continue
		}
		if g.Matches != w.Matches || g.Score != w.Score || !slices.Equal(g.EvidenceIDs, w.EvidenceIDs) || g.Explanation != w.Explanation {
			t.Errorf("%s: alert %s differs:\n got %+v\nwant %+v", what, id, g, w)
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: extra alert %s (%s on %s)", what, id, g.Rule, g.StaffID)
		}
	}
}

// TestMonitorMatchesDirectAndRestarts runs a monitor over half of a
// simulated force's events, stops it, loads the rest, and starts a second
// monitor from the first one's progress: it rebuilds its state by replaying
// the log without saving anything already saved, and between them the two
// raise exactly the alerts a plain loop over the whole log raises, with the
// same ids.
func TestMonitorMatchesDirectAndRestarts(t *testing.T) {
	f := loadForce(t, 200, 45, time.Date(2024, 1, 25, 0, 0, 0, 0, time.UTC))
	m, first, stop := f.start(t, nil, nil, 0)
	waitIdle(t, m)
	stop()
	if first.upTo == 0 || len(first.alerts) == 0 {
		t.Fatalf("the first monitor recorded progress %d and %d alerts", first.upTo, len(first.alerts))
	}
	f.loadRest(t)
	want := f.direct(t)

	again, second, _ := f.start(t, nil, nil, first.upTo)
	waitIdle(t, again)
	got := first.snapshot()
	maps.Copy(got, second.snapshot())
	sameAlerts(t, "two runs", got, want)
	// The second run saved only what the new events raised or extended.
	for id, a := range second.snapshot() {
		if prev, ok := first.alerts[id]; ok && prev.Matches == a.Matches {
			t.Errorf("alert %s was saved again unchanged by the second run", id)
		}
	}

	// A monitor with no progress replays everything and saves it all.
	all, sink, _ := f.start(t, nil, nil, 0)
	waitIdle(t, all)
	sameAlerts(t, "a run from the start", sink.snapshot(), want)
}

// TestPartitionedMonitorsMatchOne splits the partitions between two monitors
// that share peer figures through the log's key-value store: together they
// raise exactly the alerts of one monitor, peer comparisons included.
func TestPartitionedMonitorsMatchOne(t *testing.T) {
	f := loadForce(t, 200, 45, time.Time{})
	want := f.direct(t)
	peerRules := 0
	for _, a := range want {
		if r := f.rules.Rule(a.Rule); r != nil && r.Peer != nil {
			peerRules++
		}
	}
	if peerRules == 0 {
		t.Log("no peer alert in this force: the peer exchange is exercised but not by an alert")
	}
	var ms []*monitor.Monitor
	var sinks []*memSink
	for _, ps := range [][]int{span(0, 15), span(16, 31)} {
		x, err := monitor.OpenPeerExchange(t.Context(), f.log, ps, time.Minute, discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		m, s, _ := f.start(t, ps, x, 0)
		ms = append(ms, m)
		sinks = append(sinks, s)
	}
	waitIdle(t, ms...)
	got := map[string]detect.Alert{}
	for _, s := range sinks {
		maps.Copy(got, s.snapshot())
	}
	sameAlerts(t, "two monitors", got, want)
}

func span(lo, hi int) []int {
	var out []int
	for p := lo; p <= hi; p++ {
		out = append(out, p)
	}
	return out
}

func TestParsePartitions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		bad  bool
	}{
		{"", "", false}, {"all", "", false}, {"0-15", "0-15", false}, {"3,1,2,7-9", "1-3,7-9", false},
		{"0-32", "", true}, {"-1", "", true}, {"a", "", true}, {"5-2", "", true},
	} {
		ps, err := monitor.ParsePartitions(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if got := monitor.FormatPartitions(ps); !c.bad && got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}
