// Package detect is Lantern's detection engine: it judges access and
// communications events against rules, using reference data (staff, people,
// incidents, the links between them and rosters) held in a time-versioned
// World, and raises explained, de-duplicated alerts that Risk combines into a
// ranked score per member of staff.
//
// Everything is driven by the records' own times: nothing reads the wall
// clock, so replaying the same records gives the same alerts as live
// processing. The package does no I/O except reading rule and fixture files
// from an fs.FS; docs/rules.md describes the rule language.
package detect
