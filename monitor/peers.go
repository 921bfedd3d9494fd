package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"lantern/detect"
	"lantern/intake"
	"lantern/nats"
)

// PeerBucket is the JetStream key-value bucket where monitors that each own
// some partitions publish their shares of peer figures.
const PeerBucket = "LANTERN_PEERS"

// sharedPart is one monitor's share of a peer rule's figures at a boundary,
// as published in the bucket under "<rule>.<boundary>.<owner>".
type sharedPart struct {
	Owner      string          `json:"owner"`
	Partitions []int           `json:"partitions"`
	Trigger    uint64          `json:"trigger"` // the log sequence at which the owner needed the figures
	Part       detect.PeerPart `json:"part"`
}

// PeerExchange shares peer figures between monitors that each own some of
// the event log's partitions, through a key-value bucket in the same
// JetStream as the log. Each monitor publishes its share of a peer rule's
// figures at a boundary once, when its own events first need them or when
// another monitor asks, and combines every share once all partitions are
// covered. Shares are written once and kept, so a monitor that restarts
// and replays the log uses exactly the figures it used before.
type PeerExchange struct {
	kv         jetstream.KeyValue
	owner      string
	partitions []int
	wait       time.Duration
	logger     *slog.Logger

	mu      sync.Mutex
	changed chan struct{}                    // closed and replaced whenever parts change
	parts   map[string]map[string]sharedPart // "<rule>.<boundary>" → owner → share
	watch   jetstream.KeyWatcher

	// Set by the monitor: the engine, and how far it has judged the log.
	monitor *Monitor
}

// OpenPeerExchange opens (creating if needed) the peer bucket on the log's
// JetStream and starts following it. wait bounds how long a monitor waits
// for the other partitions' shares before going on with those it has (and
// saying so in the log); zero means one minute.
func OpenPeerExchange(ctx context.Context, log *nats.Log, partitions []int, wait time.Duration, logger *slog.Logger) (*PeerExchange, error) {
	if wait <= 0 {
		wait = time.Minute
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ps := slices.Clone(partitions)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	kv, err := log.KeyValue(ctx, PeerBucket, "Lantern: shares of peer figures between detection monitors")
	if err != nil {
		return nil, fmt.Errorf("peer exchange: open bucket: %w", err)
	}
	watch, err := kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("peer exchange: watch bucket: %w", err)
	}
	x := &PeerExchange{kv: kv, owner: "p" + FormatPartitions(ps), partitions: ps, wait: wait,
		logger: logger.With("component", "peers"), changed: make(chan struct{}), parts: map[string]map[string]sharedPart{}, watch: watch}
	go x.follow(watch)
	return x, nil
}

// Close stops following the bucket.
func (x *PeerExchange) Close() error { return x.watch.Stop() }

// follow keeps parts up to date with the bucket.
func (x *PeerExchange) follow(w jetstream.KeyWatcher) {
	for e := range w.Updates() {
		if e == nil || e.Operation() != jetstream.KeyValuePut {
			continue
		}
		var sp sharedPart
		if err := json.Unmarshal(e.Value(), &sp); err != nil {
			x.logger.Warn("ignoring a malformed share of peer figures", "key", e.Key(), "error", err)
			continue
		}
		figure, ok := strings.CutSuffix(e.Key(), "."+sp.Owner)
		if !ok {
			continue
		}
		x.put(figure, sp)
	}
}

func (x *PeerExchange) put(figure string, sp sharedPart) {
	x.mu.Lock()
	defer x.mu.Unlock()
	m := x.parts[figure]
	if m == nil {
		m = map[string]sharedPart{}
		x.parts[figure] = m
	}
	if _, ok := m[sp.Owner]; ok {
		return // shares are written once
	}
	m[sp.Owner] = sp
	close(x.changed)
	x.changed = make(chan struct{})
}

// figureKey names a peer rule's figures at a boundary in the bucket.
func figureKey(rule string, boundary time.Time) string {
	return rule + "." + strconv.FormatInt(boundary.Unix(), 10)
}

func parseFigureKey(k string) (rule string, boundary time.Time, ok bool) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return "", time.Time{}, false
	}
	sec, err := strconv.ParseInt(k[i+1:], 10, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	return k[:i], time.Unix(sec, 0).UTC(), true
}

// publish writes this monitor's share once and returns the share that the
// bucket holds for it: this one, or the one an earlier run wrote.
func (x *PeerExchange) publish(figure string, trigger uint64, part detect.PeerPart) (sharedPart, error) {
	sp := sharedPart{Owner: x.owner, Partitions: x.partitions, Trigger: trigger, Part: part}
	if have, ok := x.mine(figure); ok {
		return have, nil
	}
	b, err := json.Marshal(sp)
	if err != nil {
		return sp, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := figure + "." + x.owner
	if _, err := x.kv.Create(ctx, key, b); err != nil {
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return sp, fmt.Errorf("peer exchange: publish %s: %w", key, err)
		}
		e, gerr := x.kv.Get(ctx, key)
		if gerr != nil {
			return sp, fmt.Errorf("peer exchange: read %s: %w", key, gerr)
		}
		var stored sharedPart
		if err := json.Unmarshal(e.Value(), &stored); err != nil {
			return sp, fmt.Errorf("peer exchange: read %s: %w", key, err)
		}
		sp = stored
	}
	x.put(figure, sp)
	return sp, nil
}

