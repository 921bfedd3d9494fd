package ingest

import (
	"testing"
	"time"
)

func TestParseRFC3339MatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"2024-03-01T09:15:02Z", "2024-03-01T09:15:02.5Z", "2024-03-01T09:15:02.123456789Z",
		"2024-03-01T09:15:02+01:00", "2024-03-01T09:15:02-05:30", "2024-02-29T23:59:59.000000001+23:59",
		"2000-02-29T00:00:00Z", "1900-01-01T00:00:00-00:00", "2199-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
		"1969-12-31T23:59:59.999Z", "9999-12-31T23:59:59Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseRFC3339(s)
		if !ok || got != want.UTC() {
			t.Errorf("parseRFC3339(%q) = %v, %v; want %v", s, got, ok, want.UTC())
		}
	}
	// Shapes the fast path leaves to time.Parse, or that are not timestamps.
	for _, s := range []string{
		"2024-03-01T09:15:02", "2024-03-01T09:15:02.Z", "2024-03-01T09:15:02.1234567891Z", "2024-03-01T09:15:02,5Z",
		"2024-03-01T24:00:00Z", "2024-03-01T09:60:00Z", "2024-03-01T09:15:60Z", "2024-02-30T09:15:02Z", "2023-02-29T09:15:02Z",
		"2024-13-01T09:15:02Z", "2024-00-01T09:15:02Z", "2024-03-00T09:15:02Z", "2024-03-01t09:15:02Z", "2024-03-01T09:15:02z",
		"2024-03-01T09:15:02+24:00", "2024-03-01T09:15:02+01:60", "2024-03-01T09:15:02+0100", "2024-03-01 09:15:02Z",
		"2024-03-01T9:15:02Z", "+2024-03-01T09:15:02Z", "2024-03-01T09:15:02Z ", "2024-03-01T09:15:02+01:00x",
	} {
		if got, ok := parseRFC3339(s); ok {
			t.Errorf("parseRFC3339(%q) = %v, want a fallback", s, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	// Go's parser accepts an offset of +24:00; so does Lantern, through the
	// fallback.
	got, err := parseTime("time", "2024-03-01T09:15:02+24:00")
	if err != nil || got != time.Date(2024, 2, 29, 9, 15, 2, 0, time.UTC) {
		t.Fatalf("got %v, %v", got, err)
	}
	_, err = parseTime("at", "2024-03-01T09:15:02")
	checkError(t, err, "at", "at has no zone offset")
	_, err = parseTime("at", "1 March 2024")
	checkError(t, err, "at", "not an RFC 3339 timestamp")
}

func TestDaysSinceEpoch(t *testing.T) {
	for d := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2500; d = d.AddDate(0, 0, 13) {
		if got, want := daysSinceEpoch(d.Year(), int(d.Month()), d.Day()), d.Unix()/86400; got != want {
			t.Fatalf("%v: %d, want %d", d, got, want)
		}
	}
}
