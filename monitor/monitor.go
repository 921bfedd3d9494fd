// Package monitor runs detection continuously: it reads the event log (every
// reference record, and the access and comms events of the partitions it
// owns), judges each record with a detect.Engine as of the record's own time,
// and hands the alerts it raises or extends to a Sink that stores them.
//
// A Monitor keeps no state of its own on disk. On start it reads the log from
// its first message, rebuilding the World, every window, sequence and peer
// figure exactly as they were (the engine is deterministic in log order),
// then follows new messages as they arrive. Alerts carry stable ids, so the
// alerts a replay raises again are the same alerts, saved again: the Sink's
// upsert keeps the unit's decisions on them.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"lantern/detect"
	"lantern/ingest"
	"lantern/intake"
	"lantern/nats"
)

// Sink stores alerts and how far the monitor has got. SaveAlerts saves the
// alerts raised or extended by the messages up to log sequence upTo (none,
// possibly) and records upTo as the monitor's progress; a later run passes
// that back as Config.Resume. It must be an idempotent upsert by alert id:
// after a crash between saving and recording progress, the same alerts are
// saved again.
type Sink interface {
	SaveAlerts(ctx context.Context, alerts []detect.Alert, upTo uint64) error
}

// Config holds a Monitor's collaborators and settings.
type Config struct {
	Log    *nats.Log
	Phones *ingest.PhoneHasher
	Rules  *detect.RuleSet
	Sink   Sink
	// Partitions are the event-log partitions whose events this monitor
	// judges; empty means all of them. Every monitor reads all reference
	// records.
	Partitions []int
	// Peers combines peer figures with the monitors owning the other
	// partitions; required when Partitions is not all of them.
	Peers  *PeerExchange
	Logger *slog.Logger
	// Metrics is where the monitor's counters are registered; optional.
	Metrics prometheus.Registerer
	// Resume is the progress an earlier run recorded with the Sink: the
	// alerts of messages up to it are stored already, so while the monitor
	// replays them to rebuild its state it saves nothing.
	Resume uint64
	// FlushEvery bounds how long a raised alert waits before it is saved
	// while the log is busy; default 100ms. When the monitor has nothing
	// more to read it saves at once.
	FlushEvery time.Duration
}

// Monitor is a running detection service over the event log.
type Monitor struct {
	cfg    Config
	engine *detect.Engine
	owned  []bool // by partition; nil for all

	mu        sync.Mutex
	cond      *sync.Cond
	processed uint64 // every message up to this stream sequence is judged and its alerts saved
	applying  uint64 // the message being judged; only the judging goroutine uses it
	cons      jetstream.Consumer
	stopRead  context.CancelFunc
	err       error // why Run stopped
	running   bool

	records  *prometheus.CounterVec
	alerts   prometheus.Counter
	lastSeq  prometheus.Gauge
	lagEvent prometheus.Gauge
}

