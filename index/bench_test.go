package index_test

import (
	"context"
	"testing"

	"lantern"
	"lantern/index"
	"lantern/ingest"
	"lantern/intake"
)

// BenchmarkProject measures projection alone (reference data into the
// World, verdicts on every access and comms event) over a small simulated
// force's log, and BenchmarkProjectSave adds saving to SQLite in the
// indexer's batches. Both report events/s.
func BenchmarkProject(b *testing.B) {
	recs, events := logRecords(b)
	b.ResetTimer()
	for b.Loop() {
		p := index.NewProjector(nil)
		for _, r := range recs {
			p.Project(r.Record, r.Seq)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkProjectSave(b *testing.B) {
	f := loadForce(b, 60, 20)
	recs, events := f.records(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		p := index.NewProjector(nil)
		batch := make([]*lantern.IndexedEvent, 0, 500)
		for _, r := range recs {
			if e := p.Project(r.Record, r.Seq); e != nil {
				if batch = append(batch, e); len(batch) == cap(batch) {
					if err := f.store.SaveIndexedEvents(ctx, batch...); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
		}
		if err := f.store.SaveIndexedEvents(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func logRecords(b *testing.B) ([]intake.LogRecord, int) {
	return loadForce(b, 60, 20).records(b)
}

// records reads the whole log into memory, counting its events.
func (f *force) records(b *testing.B) ([]intake.LogRecord, int) {
	var recs []intake.LogRecord
	events := 0
	if _, err := intake.ReadLog(context.Background(), f.log, f.phones, 1, func(lr intake.LogRecord) error {
		recs = append(recs, lr)
		if lr.Record.Kind == ingest.KindAccess || lr.Record.Kind == ingest.KindComms {
			events++
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return recs, events
}
