package detect

import (
	"slices"
	"time"

	"lantern"
)

// Court days on the roster: an officer in a case is rostered to court on the
// day of its trial, and rereads the case file in the weeks before. Rosters
// are planned ahead (a force knows its witness warnings weeks before a
// trial), so the World answers from every court entry it holds, as it does
// for duty.

// noteCourt records a court entry of the roster; other kinds are ignored,
// and the same entry twice is kept once.
func (w *World) noteCourt(s *lantern.Shift) {
	if s.Kind != lantern.ShiftCourt {
		return
	}
	if w.courts == nil {
		w.courts = map[string][]int64{}
	}
	t := nanos(s.Start)
	cs := w.courts[s.StaffID]
	i, found := slices.BinarySearch(cs, t)
	if !found {
		w.courts[s.StaffID] = slices.Insert(cs, i, t)
	}
}

// CourtWithin reports whether a court day on the member of staff's roster
// starts at or after t and no more than within after it.
func (w *World) CourtWithin(staff string, t time.Time, within time.Duration) bool {
	cs := w.courts[staff]
	n := nanos(t)
	i, _ := slices.BinarySearch(cs, n)
	return i < len(cs) && cs[i] <= n+int64(within)
}
