package sim

import (
	"context"
	"testing"
)

// BenchmarkGenerate measures generation, files included, in events per
// second.
func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Staff: 1000, Days: 30, Seed: 1}
	dir := b.TempDir()
	var events int64
	for b.Loop() {
		st, err := Generate(context.Background(), cfg, dir)
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
