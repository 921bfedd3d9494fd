package intake

import (
	"strconv"
	"strings"

	"lantern/ingest"
)

// Partitions is the number of partitions of monitored events in the event
// log. Events about one member of staff always go to the same partition, so
// that an engine process owning a partition sees all of that person's events
// in order. It is fixed for an installation: changing it re-homes staff.
const Partitions = 32

// Subject prefixes of the event log.
const (
	eventPrefix = "lantern.ev."  // lantern.ev.<partition>: access and comms events, each line "<kind> <record>"
	refPrefix   = "lantern.ref." // lantern.ref.<kind>: reference records, read by every engine
)

// Partition returns the event-log partition of a member of staff (FNV-1a).
func Partition(staffID string) int {
	h := uint32(2166136261)
	for i := 0; i < len(staffID); i++ {
		h ^= uint32(staffID[i])
		h *= 16777619
	}
	return int(h % Partitions)
}

// isEvent reports whether records of kind are monitored events rather than
// reference data.
func isEvent(k ingest.Kind) bool { return k == ingest.KindAccess || k == ingest.KindComms }

// subjectOf returns the event-log subject for a record. A partition's access
// and comms events share one subject, so that the log keeps a member of
// staff's system use and phone calls in the order they were accepted.
func subjectOf(r *ingest.Record) string {
	if isEvent(r.Kind) {
		return EventSubject(Partition(r.StaffID))
	}
	return refPrefix + string(r.Kind)
}

// EventSubject returns the subject holding one partition's events, for
// engines that consume a partition.
func EventSubject(partition int) string {
	return eventPrefix + strconv.Itoa(partition)
}

// RefSubjects is the filter that matches every reference record.
const RefSubjects = refPrefix + ">"

// EventSubjects is the filter that matches every partition's events.
const EventSubjects = eventPrefix + ">"

// mixedKind is what kindOfSubject returns for a subject whose lines each
// begin with their kind.
const mixedKind ingest.Kind = ""

// kindOfSubject returns the kind of records a subject holds (mixedKind for a
// partition's events, whose lines name their own kind), or false for a
// subject intake does not write.
func kindOfSubject(subject string) (ingest.Kind, bool) {
	if s, ok := strings.CutPrefix(subject, eventPrefix); ok {
		if _, err := strconv.Atoi(s); err == nil {
			return mixedKind, true
		}
		return "", false
	}
	if s, ok := strings.CutPrefix(subject, refPrefix); ok {
		k, err := ingest.ParseKind(s)
		return k, err == nil
	}
	return "", false
}
