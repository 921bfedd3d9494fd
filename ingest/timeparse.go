package ingest

import (
	"time"

	"lantern"
)

// parseTime parses an RFC 3339 timestamp with a zone offset or Z and returns
// it in UTC. The common shapes are parsed by hand; anything else goes to
// time.Parse, which defines what is accepted.
func parseTime(key, s string) (time.Time, error) {
	if t, ok := parseRFC3339(s); ok {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, timeError(key, s)
	}
	return t.UTC(), nil
}

// parseDate parses a date ("2019-04-01", midnight UTC) or an RFC 3339
// timestamp.
func parseDate(key, s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t, nil
		}
		return time.Time{}, lantern.FieldErrorf(key, "%s is not a date such as 2019-04-01 or an RFC 3339 timestamp", key)
	}
	return parseTime(key, s)
}

// timeError explains why s is not an acceptable timestamp.
func timeError(key, s string) error {
	if zoneless(s) {
		return lantern.FieldErrorf(key, "%s %s", key, reasonNoZone)
	}
	return lantern.FieldErrorf(key, "%s is not an RFC 3339 timestamp such as 2024-03-01T09:15:02Z", key)
}

// parseRFC3339 parses "2006-01-02T15:04:05[.fraction](Z|±hh:mm)" with 1 to 9
// fraction digits. It reports false for anything else, including values
// time.Parse accepts, so that the caller can fall back to time.Parse; it never
// accepts a value time.Parse rejects.
func parseRFC3339(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	_ = s[19] // one bounds check for the fixed fields
	hi, ok1 := two(s[0], s[1])
	lo, ok7 := two(s[2], s[3])
	year := hi*100 + lo
	ok1 = ok1 && ok7
	month, ok2 := two(s[5], s[6])
	day, ok3 := two(s[8], s[9])
	hour, ok4 := two(s[11], s[12])
	minute, ok5 := two(s[14], s[15])
	sec, ok6 := two(s[17], s[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' {
		i++
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if n == 9 {
				return time.Time{}, false
			}
			nsec = nsec*10 + int(s[i]-'0')
			n++
			i++
		}
		if n == 0 {
			return time.Time{}, false
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	offset := 0
	switch {
	case i+1 == len(s) && s[i] == 'Z':
	case i+6 == len(s) && (s[i] == '+' || s[i] == '-') && s[i+3] == ':':
		oh, ok1 := digits(s, i+1, 2)
		om, ok2 := digits(s, i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if s[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	secs := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(secs, int64(nsec)).UTC(), true
}

// two parses two decimal digits.
func two(a, b byte) (int, bool) {
	a, b = a-'0', b-'0' // a byte that is not a digit wraps past 9
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// digits parses n decimal digits at s[i:].
func digits(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch returns the days from 1970-01-01 to the given proleptic
// Gregorian date (Howard Hinnant's days_from_civil).
func daysSinceEpoch(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// zoneless reports whether s is a date, or a date and time, without a zone
// offset.
func zoneless(s string) bool {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