// New returns a Monitor ready to Run.
func New(cfg Config) (*Monitor, error) {
	if cfg.Log == nil || cfg.Phones == nil || cfg.Rules == nil || cfg.Sink == nil {
		return nil, errors.New("monitor: Log, Phones, Rules and Sink are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 100 * time.Millisecond
	}
	m := &Monitor{cfg: cfg, engine: detect.NewEngine(detect.NewWorld(), cfg.Rules)}
	m.cond = sync.NewCond(&m.mu)
	if owned, err := ownedPartitions(cfg.Partitions); err != nil {
		return nil, err
	} else if owned != nil {
		if cfg.Peers == nil {
			return nil, errors.New("monitor: a monitor of some partitions needs Peers to share peer figures")
		}
		m.owned = owned
		cfg.Peers.monitor = m
		m.engine.SetOwnership(func(staffID string) bool { return owned[intake.Partition(staffID)] }, cfg.Peers)
	}
	m.records = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lantern_detect_records_total",
		Help: "Records the detection monitor has read from the event log, by kind.",
	}, []string{"kind"})
	m.alerts = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lantern_detect_alerts_saved_total",
		Help: "Alerts raised or extended and saved (a replay saves the same alerts again).",
	})
	m.lastSeq = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lantern_detect_processed_seq",
		Help: "The event-log sequence up to which every message is judged and its alerts saved.",
	})
	m.lagEvent = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lantern_detect_pending_messages",
		Help: "Messages of the monitor's partitions in the event log not yet read.",
	})
	if cfg.Metrics != nil {
		for _, c := range []prometheus.Collector{m.records, m.alerts, m.lastSeq, m.lagEvent} {
			if err := cfg.Metrics.Register(c); err != nil {
				return nil, fmt.Errorf("monitor: register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// ownedPartitions checks a partition list and returns it as a set, or nil
// when it is empty or names every partition.
func ownedPartitions(ps []int) ([]bool, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	owned := make([]bool, intake.Partitions)
	n := 0
	for _, p := range ps {
		if p < 0 || p >= intake.Partitions {
			return nil, fmt.Errorf("monitor: partition %d is outside 0-%d", p, intake.Partitions-1)
		}
		if !owned[p] {
			owned[p] = true
			n++
		}
	}
	if n == intake.Partitions {
		return nil, nil
	}
	return owned, nil
}

// Engine returns the monitor's engine, for reloads and statistics.
func (m *Monitor) Engine() *detect.Engine { return m.engine }

// SetRules replaces the rule set; see detect.Engine.SetRules.
func (m *Monitor) SetRules(rs *detect.RuleSet) { m.engine.SetRules(rs) }

// filters returns the subjects the monitor reads.
func (m *Monitor) filters() []string { return subjects(m.owned) }

// Subjects returns the subject filters of a reader of the log's reference
// records and the events of partitions (all of them when empty), or an
// error naming a partition out of range.
func Subjects(partitions []int) ([]string, error) {
	owned, err := ownedPartitions(partitions)
	if err != nil {
		return nil, err
	}
	return subjects(owned), nil
}

func subjects(owned []bool) []string {
	if owned == nil {
		return []string{intake.RefSubjects, intake.EventSubjects}
	}
	fs := []string{intake.RefSubjects}
	for p, ok := range owned {
		if ok {
			fs = append(fs, intake.EventSubject(p))
		}
	}
	return fs
}

// Batch is the records of one event-log message.
type Batch struct {
	Seq     uint64 // the message's stream sequence
	Pending uint64 // messages on the filters still to read after it
	Recs    []*ingest.Record
}

// Run reads the log from its start and judges every record, then follows
// new messages until ctx is cancelled (it then returns nil) or the log or
// the sink fails (it returns the error). Run may be called once.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("monitor: Run called twice")
	}
	m.running = true
	m.mu.Unlock()
	err := m.run(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	m.mu.Lock()
	m.err = err
	if m.err == nil {
		m.err = errStopped
	}
	m.cond.Broadcast()
	m.mu.Unlock()
	return err
}

var errStopped = errors.New("monitor stopped")

func (m *Monitor) run(ctx context.Context) error {
	batches := make(chan Batch, 64)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- m.read(ctx, batches)
	}()
	err := m.judge(ctx, batches)
	if err != nil {
		// The reader stops when ctx ends; make it end.
		m.mu.Lock()
		cancel := m.stopRead
		m.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	}
	for range batches { // let the reader finish
	}
	if rerr := <-readErr; err == nil && ctx.Err() == nil {
		err = rerr
	}
	return err
}

// badMessage is a message the monitor cannot decode: not a passing failure,
// since intake never writes one, so reading again would not help.
type badMessage struct{ err error }

func (e *badMessage) Error() string { return e.err.Error() }
func (e *badMessage) Unwrap() error { return e.err }

// maxReadFailures bounds how many times in a row reading the log may fail
// (a cluster electing a leader, a connection dropping) before the monitor
// gives up.
const maxReadFailures = 30

// read decodes the monitor's messages into batches, in log order.
func (m *Monitor) read(ctx context.Context, out chan<- Batch) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.mu.Lock()
	m.stopRead = cancel
	m.mu.Unlock()
	return Follow(ctx, FollowConfig{
		Log: m.cfg.Log, Phones: m.cfg.Phones, Filters: m.filters(), Logger: m.cfg.Logger,
		Consumer: func(c jetstream.Consumer) {
			m.mu.Lock()
			m.cons = c
			m.mu.Unlock()
		},
	}, out)
}

// FollowConfig says what Follow reads and where from.
type FollowConfig struct {
	Log     *nats.Log
	Phones  *ingest.PhoneHasher
	Filters []string // subject filters, such as intake.RefSubjects
	From    uint64   // the first stream sequence to read; 0 means 1
	Logger  *slog.Logger
	// Consumer, when set, is called with each consumer Follow opens, so
	// that the caller can ask how much is pending.
	Consumer func(jetstream.Consumer)
}

// Follow reads the event log's messages on cfg.Filters from cfg.From, in
// log order, decodes each into a Batch and sends it to out, then follows new
// messages until ctx ends (it then returns nil). When reading fails it
// starts again after the last message read, backing off, so that a
// cluster's leader election or a dropped connection costs a pause; it gives
// up after maxReadFailures failures in a row, or at once on a message that
// does not decode. Follow does not close out.
func Follow(ctx context.Context, cfg FollowConfig, out chan<- Batch) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dec := intake.NewMessageDecoder(cfg.Phones)
	next := max(cfg.From, 1)
	failures := 0
	for {
		err := readFrom(ctx, cfg, next, dec, out, func(seq uint64) { next, failures = seq+1, 0 })
		if ctx.Err() != nil {
			return nil
		}
		failures++
		var bad *badMessage
		if failures > maxReadFailures || errors.As(err, &bad) {
			return err
		}
		cfg.Logger.Warn("reading the event log failed; starting again after the last message read",
			"next_seq", next, "attempt", failures, "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(min(time.Duration(failures)*200*time.Millisecond, 5*time.Second)):
		}
	}
}

