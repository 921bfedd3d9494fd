package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/ingest"
	"lantern/intake"
	"lantern/monitor"
	"lantern/nats"
)

// liveResult is what the live pipeline measured.
type liveResult struct {
	Rate    float64       // events per second offered
	Events  int           // events sent
	Batches int           // acknowledged batches
	P50     time.Duration // from a batch's acknowledgement to its alerts stored
	P99     time.Duration
	Max     time.Duration
}

// measureLive runs the real pipeline on an embedded event log in dir:
// intake acknowledging each batch once it is durable, and a monitor judging
// it and saving its alerts with store. It loads the reference records, lets
// the monitor catch up, then sends events at rate for the given duration in
// batches every tick, and measures for each batch the time from its
// acknowledgement to the moment every alert it raised is stored.
func measureLive(ctx context.Context, dir string, f *benchForce, set *detect.RuleSet, store lantern.Store, sink monitor.Sink, rate int, duration time.Duration, logger *slog.Logger) (*liveResult, error) {
	phones, err := ingest.NewPhoneHasher(randomKey())
	if err != nil {
		return nil, err
	}
	sealer, err := intake.NewSealer(randomKey())
	if err != nil {
		return nil, err
	}
	log, err := nats.Open(ctx, nats.Config{DataDir: filepath.Join(dir, "nats"), SyncAlways: true, Logger: logger})
	if err != nil {
		return nil, err
	}
	defer log.Close()
	in, err := intake.Open(ctx, intake.Config{Log: log, Store: store, Phones: phones, Sealer: sealer, Logger: logger})
	if err != nil {
		return nil, err
	}
	defer in.Close()

	// Reference data first, kind by kind.
	byKind := map[ingest.Kind]*bytes.Buffer{}
	var order []ingest.Kind
	for _, r := range f.reference {
		b := byKind[r.Kind]
		if b == nil {
			b = &bytes.Buffer{}
			byKind[r.Kind] = b
			order = append(order, r.Kind)
		}
		b.Write(r.AppendJSON(nil))
		b.WriteByte('\n')
	}
	for _, k := range order {
		if _, err := in.Submit(ctx, intake.Input{Source: "bench", Kind: k, Reader: byKind[k]}); err != nil {
			return nil, fmt.Errorf("load %s: %w", k, err)
		}
	}
	m, err := monitor.New(monitor.Config{Log: log, Phones: phones, Rules: set, Sink: sink, Logger: logger, FlushEvery: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	mctx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- m.Run(mctx) }()
	defer func() { stop(); <-ran }()
	if err := m.WaitIdle(ctx); err != nil {
		return nil, err
	}
	stream, err := log.JetStream().Stream(ctx, log.Stream())
	if err != nil {
		return nil, err
	}

	const tick = 50 * time.Millisecond
	perBatch := max(1, int(float64(rate)*tick.Seconds()))
	total := min(len(f.events), int(float64(rate)*duration.Seconds()))
	res := &liveResult{Rate: float64(rate)}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	var waitErr error
	next := time.Now()
	for sent := 0; sent < total; {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(tick)
		end := min(sent+perBatch, total)
		var acc, com bytes.Buffer
		for _, l := range f.events[sent:end] {
			b := &acc
			if l.kind == ingest.KindComms {
				b = &com
			}
			b.Write(l.raw)
			b.WriteByte('\n')
		}
		if _, err := in.SubmitMerged(ctx, []intake.Input{
			{Source: "bench-access", Kind: ingest.KindAccess, Reader: &acc},
			{Source: "bench-comms", Kind: ingest.KindComms, Reader: &com},
		}); err != nil {
			return nil, err
		}
		acked := time.Now()
		info, err := stream.Info(ctx)
		if err != nil {
			return nil, err
		}
		seq := info.State.LastSeq
		res.Events += end - sent
		res.Batches++
		sent = end
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.WaitProcessed(ctx, seq); err != nil {
				mu.Lock()
				waitErr = err
				mu.Unlock()
				return
			}
			d := time.Since(acked)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if waitErr != nil {
		return nil, waitErr
	}
	res.P50, res.P99, res.Max = percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
	return res, nil
}

func randomKey() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}
