package monitor_test

import (
	"bytes"
	"context"
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
}

func newMemSink() *memSink { return &memSink{alerts: map[string]detect.Alert{}} }

func (s *memSink) SaveAlerts(_ context.Context, as []detect.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		s.alerts[a.ID] = a
	}
	s.saves++
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
	phones *ingest.PhoneHasher
	rules  *detect.RuleSet
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func loadForce(t *testing.T, staff, days int) *force {
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
	var events []intake.Input
	for _, k := range ingest.Kinds() {
		f, err := os.Open(filepath.Join(input, string(k)+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		inp := intake.Input{Source: string(k), Kind: k, Reader: f}
		if k == ingest.KindAccess || k == ingest.KindComms {
			events = append(events, inp)
			continue
		}
		if sum, err := in.Submit(ctx, inp); err != nil || sum.Rejected > 0 {
			t.Fatalf("%s: %v %+v", k, err, sum)
		}
	}
	if _, err := in.SubmitMerged(ctx, events); err != nil {
		t.Fatal(err)
	}
	in.Close()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &force{log: log, phones: phones, rules: set}
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

// start runs a monitor until the test ends.
func (f *force) start(t *testing.T, partitions []int, peers *monitor.PeerExchange) (*monitor.Monitor, *memSink) {
	t.Helper()
	sink := newMemSink()
	m, err := monitor.New(monitor.Config{Log: f.log, Phones: f.phones, Rules: f.rules, Sink: sink,
		Partitions: partitions, Peers: peers, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("monitor stopped with %v", err)
		}
	})
	return m, sink
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

// TestMonitorMatchesDirectAndRestarts runs a monitor over a simulated force:
// it raises exactly the alerts a plain loop over the log raises, and a second
// monitor started afterwards (a restart) rebuilds the same alerts, with the
// same ids, from the log alone.
func TestMonitorMatchesDirectAndRestarts(t *testing.T) {
	f := loadForce(t, 200, 45)
	want := f.direct(t)
	m, sink := f.start(t, nil, nil)
	waitIdle(t, m)
	sameAlerts(t, "monitor", sink.snapshot(), want)

	again, sink2 := f.start(t, nil, nil)
	waitIdle(t, again)
	sameAlerts(t, "restarted monitor", sink2.snapshot(), want)
}

// TestPartitionedMonitorsMatchOne splits the partitions between two monitors
// that share peer figures through the log's key-value store: together they
// raise exactly the alerts of one monitor, peer comparisons included.
func TestPartitionedMonitorsMatchOne(t *testing.T) {
	f := loadForce(t, 200, 45)
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
		m, s := f.start(t, ps, x)
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
