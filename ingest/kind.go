package ingest

import "lantern"

// Kind names one kind of record a force sends.
type Kind string

// The kinds of record, in the order a pipeline should load a batch: reference
// data first, so that the events after it find the staff, people and
// incidents they refer to.
const (
	KindStaff       Kind = "staff"
	KindPerson      Kind = "person"
	KindIncident    Kind = "incident"
	KindInvolvement Kind = "involvement"
	KindAssignment  Kind = "assignment"
	KindShift       Kind = "shift"
	KindScreening   Kind = "screening"
	KindAccess      Kind = "access"
	KindComms       Kind = "comms"
)

// Kinds returns every kind in load order. The slice is new on each call.
func Kinds() []Kind {
	return []Kind{KindStaff, KindPerson, KindIncident, KindInvolvement, KindAssignment, KindShift, KindScreening, KindAccess, KindComms}
}

// ParseKind returns the Kind named s, or an EINVALID *lantern.Error with Field
// "kind" when s names none.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", lantern.FieldErrorf("kind", "kind %s is not one of %v", echo(s), Kinds())
}

// reference reports whether k is a reference kind, whose Record.ID is a
// record_id or a content hash rather than the source's own id.
func (k Kind) reference() bool {
	return k != KindAccess && k != KindComms && k != KindScreening
}
