// Package sqlbase is the baseline `lantern bench` compares the detection
// engine with: the detections of the built-in rule library (rules/*.yaml)
// written as plain SQL, as a competent engineer would write them for a
// nightly batch job, over the records loaded into SQLite or PostgreSQL.
//
// Load creates plain tables (versions of staff and people with their flags
// and numbers, incidents with their status changes, involvements,
// assignments, shifts, access and comms events) and bulk-loads records into
// them: multi-row INSERTs in one transaction for SQLite, COPY for
// PostgreSQL. It then derives as-of tables (each version with the interval
// it is in force), indexes them and refreshes the planner's statistics.
// Detect works out each event's facts once (prepare.sql) and runs one file
// of SQL per rule (sql/rules/<rule>.sql), keyed by the rule's name, so that
// adding or changing a rule is a change to one file. docs/sqlbase.md
// describes each rule's SQL and where its semantics differ from the
// engine's.
package sqlbase
