package ingest

import "time"

// inZone interprets the wall clock of t (whose own location is ignored) in
// loc. Around a change of clocks the result is fixed, not left to the
// time package:
//
//   - a wall time that happens twice (when the clocks go back) is the first
//     of the two instants, the one in summer time: 01:30 on the last Sunday of
//     October in Europe/London is 00:30 UTC;
//   - a wall time that never happens (when the clocks go forward) is read with
//     the offset in force before the change, which moves it forward by the
//     length of the gap: 01:30 on the last Sunday of March in Europe/London is
//     01:30 UTC, that is 02:30 summer time.
//
// These are the choices java.time and PostgreSQL make.
func inZone(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
	before := offsetAt(wall.Add(-24*time.Hour), loc)
	after := offsetAt(wall.Add(24*time.Hour), loc)
	early := wall.Add(-time.Duration(before) * time.Second)
	late := wall.Add(-time.Duration(after) * time.Second)
	earlyOK := offsetAt(early, loc) == before
	lateOK := offsetAt(late, loc) == after
	switch {
	case earlyOK && lateOK:
		if late.Before(early) {
			return late
		}
		return early
	case lateOK:
		return late
	}
	return early // valid, or in a gap
}

// offsetAt returns loc's offset from UTC, in seconds, at instant t.
func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}
