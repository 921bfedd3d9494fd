package intake

import (
	"context"

	"lantern/ingest"
	"lantern/nats"
)

// LogReport is what CheckLog found in the event log.
type LogReport struct {
	Messages   uint64         `json:"last_seq"`
	Records    int            `json:"records"`
	ByKind     map[string]int `json:"by_kind"`
	Duplicates int            `json:"duplicates"` // records whose kind and id appeared earlier in the log
}

// CheckLog reads the whole event log and counts its records by kind, and how
// many repeat a (kind, id) already seen. Intake never appends a duplicate, so
// a healthy log has none; the crash tests use this to prove it.
func CheckLog(ctx context.Context, log *nats.Log, phones *ingest.PhoneHasher) (*LogReport, error) {
	rep := &LogReport{ByKind: map[string]int{}}
	seen := newIDSet(0)
	last, err := ReadLog(ctx, log, phones, 1, func(lr LogRecord) error {
		rep.Records++
		rep.ByKind[string(lr.Record.Kind)]++
		if !seen.Add(keyOf(string(lr.Record.Kind), lr.Record.ID)) {
			rep.Duplicates++
		}
		return nil
	})
	rep.Messages = last
	return rep, err
}
