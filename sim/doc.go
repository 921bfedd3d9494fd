// Package sim generates a synthetic police force: its workforce, the people
// and incidents in its records, duty rosters, the audit logs of its systems
// and the metadata of its work phones, with a few members of staff planted as
// offenders who abuse their position for a sexual purpose, and the ground
// truth of what they did.
//
// Generate writes one file per kind of record in the intake formats of
// docs/formats.md (DIR/KIND.jsonl, each ordered by the time that orders the
// kind), so that `lantern ingest DIR` loads the whole force, and
// DIR/truth.jsonl with one line per planted behaviour. The same Config gives
// the same bytes: all randomness comes from one seeded generator, nothing
// reads the clock, and nothing depends on map iteration order.
//
// The simulation runs day by day. The force's state (staff, areas, the people
// and recent incidents in its records, open cases, rosters, offenders' plans)
// is held in memory and grows with the size of the force, not the number of
// days; each day's events are sorted and written out before the next day is
// simulated. docs/simulator.md describes the force and its volumes.
package sim
