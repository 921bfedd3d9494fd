package sim

// session is one member of staff at one terminal or handheld device, doing
// one piece of work: a run of audit entries a minute or two apart. When
// trace is set, the events made are part of that planted behaviour.
type session struct {
	w     *world
	staff int32
	ws    int32
	t     int64
	trace *plan
}

// session starts a piece of work for staff s at t, on their handheld device
// or a terminal at their station as their role makes likely.
func (w *world) session(s int32, t int64) session {
	st := &w.staff[s]
	x := session{w: w, staff: s, t: t}
	switch {
	case st.phone >= 0 && chance(w.rng, roleSpecs[st.role].mobile):
		x.ws = -1
	case chance(w.rng, 0.8):
		x.ws = st.station*100 + st.terminal
	default:
		x.ws = st.station*100 + int32(1+w.rng.IntN(terminals))
	}
	return x
}

// step moves the session on by the time it takes to read a screen.
func (x *session) step() { x.t += int64(15 + x.w.rng.IntN(150)) }

// access makes one audit entry at the session's time and steps on.
func (x *session) access(sys, act uint8, person, incident int32, fields uint8, query string) {
	w := x.w
	if x.t >= w.start {
		w.accessSeq++
		w.out.access.add(x.t, accessRec{id: w.accessSeq, staff: x.staff, person: person, incident: incident, ws: x.ws,
			system: sys, action: act, fields: fields, query: query})
		w.roleStats[w.staff[x.staff].role].Access++
		if x.trace != nil {
			x.trace.note(w.accessSeq, x.t)
		}
	}
	x.step()
}

func (x *session) viewPerson(sys uint8, p int32, fields uint8) {
	x.access(sys, actView, p, -1, fields, "")
}

func (x *session) viewIncident(sys uint8, in int32) {
	x.access(sys, actView, -1, in, fNone, "")
}

func (x *session) search(sys uint8, query string) {
	x.access(sys, actSearch, -1, -1, fNone, query)
}

// length draws how long a contact of kind lasts, in seconds: 0 for a
// message.
func (w *world) length(kind uint8) int32 {
	switch kind {
	case commsCall:
		return int32(20 + w.rng.IntN(600))
	case commsApp:
		if chance(w.rng, 0.3) {
			return int32(30 + w.rng.IntN(900))
		}
	}
	return 0
}

// call records a call or message on s's work phone at t with number,
// lasting dur seconds; a member of staff without a work phone makes none.
// When trace is set, the record is part of that planted behaviour.
func (w *world) call(s int32, t int64, number int32, dir, kind uint8, dur int32, trace *plan) {
	st := &w.staff[s]
	if st.phone < 0 || t < w.start {
		return
	}
	w.commsSeq++
	w.out.comms.add(t, commsRec{id: w.commsSeq, staff: s, number: number, duration: dur, direction: dir, kind: kind})
	w.roleStats[st.role].Comms++
	if trace != nil {
		trace.note(-w.commsSeq, t)
	}
}

// latest is the last instant an event made today may have: records are
// written a day behind the simulation.
func (w *world) latest() int64 { return w.dayStart + 2*day - 1 }
