package detect

// The rules of one event ask the World many questions about the same member
// of staff and the same person: is she vulnerable, her gender, her age, his
// role, his roster, their links. Each World map remembers its last lookup,
// so that an event hashes and compares each id once rather than at every
// question. Reference records change the maps' slices, so applying one
// forgets every remembered lookup; events apply nothing, so the lookups stay
// good from one event to the next.

// recent is the last lookup of one map: the key, its value and the World's
// generation it was made in.
type recent[V any] struct {
	key string
	val V
	gen uint64
}

// worldLookups holds the last lookup of each of the World's maps.
type worldLookups struct {
	gen       uint64 // bumped by every reference record applied; 0 is never valid
	staff     recent[[]staffVersion]
	persons   recent[*personRec]
	assigned  recent[[]assignment]
	shifts    recent[*roster]
	incidents recent[*incidentState]
}

// lookup returns m[key], remembered in r for the World's generation gen.
func lookup[V any](m map[string]V, r *recent[V], gen uint64, key string) V {
	if r.gen == gen && r.key == key {
		return r.val
	}
	v := m[key]
	*r = recent[V]{key, v, gen}
	return v
}

// changed forgets every remembered lookup.
func (l *worldLookups) changed() { l.gen++ }

func (w *World) staffOf(id string) []staffVersion {
	return lookup(w.staff, &w.recent.staff, w.recent.gen, id)
}

func (w *World) personOf(id string) []personVersion {
	if p := lookup(w.persons, &w.recent.persons, w.recent.gen, id); p != nil {
		return p.versions
	}
	return nil
}

func (w *World) involvedOf(person string) []involvement {
	if p := lookup(w.persons, &w.recent.persons, w.recent.gen, person); p != nil {
		return p.involved
	}
	return nil
}

func (w *World) assignedOf(staff string) []assignment {
	return lookup(w.assigned, &w.recent.assigned, w.recent.gen, staff)
}

func (w *World) rosterOf(staff string) *roster {
	return lookup(w.shifts, &w.recent.shifts, w.recent.gen, staff)
}

func (w *World) incidentOf(id string) *incidentState {
	return lookup(w.incidents, &w.recent.incidents, w.recent.gen, id)
}

// Version lists are short (a person's record changes a few times at most),
// and the version asked for is usually the latest, so a backward scan finds
// it sooner than asOf's binary search through a function value; long lists
// still get the binary search.
const shortVersions = 16

func staffAt(vs []staffVersion, t int64) int {
	if len(vs) > shortVersions {
		return asOf(vs, t, func(v staffVersion) int64 { return v.at })
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].at <= t {
			return i
		}
	}
	return -1
}

func personAt(vs []personVersion, t int64) int {
	if len(vs) > shortVersions {
		return asOf(vs, t, func(v personVersion) int64 { return v.at })
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].at <= t {
			return i
		}
	}
	return -1
}

func statusAsOf(s []statusChange, t int64) int {
	if len(s) > shortVersions {
		return asOf(s, t, statusAt)
	}
	for i := len(s) - 1; i >= 0; i-- {
		if s[i].at <= t {
			return i
		}
	}
	return -1
}

// shiftAsOf is asOf for a roster's shifts, sorted by start, without a
// function value.
func shiftAsOf(s []shiftEntry, t int64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].start <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}
