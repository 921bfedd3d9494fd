package sim

import (
	"fmt"
	"strings"
	"time"

	"lantern/ingest"
)

// RoleStats is what the members of one role did over the run.
type RoleStats struct {
	Role   string `json:"role"`
	Staff  int    `json:"staff"`  // members over the run, joiners included
	Shifts int64  `json:"shifts"` // duty shifts worked on days with events
	Access int64  `json:"access"` // audit entries made
	Comms  int64  `json:"comms"`  // work-phone records made
}

// AccessPerShift is the mean number of audit entries per duty shift.
func (r RoleStats) AccessPerShift() float64 { return ratio(float64(r.Access), float64(r.Shifts)) }

// CommsPerShift is the mean number of work-phone records per duty shift.
func (r RoleStats) CommsPerShift() float64 { return ratio(float64(r.Comms), float64(r.Shifts)) }

// Stats is what Generate wrote.
type Stats struct {
	Config     Config                `json:"config"`
	Records    map[ingest.Kind]int64 `json:"records"`    // lines written per kind
	Offenders  int                   `json:"offenders"`  // staff with at least one planted behaviour
	Behaviours int                   `json:"behaviours"` // lines of truth.jsonl
	Patterns   map[string]int        `json:"patterns"`   // planted behaviours per pattern
	Roles      []RoleStats           `json:"roles"`      // in the order of the role table
	Elapsed    time.Duration         `json:"elapsed"`
}

// Events returns the number of audit and work-phone events written.
func (s *Stats) Events() int64 { return s.Records[ingest.KindAccess] + s.Records[ingest.KindComms] }

// EventsPerSecond returns the events generated per second of the run.
func (s *Stats) EventsPerSecond() float64 { return ratio(float64(s.Events()), s.Elapsed.Seconds()) }

// String summarises the run in one line.
func (s *Stats) String() string {
	var b strings.Builder
	total := int64(0)
	for _, k := range ingest.Kinds() {
		total += s.Records[k]
	}
	fmt.Fprintf(&b, "%d records (", total)
	for i, k := range ingest.Kinds() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, s.Records[k])
	}
	fmt.Fprintf(&b, "); %d offenders with %d planted behaviours; %d events in %s (%.0f events/s)",
		s.Offenders, s.Behaviours, s.Events(), s.Elapsed.Round(time.Millisecond), s.EventsPerSecond())
	return b.String()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
