package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestAppendTimestampMatchesTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.Int64Range(-2_000_000_000, 6_000_000_000).Draw(t, "unix")
		want := time.Unix(s, 0).UTC().Format(time.RFC3339)
		if got := string(appendTimestamp(nil, s)); got != want {
			t.Fatalf("appendTimestamp(%d) = %s, want %s", s, got, want)
		}
		days := floorDiv(s, day)
		wd := (int(time.Unix(s, 0).UTC().Weekday()) + 6) % 7
		if got := weekday(days); got != wd {
			t.Fatalf("weekday(%d) = %d, want %d", days, got, wd)
		}
	})
}
