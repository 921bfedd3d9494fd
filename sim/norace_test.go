//go:build !race

package sim

// raceDetector is set when the tests run under the race detector, which
// makes the simulation several times slower: the tests then use smaller
// forces.
const raceDetector = false
