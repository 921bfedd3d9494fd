//go:build race

package sqlbase_test

// raceDetector is set when the tests run under the race detector, which
// makes SQLite (C translated to Go) many times slower and has nothing to
// check in a single connection's queries: the comparison with the engine on
// a simulated force is then skipped.
const raceDetector = true