func (x *PeerExchange) mine(figure string) (sharedPart, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sp, ok := x.parts[figure][x.owner]
	return sp, ok
}

// combined adds up the shares of a figure, and reports whether they cover
// every partition.
func (x *PeerExchange) combined(figure string) (detect.PeerPart, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	covered := make([]bool, intake.Partitions)
	n := 0
	sum := detect.PeerPart{}
	owners := make([]string, 0, len(x.parts[figure]))
	for o := range x.parts[figure] {
		owners = append(owners, o)
	}
	slices.Sort(owners)
	for _, o := range owners {
		sp := x.parts[figure][o]
		overlap := false
		for _, p := range sp.Partitions {
			if p >= 0 && p < len(covered) && covered[p] {
				overlap = true
			}
		}
		if overlap {
			continue // a stale share from an earlier division of the partitions
		}
		for _, p := range sp.Partitions {
			if p >= 0 && p < len(covered) {
				covered[p] = true
				n++
			}
		}
		sum.Add(sp.Part)
	}
	return sum, n == intake.Partitions
}

// requests returns the figures other monitors have published that this one
// has not, with the log sequence at which each was first needed.
func (x *PeerExchange) requests() map[string]uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out map[string]uint64
	for figure, m := range x.parts {
		if _, done := m[x.owner]; done {
			continue
		}
		trigger := uint64(0)
		for _, sp := range m {
			if trigger == 0 || sp.Trigger < trigger {
				trigger = sp.Trigger
			}
		}
		if out == nil {
			out = map[string]uint64{}
		}
		out[figure] = trigger
	}
	return out
}

// answer publishes this monitor's share of every figure another monitor
// waits for whose need arose at or before the log sequence upTo (every
// message of this monitor's before it is judged), using partAt for the
// share. It reports whether any request is left unanswered.
func (x *PeerExchange) answer(upTo uint64, partAt func(string, time.Time) (detect.PeerPart, bool)) (left bool, err error) {
	for figure, trigger := range x.requests() {
		if trigger > upTo {
			left = true
			continue
		}
		rule, boundary, ok := parseFigureKey(figure)
		if !ok {
			continue
		}
		part, ok := partAt(rule, boundary)
		if !ok {
			part = detect.PeerPart{} // a rule this monitor does not run: it has no staff to add
		}
		if _, err := x.publish(figure, trigger, part); err != nil {
			return left, err
		}
	}
	return left, nil
}

// pendingChange returns a channel closed at the next change of the shares.
func (x *PeerExchange) pendingChange() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.changed
}

// Combine implements detect.PeerShare for the monitor's engine: it publishes
// this monitor's share, then waits until the shares cover every partition,
// answering the other monitors' requests meanwhile, or until the wait runs
// out (it then uses the shares it has, and logs it).
func (x *PeerExchange) Combine(rule string, boundary time.Time, part detect.PeerPart, partAt func(string, time.Time) (detect.PeerPart, bool)) detect.PeerPart {
	figure := figureKey(rule, boundary)
	trigger := x.monitor.applyingSeq()
	if _, err := x.publish(figure, trigger, part); err != nil {
		x.logger.Error("cannot publish peer figures; comparing with this monitor's own staff only", "rule", rule, "error", err)
		return part
	}
	deadline := time.After(x.wait)
	for {
		changed := x.pendingChange()
		if sum, ok := x.combined(figure); ok {
			return sum
		}
		// Every message of ours before the one being judged is judged.
		if _, err := x.answer(trigger, partAt); err != nil {
			x.logger.Error("cannot answer for peer figures", "error", err)
		}
		select {
		case <-changed:
		case <-deadline:
			sum, _ := x.combined(figure)
			x.logger.Warn("peer figures incomplete: not every partition's monitor answered in time; comparing with the staff of those that did",
				"rule", rule, "boundary", boundary, "wait", x.wait.String())
			return sum
		}
	}
}

// FormatPartitions writes a partition list compactly, as "0-15" or "0,2,4-7".
func FormatPartitions(ps []int) string {
	var b strings.Builder
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ps[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(ps[j]))
		}
		i = j + 1
	}
	return b.String()
}

// ParsePartitions reads "all", "" (all), or a list such as "0-15" or
// "0,2,4-7" of partitions between 0 and intake.Partitions-1.
func ParsePartitions(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("%q is not a partition number or range", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("%q is not a partition number or range", part)
			}
		}
		if a < 0 || b >= intake.Partitions || a > b {
			return nil, fmt.Errorf("%q is outside 0-%d", part, intake.Partitions-1)
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
