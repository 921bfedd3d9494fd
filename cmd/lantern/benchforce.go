package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"lantern/detect"
	"lantern/ingest"
)

// benchLine is one raw event line of a force, with its kind and time, so
// that parsing can be timed on its own.
type benchLine struct {
	kind ingest.Kind
	at   time.Time
	raw  []byte
}

// benchForce is a force held in memory for benchmarking: its reference
// records decoded, its events as raw lines in time order.
type benchForce struct {
	reference []*ingest.Record
	events    []benchLine
	staff     int
	bytes     int64
}

// readBenchForce reads a force directory (KIND.jsonl files, as the simulator
// writes them). Events of both kinds are merged by time, as `lantern ingest`
// merges them.
func readBenchForce(ctx context.Context, dir string, phones *ingest.PhoneHasher) (*benchForce, error) {
	f := &benchForce{}
	for _, k := range ingest.Kinds() {
		if k == ingest.KindScreening {
			continue // detection does not read screening results
		}
		path := filepath.Join(dir, string(k)+".jsonl")
		file, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		err = readBenchFile(ctx, f, k, file, phones)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(f.events) == 0 {
		return nil, fmt.Errorf("%s holds no access.jsonl or comms.jsonl events", dir)
	}
	slices.SortStableFunc(f.events, func(a, b benchLine) int { return a.at.Compare(b.at) })
	return f, nil
}

func readBenchFile(ctx context.Context, f *benchForce, k ingest.Kind, r io.Reader, phones *ingest.PhoneHasher) error {
	lr, err := ingest.NewLineReader(r)
	if err != nil {
		return err
	}
	dec := ingest.NewDecoder(k, phones)
	event := k == ingest.KindAccess || k == ingest.KindComms
	for n := 0; ; n++ {
		if n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, no, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, err := dec.Decode(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", no, err)
		}
		f.bytes += int64(len(line)) + 1
		if event {
			f.events = append(f.events, benchLine{kind: k, at: rec.Time, raw: bytes.Clone(line)})
			continue
		}
		if k == ingest.KindStaff {
			f.staff++
		}
		f.reference = append(f.reference, rec)
	}
}

// timeParse decodes every event line once on one goroutine and returns the
// events per second.
func (f *benchForce) timeParse(phones *ingest.PhoneHasher) (float64, error) {
	decs := map[ingest.Kind]*ingest.Decoder{
		ingest.KindAccess: ingest.NewDecoder(ingest.KindAccess, phones),
		ingest.KindComms:  ingest.NewDecoder(ingest.KindComms, phones),
	}
	runtime.GC()
	start := time.Now()
	for i := range f.events {
		if _, err := decs[f.events[i].kind].Decode(f.events[i].raw); err != nil {
			return 0, err
		}
	}
	return float64(len(f.events)) / time.Since(start).Seconds(), nil
}

// timeEngine applies the reference records to a fresh engine (not timed),
// then decodes and judges every event on one goroutine, and returns the
// events per second, the alerts raised, and the heap the engine holds per
// member of staff afterwards.
func (f *benchForce) timeEngine(set *detect.RuleSet, phones *ingest.PhoneHasher) (rate float64, alerts int, heapPerStaff float64, err error) {
	decs := map[ingest.Kind]*ingest.Decoder{
		ingest.KindAccess: ingest.NewDecoder(ingest.KindAccess, phones),
		ingest.KindComms:  ingest.NewDecoder(ingest.KindComms, phones),
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := detect.NewEngine(detect.NewWorld(), set)
	for _, r := range f.reference {
		e.Apply(r)
	}
	runtime.GC()
	start := time.Now()
	for i := range f.events {
		rec, err := decs[f.events[i].kind].Decode(f.events[i].raw)
		if err != nil {
			return 0, 0, 0, err
		}
		alerts += len(e.Apply(rec))
	}
	rate = float64(len(f.events)) / time.Since(start).Seconds()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if f.staff > 0 {
		heapPerStaff = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(f.staff)
	}
	runtime.KeepAlive(e)
	return rate, alerts, heapPerStaff, nil
}

// records returns every record in load order: reference first, then events
// in time order.
func (f *benchForce) records(phones *ingest.PhoneHasher) ([]*ingest.Record, error) {
	out := slices.Clone(f.reference)
	decs := map[ingest.Kind]*ingest.Decoder{}
	for _, l := range f.events {
		d := decs[l.kind]
		if d == nil {
			d = ingest.NewDecoder(l.kind, phones)
			decs[l.kind] = d
		}
		r, err := d.Decode(l.raw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// percentile returns the p-th percentile (0-100) of durations, nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.SortFunc(s, cmp.Compare)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