// readFrom reads from stream sequence from until an error, calling done
// with each message's sequence once its batch is handed on.
func readFrom(ctx context.Context, cfg FollowConfig, from uint64, dec *intake.MessageDecoder, out chan<- Batch, done func(uint64)) error {
	stream, err := cfg.Log.JetStream().Stream(ctx, cfg.Log.Stream())
	if err != nil {
		return fmt.Errorf("monitor: open stream: %w", err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: cfg.Filters,
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    from,
	})
	if err != nil {
		return fmt.Errorf("monitor: consumer: %w", err)
	}
	iter, err := cons.Messages(jetstream.PullMaxMessages(256))
	if err != nil {
		return fmt.Errorf("monitor: read log: %w", err)
	}
	defer iter.Stop()
	stop := context.AfterFunc(ctx, iter.Stop)
	defer stop()
	if cfg.Consumer != nil {
		cfg.Consumer(cons)
	}
	for {
		msg, err := iter.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("monitor: read log: %w", err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("monitor: message metadata: %w", err)
		}
		b := Batch{Seq: meta.Sequence.Stream, Pending: meta.NumPending}
		if err := dec.Each(msg.Subject(), msg.Data(), func(r *ingest.Record) error {
			b.Recs = append(b.Recs, r)
			return nil
		}); err != nil {
			return &badMessage{fmt.Errorf("monitor: event log message %d: %w", b.Seq, err)}
		}
		select {
		case out <- b:
			done(b.Seq)
		case <-ctx.Done():
			return nil
		}
	}
}

