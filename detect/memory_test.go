package detect_test

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkStateMemory reports the heap the World and the engine's state take
// per member of staff for a force of 50,000 staff (a million people, 250,000
// incidents, a 90-day roster) after 1,000,000 events judged by the whole
// built-in library. Strings shared with the input records are not counted.
// Run it alone: go test -run XXX -bench StateMemory -benchtime 1x ./detect
func BenchmarkStateMemory(b *testing.B) {
	const staff = 50000
	set := library(b)
	f := newSynthForce(4, staff, 1000000)
	for i := 0; i < b.N; i++ {
		h0 := heap()
		e := f.engine(set)
		h1 := heap()
		start := time.Now()
		for _, r := range f.events {
			e.Apply(r)
		}
		b.ReportMetric(float64(len(f.events))/time.Since(start).Seconds(), "events/s")
		h2 := heap()
		b.ReportMetric(float64(h1-h0)/staff, "world-B/staff")
		b.ReportMetric(float64(h2-h1)/staff, "state-B/staff")
		runtime.KeepAlive(e)
	}
}

func heap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
