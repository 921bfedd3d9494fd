package detect

import "time"

// OpenCaseIncident returns the incident that gives OpenCaseWith its answer:
// the first incident open at t that the person is involved in and the
// member of staff is assigned to, or attended, as of t through a link not
// ended by t; "" when there is none.
func (w *World) OpenCaseIncident(staff, person string, t time.Time) string {
	return w.link(staff, person, nanos(t), false, true)
}

// LinkingIncident returns the incident that gives Linked (attendedOnly
// false) or Attended (attendedOnly true) its answer: the first incident,
// whatever its status, that the person is involved in and the member of
// staff was assigned to or attended as of t; "" when there is none.
func (w *World) LinkingIncident(staff, person string, t time.Time, attendedOnly bool) string {
	return w.link(staff, person, nanos(t), attendedOnly, false)
}
