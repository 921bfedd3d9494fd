package ingest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchAccessLines returns n distinct, realistic access lines of about 300
// to 500 bytes.
func benchAccessLines(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	actions := []string{"view", "view", "view", "search", "print", "update"}
	fieldSets := [][]string{{"address", "phone"}, {"name", "date_of_birth", "address"}, {"warning_markers"}, {"associates", "vehicles", "address", "phone", "email"}, nil}
	systems := []string{"rms", "pnc", "command", "custody", "intelligence"}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	lines := make([][]byte, n)
	for i := range lines {
		at := t0.Add(time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		action := actions[rng.IntN(len(actions))]
		fields := fieldSets[rng.IntN(len(fieldSets))]
		query := ""
		person := fmt.Sprintf("P%07d", rng.IntN(5_000_000))
		if action == "search" {
			query = fmt.Sprintf("surname=Smith* AND forename=J* AND dob_from=19%02d-01-01 AND area=\\\"North %d\\\"", rng.IntN(100), rng.IntN(9))
			person = ""
		}
		fieldJSON := "[]"
		if fields != nil {
			fieldJSON = `["` + fields[0]
			for _, f := range fields[1:] {
				fieldJSON += `","` + f
			}
			fieldJSON += `"]`
		}
		lines[i] = fmt.Appendf(nil, `{"id":"%s-audit-%012d","time":"%s","staff_id":"S%06d","system":"%s","action":"%s","person_id":"%s","incident_id":"INC-%04d-%06d","fields":%s,"query":"%s","workstation":"WS-%s-%04d","location":"Station %d, Operations Floor %d"}`,
			systems[i%len(systems)], rng.Int64N(1e12), at.Format(time.RFC3339Nano), rng.IntN(999999), systems[i%len(systems)], action,
			person, 2024, rng.IntN(999999), fieldJSON, query, "HQ", rng.IntN(9999), rng.IntN(40), rng.IntN(5))
	}
	return lines
}

func benchCommsLines(n int, h *PhoneHasher) [][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	kinds := []string{"call", "sms", "app"}
	lines := make([][]byte, n)
	for i := range lines {
		at := t0.Add(time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Second)
		number := fmt.Sprintf(`"number":"07700 9%05d"`, rng.IntN(100000))
		if i%2 == 1 {
			number = fmt.Sprintf(`"number_hash":"%s"`, h.Hash(fmt.Sprintf("+447700%06d", rng.IntN(1000000))))
		}
		lines[i] = fmt.Appendf(nil, `{"id":"cdr-%012d","time":"%s","staff_id":"S%06d","device":"IMEI-35693803%07d","direction":"%s","kind":"%s",%s,"duration_s":%d}`,
			rng.Int64N(1e12), at.Format(time.RFC3339), rng.IntN(999999), rng.IntN(9999999), []string{"inbound", "outbound"}[i%2],
			kinds[rng.IntN(3)], number, rng.IntN(3600))
	}
	return lines
}

func benchDecode(b *testing.B, kind Kind, lines [][]byte) {
	d := NewDecoder(kind, testHasher(b))
	var bytes int64
	for _, l := range lines {
		bytes += int64(len(l))
		if _, err := d.Decode(l); err != nil {
			b.Fatalf("%v: %s", err, l)
		}
	}
	b.SetBytes(bytes / int64(len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := d.Decode(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeAccess measures parsing and validating access events, the
// bulk of what a force sends.
func BenchmarkDecodeAccess(b *testing.B) {
	benchDecode(b, KindAccess, benchAccessLines(4096))
}

// BenchmarkDecodeComms measures comms events, half with clear numbers to
// normalise and hash and half already hashed.
func BenchmarkDecodeComms(b *testing.B) {
	benchDecode(b, KindComms, benchCommsLines(4096, testHasher(b)))
}

// BenchmarkAppendJSON measures writing access events back as canonical lines.
func BenchmarkAppendJSON(b *testing.B) {
	d := NewDecoder(KindAccess, nil)
	lines := benchAccessLines(4096)
	recs := make([]*Record, len(lines))
	for i, l := range lines {
		r, err := d.Decode(l)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = r
	}
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buf = recs[i%len(recs)].AppendJSON(buf[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