// judge applies batches to the engine and saves the alerts they raise:
// at once when no further batch is waiting, else at least every FlushEvery.
// Between batches it answers other monitors' requests for peer figures.
func (m *Monitor) judge(ctx context.Context, in <-chan Batch) error {
	var raised []detect.Alert
	var judged uint64 // every message up to here is applied to the engine
	var saved uint64  // the progress last recorded with the sink
	lastFlush := time.Now()
	flush := func() error {
		if judged > m.cfg.Resume && (len(raised) > 0 || judged > saved) {
			if err := m.cfg.Sink.SaveAlerts(ctx, raised, judged); err != nil {
				return fmt.Errorf("monitor: save alerts: %w", err)
			}
			m.alerts.Add(float64(len(raised)))
			saved = judged
		}
		raised = raised[:0]
		lastFlush = time.Now()
		m.mu.Lock()
		m.processed = max(m.processed, judged)
		m.cond.Broadcast()
		m.mu.Unlock()
		m.lastSeq.Set(float64(judged))
		return nil
	}
	peers := m.cfg.Peers
	if m.owned == nil {
		peers = nil
	}
	var changed <-chan struct{}
	unanswered := false
	// answer publishes this monitor's share of figures others wait for; idle
	// says nothing is waiting in the channel.
	answer := func(idle bool) error {
		if peers == nil {
			return nil
		}
		changed = peers.pendingChange()
		upTo := judged
		if idle && m.caughtUp(ctx, judged) {
			upTo = ^uint64(0)
		}
		left, err := peers.answer(upTo, m.engine.PeerPartAt)
		unanswered = left
		return err
	}
	if err := answer(false); err != nil {
		return err
	}
	counts := map[ingest.Kind]int{}
	for {
		var b Batch
		var ok bool
		select {
		case b, ok = <-in:
		default:
			// Nothing waiting: save what was raised, answer what can be
			// answered, then wait for a batch or a request.
			if err := flush(); err != nil {
				return err
			}
			if err := answer(true); err != nil {
				return err
			}
			select {
			case b, ok = <-in:
			case <-changed:
				if err := answer(false); err != nil {
					return err
				}
				continue
			}
		}
		if !ok {
			return flush()
		}
		m.applying = b.Seq
		replaying := b.Seq <= m.cfg.Resume
		for _, r := range b.Recs {
			counts[r.Kind]++
			if as := m.engine.Apply(r); !replaying {
				raised = append(raised, as...)
			}
		}
		judged = b.Seq
		m.lagEvent.Set(float64(b.Pending))
		if unanswered || peers != nil && isClosed(changed) {
			if err := answer(false); err != nil {
				return err
			}
		}
		if len(raised) >= 1000 || time.Since(lastFlush) >= m.cfg.FlushEvery {
			for k, n := range counts {
				m.records.WithLabelValues(string(k)).Add(float64(n))
				delete(counts, k)
			}
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// applyingSeq returns the log sequence of the message being judged.
func (m *Monitor) applyingSeq() uint64 { return m.applying }

// caughtUp reports whether every message of the monitor's subjects in the
// log now has been judged (judged is the last one).
func (m *Monitor) caughtUp(ctx context.Context, judged uint64) bool {
	m.mu.Lock()
	cons := m.cons
	m.mu.Unlock()
	if cons == nil {
		return false
	}
	info, err := cons.Info(ctx)
	return err == nil && info.NumPending == 0 && info.Delivered.Stream <= judged
}

// Processed returns the stream sequence up to which every message the
// monitor reads is judged and its alerts saved.
func (m *Monitor) Processed() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.processed
}

// WaitProcessed blocks until every message up to seq that the monitor reads
// is judged and its alerts saved, ctx ends, or Run stops. Messages on
// partitions the monitor does not own count as judged once the monitor has
// caught up with the log past them.
func (m *Monitor) WaitProcessed(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		m.mu.Lock()
		m.cond.Broadcast()
		m.mu.Unlock()
	})
	defer stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		if m.processed >= seq {
			return nil
		}
		if m.err != nil {
			return m.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		m.cond.Wait()
	}
}

// WaitIdle blocks until the monitor has judged everything in the log that it
// reads and saved the alerts, or ctx ends, or Run stops. It polls the log.
func (m *Monitor) WaitIdle(ctx context.Context) error {
	return WaitCaughtUp(ctx, "monitor", func() (jetstream.Consumer, uint64, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.cons, m.processed, m.err
	})
}

// WaitCaughtUp blocks until a reader of the log has nothing left to read
// and has finished with everything it read, or ctx ends, or the reader
// fails. state gives the reader's consumer (nil until it has one), the last
// stream sequence it has finished with, and its error; it is polled every
// 20 ms. what names the reader in errors.
func WaitCaughtUp(ctx context.Context, what string, state func() (jetstream.Consumer, uint64, error)) error {
	for {
		cons, processed, err := state()
		if err != nil {
			return err
		}
		if cons != nil {
			info, err := cons.Info(ctx)
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("%s: consumer info: %w", what, err)
			}
			// Nothing left to read, and everything read is finished with.
			if err == nil && info.NumPending == 0 && info.Delivered.Stream <= processed {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
