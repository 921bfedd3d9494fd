package detect_test

import (
	"reflect"
	"testing"

	"lantern/detect"
	"lantern/ingest"
)

// jsonEvents writes a synthetic force's events as the JSON lines intake
// receives, with a decoder for each kind, as a pipeline would hold them.
func jsonEvents(t testing.TB, f *synthForce) (lines [][]byte, decode func(i int) (*ingest.Record, error)) {
	t.Helper()
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	access := ingest.NewDecoder(ingest.KindAccess, hasher)
	comms := ingest.NewDecoder(ingest.KindComms, hasher)
	lines = make([][]byte, len(f.events))
	for i, r := range f.events {
		lines[i] = r.AppendJSON(nil)
	}
	decode = func(i int) (*ingest.Record, error) {
		if f.events[i].Kind == ingest.KindComms {
			return comms.Decode(lines[i])
		}
		return access.Decode(lines[i])
	}
	return lines, decode
}

// TestEngineFromJSON checks that judging the events decoded from their JSON
// lines raises the same alerts as judging the records themselves, so that
// BenchmarkEngineFromJSON measures the same work.
func TestEngineFromJSON(t *testing.T) {
	set := library(t)
	f := newSynthForce(12, 100, 10000)
	_, decode := jsonEvents(t, f)
	direct, decoded := f.engine(set), f.engine(set)
	var a, b []detect.Alert
	for i, r := range f.events {
		a = append(a, direct.Apply(r)...)
		rec, err := decode(i)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, decoded.Apply(rec)...)
	}
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("from records %d alert updates, from JSON %d, or they differ", len(a), len(b))
	}
}

// BenchmarkEngineFromJSON measures what `lantern bench` reports as
// engine_events_per_sec_per_core: each access or comms event of the
// synthetic force of BenchmarkEngine is decoded from its JSON line by
// ingest.Decoder (parsing, validation, phone hashes) and judged by the
// whole built-in library, on one goroutine.
func BenchmarkEngineFromJSON(b *testing.B) {
	set := library(b)
	f := newSynthForce(3, 1000, 200000)
	lines, decode := jsonEvents(b, f)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	e := f.engine(set)
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	alerts := 0
	for i := 0; i < b.N; i++ {
		j := i % len(lines)
		if j == 0 && i > 0 {
			b.StopTimer()
			e = f.engine(set)
			b.StartTimer()
		}
		rec, err := decode(j)
		if err != nil {
			b.Fatal(err)
		}
		alerts += len(e.Apply(rec))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/event")
}
