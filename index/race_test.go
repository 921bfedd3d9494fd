//go:build race

package index_test

// raceEnabled shrinks the simulated force under the race detector, which
// slows everything about tenfold.
const raceEnabled = true
