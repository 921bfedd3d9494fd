package intake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"lantern/ingest"
	"lantern/intake"
)

// BenchmarkSubmitAccess measures intake of access events into the durable
// embedded event log (fsync on every message): decode, validate, check,
// encode, publish and wait for the acknowledgement.
func BenchmarkSubmitAccess(b *testing.B) {
	r := openRig(b, b.TempDir())
	defer r.close(b)
	var staff strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&staff, `{"id":"S%d","category":"officer","role":"response","gender":"male","start_date":"2015-04-01"}`+"\n", i)
	}
	r.submit(b, ingest.KindStaff, staff.String())

	const perOp = 100_000
	var body strings.Builder
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		body.Reset()
		for i := range perOp {
			fmt.Fprintf(&body, `{"id":"b%d-%d","time":"2024-03-%02dT%02d:%02d:%02dZ","staff_id":"S%d","system":"rms","action":"view","person_id":"P%d","incident_id":"I%d","fields":["name","address","phone"],"workstation":"WS-%d","location":"Station %d"}`+"\n",
				n, i, 1+i%28, i%24, i%60, (i/60)%60, i%1000, i%50000, i%20000, i%300, i%40)
		}
		b.StartTimer()
		sum, err := r.in.Submit(context.Background(), intake.Input{Source: "bench", Kind: ingest.KindAccess, Reader: strings.NewReader(body.String())})
		if err != nil || sum.Accepted != perOp {
			b.Fatalf("submit: %v %+v", err, sum)
		}
	}
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "events/s")
}
