package ingest

import (
	"testing"
	"time"
)

// FuzzParseRFC3339 checks that the hand-written parser never accepts what
// time.Parse rejects, and gives the same instant when it accepts.
func FuzzParseRFC3339(f *testing.F) {
	for _, s := range []string{"2024-03-01T09:15:02Z", "2024-03-01T09:15:02.123456789+01:00", "2024-02-29T23:59:59.5-05:30",
		"2024-0a-01T09:15:02Z", "2024-03-01T09:15:02.Z", "1900-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC3339(s)
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("parseRFC3339(%q) = %v; time.Parse gives %v, %v", s, got, want, err)
		}
	})
}
