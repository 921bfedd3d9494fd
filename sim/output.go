package sim

import (
	"errors"
	"os"
	"path/filepath"

	"lantern/ingest"
)

// TruthFile is the name of the ground-truth file Generate writes beside the
// records.
const TruthFile = "truth.jsonl"

// output is the set of files one run writes, one sink per kind.
type output struct {
	dir         string
	staff       *sink[staffRec]
	person      *sink[personRec]
	incident    *sink[incidentRec]
	involvement *sink[involvementRec]
	assignment  *sink[assignmentRec]
	shift       *sink[shiftRec]
	access      *sink[accessRec]
	comms       *sink[commsRec]
	screening   *sink[screeningRec]
}

// openOutput creates dir if needed and DIR/KIND.jsonl for every kind,
// replacing files of those names. Records are written with the names in n.
func openOutput(dir string, w *names) (*output, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	o := &output{dir: dir}
	path := func(k ingest.Kind) string { return filepath.Join(dir, string(k)+".jsonl") }
	var errs []error
	open := func(err error) { errs = append(errs, err) }
	var err error
	o.staff, err = newSink(path(ingest.KindStaff), w.encStaff)
	open(err)
	o.person, err = newSink(path(ingest.KindPerson), w.encPerson)
	open(err)
	o.incident, err = newSink(path(ingest.KindIncident), w.encIncident)
	open(err)
	o.involvement, err = newSink(path(ingest.KindInvolvement), w.encInvolvement)
	open(err)
	o.assignment, err = newSink(path(ingest.KindAssignment), w.encAssignment)
	open(err)
	o.shift, err = newSink(path(ingest.KindShift), w.encShift)
	open(err)
	o.access, err = newSink(path(ingest.KindAccess), w.encAccess)
	open(err)
	o.comms, err = newSink(path(ingest.KindComms), w.encComms)
	open(err)
	o.screening, err = newSink(path(ingest.KindScreening), w.encScreening)
	open(err)
	if err := errors.Join(errs...); err != nil {
		_ = o.abort()
		return nil, err
	}
	return o, nil
}

// flush hands every record before the instant before to the writers.
func (o *output) flush(before int64) {
	o.staff.flush(before)
	o.person.flush(before)
	o.incident.flush(before)
	o.involvement.flush(before)
	o.assignment.flush(before)
	o.shift.flush(before)
	o.access.flush(before)
	o.comms.flush(before)
	o.screening.flush(before)
}

// close writes everything pending and closes every file.
func (o *output) close() error {
	return errors.Join(o.staff.close(), o.person.close(), o.incident.close(), o.involvement.close(),
		o.assignment.close(), o.shift.close(), o.access.close(), o.comms.close(), o.screening.close())
}

// failed reports whether a writer has met an error.
func (o *output) failed() bool {
	return o.staff.failed.Load() || o.person.failed.Load() || o.incident.failed.Load() || o.involvement.failed.Load() ||
		o.assignment.failed.Load() || o.shift.failed.Load() || o.access.failed.Load() || o.comms.failed.Load() || o.screening.failed.Load()
}

// abort stops the writers and closes whatever files are open, after a
// failure, and returns the writers' errors.
func (o *output) abort() error {
	var errs []error
	for _, c := range []interface{ abortIfOpen() error }{o.staff, o.person, o.incident, o.involvement, o.assignment, o.shift, o.access, o.comms, o.screening} {
		errs = append(errs, c.abortIfOpen())
	}
	return errors.Join(errs...)
}

// counts returns the records written per kind, in load order.
func (o *output) counts() map[ingest.Kind]int64 {
	return map[ingest.Kind]int64{
		ingest.KindStaff: o.staff.n, ingest.KindPerson: o.person.n, ingest.KindIncident: o.incident.n,
		ingest.KindInvolvement: o.involvement.n, ingest.KindAssignment: o.assignment.n, ingest.KindShift: o.shift.n,
		ingest.KindAccess: o.access.n, ingest.KindComms: o.comms.n, ingest.KindScreening: o.screening.n,
	}
}
