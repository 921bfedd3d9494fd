package sim

// onDutyPick returns a member of list working at t, or -1.
func (w *world) onDutyPick(list []int32, t int64) int32 {
	return w.onDutyPickExcept(list, t, nil)
}

// onDutyPickExcept returns a member of list working at t who is not in
// except, or -1: a few random tries, then a scan from a random place.
func (w *world) onDutyPickExcept(list []int32, t int64, except []int32) int32 {
	if len(list) == 0 {
		return -1
	}
	ok := func(s int32) bool {
		st := &w.staff[s]
		if st.left || !st.onDuty(t) || st.todayKind == shiftCourt && st.today.covers(t) {
			return false
		}
		for _, e := range except {
			if e == s {
				return false
			}
		}
		return true
	}
	for range 8 {
		if s := pick(w.rng, list); ok(s) {
			return s
		}
	}
	from := w.rng.IntN(len(list))
	for i := range list {
		if s := list[(from+i)%len(list)]; ok(s) {
			return s
		}
	}
	return -1
}
