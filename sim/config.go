package sim

import (
	"fmt"
	"time"

	"lantern"
)

// DefaultOffenderRate is the share of staff planted as offenders when
// Config.OffenderRate is zero.
const DefaultOffenderRate = 0.005

// defaultStart is the first simulated day when Config.Start is zero,
// 2024-01-01: a fixed date, never the wall clock, so that a seed always
// gives the same output.
func defaultStart() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// Limits on a Config.
const (
	MinStaff = 50
	MaxStaff = 200_000
	MaxDays  = 3650
)

// Limits of the warm-up: how long the force's records run before the first
// day of events. Incidents opened, investigated, closed and sent to court in
// that period are written as reference data, so that the first simulated day
// finds open cases, closed cases awaiting trial and victims an officer met
// weeks ago, as a real force's records would. The warm-up lasts as long as
// the run, within these limits, so that a short run stays small.
const (
	minWarmupDays = 30
	maxWarmupDays = 120
)

// warmupDays is the length of the warm-up before a run of c.Days.
func (c Config) warmupDays() int { return min(max(c.Days, minWarmupDays), maxWarmupDays) }

// Config describes the force to simulate.
type Config struct {
	Staff int   // size of the workforce at the start
	Days  int   // days of audit and phone events to generate
	Seed  int64 // the same seed gives the same bytes

	// OffenderRate is the share of staff planted as offenders; 0 means
	// DefaultOffenderRate and a negative value plants none.
	OffenderRate float64

	// Start is midnight UTC of the first day of events; zero means
	// 2024-01-01. It is truncated to a whole day.
	Start time.Time
}

// withDefaults returns c with zero fields filled in, or an EINVALID error for
// values outside the limits.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Staff < MinStaff || c.Staff > MaxStaff:
		return c, lantern.FieldErrorf("staff", "staff %d is outside %d-%d", c.Staff, MinStaff, MaxStaff)
	case c.Days < 1 || c.Days > MaxDays:
		return c, lantern.FieldErrorf("days", "days %d is outside 1-%d", c.Days, MaxDays)
	case c.OffenderRate > 0.5:
		return c, lantern.FieldErrorf("offenders", "offender rate %g is above 0.5", c.OffenderRate)
	}
	if c.OffenderRate == 0 {
		c.OffenderRate = DefaultOffenderRate
	}
	if c.OffenderRate < 0 {
		c.OffenderRate = 0
	}
	if c.Start.IsZero() {
		c.Start = defaultStart()
	}
	c.Start = c.Start.UTC().Truncate(24 * time.Hour)
	first := c.Start.AddDate(0, 0, -maxWarmupDays-400)
	last := c.Start.AddDate(0, 0, c.Days+400)
	if first.Year() < 1950 || last.Year() > 2190 {
		return c, lantern.FieldErrorf("start", "start %s leaves the simulated records outside 1950-2190", c.Start.Format(time.DateOnly))
	}
	return c, nil
}

// String describes the force in one line, with defaults filled in.
func (c Config) String() string {
	if d, err := c.withDefaults(); err == nil {
		c = d
	}
	return fmt.Sprintf("%d staff, %d days from %s, seed %d, offender rate %g",
		c.Staff, c.Days, c.Start.Format(time.DateOnly), c.Seed, c.OffenderRate)
}
