package sim

import (
	"context"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// TestMemoryBoundedByForceNotDays checks that memory follows the size of
// the force, not the length of the run: four times as many days (and
// events) need about the same heap. docs/simulator.md reports the same
// measure for larger forces.
func TestMemoryBoundedByForceNotDays(t *testing.T) {
	if raceDetector || testing.Short() {
		t.Skip("measures the heap of two runs; skipped under -race and -short")
	}
	short, shortEvents := peakHeap(t, Config{Staff: 600, Days: 30, Seed: 5})
	long, longEvents := peakHeap(t, Config{Staff: 600, Days: 120, Seed: 5})
	t.Logf("peak live heap: %.1f MiB for 30 days (%d events), %.1f MiB for 120 days (%d events)",
		float64(short)/(1<<20), shortEvents, float64(long)/(1<<20), longEvents)
	if longEvents < 3*shortEvents {
		t.Fatalf("120 days made %d events, 30 days %d", longEvents, shortEvents)
	}
	if long > short*3/2 {
		t.Errorf("peak live heap grew from %d to %d bytes with the number of days", short, long)
	}
}

// peakHeap runs Generate and returns the largest live heap seen after any
// garbage collection during the run, and the events generated.
func peakHeap(t *testing.T, cfg Config) (uint64, int64) {
	t.Helper()
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var max uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > max {
				max = v
			}
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	st, err := Generate(context.Background(), cfg, t.TempDir())
	close(done)
	p := <-peak
	if err != nil {
		t.Fatal(err)
	}
	return p, st.Events()
}
