package detect_test

import (
	"os"
	"strconv"
	"testing"

	"lantern/detect"
	"lantern/ingest"
)

// TestCountedLoop judges the first LANTERN_COUNT events of BenchmarkEngine's
// synthetic force (decoding each from its JSON line first when
// LANTERN_COUNT_JSON is set), for scripts/count-instructions, which counts
// the instructions an event takes under callgrind; wall-clock benchmarks on a
// shared machine are too noisy to compare small changes. It is skipped
// unless LANTERN_COUNT is set.
func TestCountedLoop(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LANTERN_COUNT"))
	if n == 0 {
		t.Skip("LANTERN_COUNT is not set")
	}
	set := library(t)
	f := newSynthForce(3, 1000, 200000)
	_, decode := jsonEvents(t, f)
	e := f.engine(set)
	countedLoop(e, f, decode, n, os.Getenv("LANTERN_COUNT_JSON") != "")
}

//go:noinline
func countedLoop(e *detect.Engine, f *synthForce, decode func(int) (*ingest.Record, error), n int, json bool) {
	for i := 0; i < n; i++ {
		r := f.events[i]
		if json {
			var err error
			if r, err = decode(i); err != nil {
				panic(err)
			}
		}
		e.Apply(r)
	}
}
