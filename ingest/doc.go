// Package ingest parses, validates and normalises everything a force sends
// Lantern: JSON Lines files of audit events, communications metadata and
// reference records (staff, people, incidents, the links between them and
// duty rosters), and CSV exports read through a mapping profile.
//
// The package does no I/O to stores or the event log. A pipeline reads lines
// with a LineReader (or rows with a CSVReader), turns each into a Record with a
// Decoder, and decides what to do with the Records and the errors. Every error
// about the input is a *lantern.Error with code EINVALID and, where one field
// is at fault, Field set to that field's JSON key; errors about one line are
// wrapped in a *LineError that gives the line number.
//
// Clear telephone numbers never leave this package: they are normalised to
// E.164 and replaced by a keyed hash (see PhoneHasher), and no error message
// repeats them.
//
// docs/formats.md describes the formats for the people who produce them.
package ingest
