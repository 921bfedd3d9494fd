package sim

import "time"

// The simulation keeps instants as Unix seconds: cheap to compare, sort and
// format. Every time written is UTC with second precision.

const (
	minute = 60
	hour   = 60 * minute
	day    = 24 * hour
)

// unixTime converts a simulation instant to a time.Time.
func unixTime(s int64) time.Time { return time.Unix(s, 0).UTC() }

// appendTimestamp appends s as an RFC 3339 UTC timestamp such as
// 2024-03-01T09:15:02Z, without time.Time's general formatting.
func appendTimestamp(b []byte, s int64) []byte {
	days := floorDiv(s, day)
	secs := s - days*day
	b = appendDate(b, days)
	h, m, sec := secs/hour, secs%hour/minute, secs%minute
	return append(b, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+sec/10), byte('0'+sec%10), 'Z')
}

// appendDate appends the date of the Unix day number days as 2006-01-02.
func appendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// civil returns the proleptic Gregorian date of a Unix day number (Howard
// Hinnant's days-to-civil algorithm).
func civil(days int64) (year, month, dayOfMonth int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// weekday returns the day of the week of the Unix day number days, Monday 0.
func weekday(days int64) int {
	// 1970-01-01 was a Thursday.
	return int((days%7 + 7 + 3) % 7)
}
