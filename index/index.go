// Package index keeps the event index: a projection of the event log's
// access and communications events into the store, each with the verdict on
// its policing purpose at that moment, so that the workspace can show an
// alert's evidence and who accessed a person's records without reading the
// log.
//
// An Indexer reads the log as the detection monitor does (package monitor's
// Follow: every reference record, and the events of the partitions it
// owns), rebuilding the reference data in a detect.World from the start of
// the log on every run so that verdicts match what the rules see. It saves
// events in batches keyed by event id and records its progress with the
// store's ProgressService under its own owner; on a restart it saves only
// what is new, and a replay saves the same rows again, changing nothing.
// Memory is bounded by the World (as for the monitor) and one batch.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/ingest"
	"lantern/monitor"
	"lantern/nats"
)

// Store is what the Indexer needs of the store.
type Store interface {
	lantern.EventIndexService
	lantern.ProgressService
}

// Config holds an Indexer's collaborators and settings.
type Config struct {
	Log    *nats.Log
	Phones *ingest.PhoneHasher
	Store  Store
	// Partitions are the event-log partitions whose events this indexer
	// projects; empty means all of them. Every indexer reads all reference
	// records.
	Partitions []int
	Logger     *slog.Logger
	Metrics    prometheus.Registerer // optional
	// BatchSize bounds the events saved in one transaction; default 500.
	BatchSize int
	// FlushEvery bounds how long a projected event waits to be saved while
	// the log is busy; default 200ms.
	FlushEvery time.Duration
}

// Owner names an indexer's progress in the store, by its partitions, so
// that processes sharing the partitions keep their own.
func Owner(partitions []int) string {
	if len(partitions) == 0 {
		return "index:all"
	}
	return "index:" + monitor.FormatPartitions(partitions)
}

// Indexer is a running projection of the event log into the event index.
type Indexer struct {
	cfg     Config
	filters []string
	owner   string

	mu        sync.Mutex
	processed uint64 // every message up to this stream sequence is indexed
	cons      jetstream.Consumer
	err       error
	running   bool

	events  prometheus.Counter
	lastSeq prometheus.Gauge
}

// New returns an Indexer ready to Run.
func New(cfg Config) (*Indexer, error) {
	if cfg.Log == nil || cfg.Phones == nil || cfg.Store == nil {
		return nil, errors.New("index: Log, Phones and Store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 200 * time.Millisecond
	}
	filters, err := monitor.Subjects(cfg.Partitions)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	x := &Indexer{cfg: cfg, filters: filters, owner: Owner(cfg.Partitions)}
	x.events = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lantern_index_events_saved_total",
		Help: "Access and comms events saved to the event index (a replay saves the same events again).",
	})
	x.lastSeq = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lantern_index_processed_seq",
		Help: "The event-log sequence up to which every message is in the event index.",
	})
	if cfg.Metrics != nil {
		for _, c := range []prometheus.Collector{x.events, x.lastSeq} {
			if err := cfg.Metrics.Register(c); err != nil {
				return nil, fmt.Errorf("index: register metrics: %w", err)
			}
		}
	}
	return x, nil
}

// Owner returns the name the indexer records its progress under.
func (x *Indexer) Owner() string { return x.owner }

// Run reads the log from its start, projecting every event after the
// progress recorded in the store, then follows new messages until ctx is
// cancelled (it then returns nil) or the log or the store fails. Run may be
// called once.
func (x *Indexer) Run(ctx context.Context) error {
	x.mu.Lock()
	if x.running {
		x.mu.Unlock()
		return errors.New("index: Run called twice")
	}
	x.running = true
	x.mu.Unlock()
	err := x.run(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	x.mu.Lock()
	x.err = err
	if x.err == nil {
		x.err = errors.New("indexer stopped")
	}
	x.mu.Unlock()
	return err
}

func (x *Indexer) run(ctx context.Context) error {
	resume, err := x.cfg.Store.MonitorProgress(ctx, x.owner)
	if err != nil {
		return fmt.Errorf("index: read progress: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan monitor.Batch, 64)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- monitor.Follow(ctx, monitor.FollowConfig{
			Log: x.cfg.Log, Phones: x.cfg.Phones, Filters: x.filters, Logger: x.cfg.Logger,
			Consumer: func(c jetstream.Consumer) {
				x.mu.Lock()
				x.cons = c
				x.mu.Unlock()
			},
		}, batches)
	}()
	err = x.project(ctx, batches, resume)
	cancel()
	for range batches { // let the reader finish
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return err
}

// project applies batches to a Projector and saves the events after resume:
// at once when nothing more is waiting, else every BatchSize events or
// FlushEvery.
func (x *Indexer) project(ctx context.Context, in <-chan monitor.Batch, resume uint64) error {
	p := NewProjector(nil)
	pending := make([]*lantern.IndexedEvent, 0, x.cfg.BatchSize)
	var done, saved uint64
	lastFlush := time.Now()
	flush := func() error {
		if done > resume && (len(pending) > 0 || done > saved) {
			if err := x.cfg.Store.SaveIndexedEvents(ctx, pending...); err != nil {
				return fmt.Errorf("index: save events: %w", err)
			}
			if err := x.cfg.Store.SetMonitorProgress(ctx, x.owner, done); err != nil {
				return fmt.Errorf("index: save progress: %w", err)
			}
			x.events.Add(float64(len(pending)))
			saved = done
		}
		clear(pending)
		pending = pending[:0]
		lastFlush = time.Now()
		x.mu.Lock()
		x.processed = max(x.processed, done)
		x.mu.Unlock()
		x.lastSeq.Set(float64(done))
		return nil
	}
	for {
		var b monitor.Batch
		var ok bool
		select {
		case b, ok = <-in:
		default:
			if err := flush(); err != nil {
				return err
			}
			select {
			case b, ok = <-in:
			case <-ctx.Done():
				return nil
			}
		}
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			return flush()
		}
		for _, r := range b.Recs {
			if e := p.Project(r, b.Seq); e != nil && b.Seq > resume {
				pending = append(pending, e)
			}
		}
		done = b.Seq
		if len(pending) >= x.cfg.BatchSize || time.Since(lastFlush) >= x.cfg.FlushEvery {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// Processed returns the stream sequence up to which every message the
// indexer reads is in the index.
func (x *Indexer) Processed() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.processed
}

// WaitIdle blocks until the indexer has saved everything in the log that it
// reads, or ctx ends, or Run stops. It polls the log.
func (x *Indexer) WaitIdle(ctx context.Context) error {
	return monitor.WaitCaughtUp(ctx, "index", func() (jetstream.Consumer, uint64, error) {
		x.mu.Lock()
		defer x.mu.Unlock()
		return x.cons, x.processed, x.err
	})
}

// Purge deletes indexed events older than before, for retention.
func Purge(ctx context.Context, st lantern.EventIndexService, before time.Time) (int64, error) {
	return st.PurgeIndexBefore(ctx, before)
}
