package detect_test

import (
	"reflect"
	"testing"

	"lantern/detect"
)

// TestClosuresChangeNothing checks that the engine raises exactly the same
// alerts — ids, evidence, scores, explanations — and counts the same
// evaluations and errors with the compiled closures as with expr's VM, on a
// synthetic force judged by the whole library.
func TestClosuresChangeNothing(t *testing.T) {
	set := library(t)
	f := newSynthForce(11, 200, 40000)
	var runs [2][]detect.Alert
	var stats [2]detect.Stats
	for i := range runs {
		e := f.engine(set)
		detect.SetClosures(e, i == 0)
		for _, r := range f.events {
			runs[i] = append(runs[i], e.Apply(r)...)
		}
		stats[i] = e.Stats()
	}
	if len(runs[0]) == 0 {
		t.Fatal("the synthetic force raised no alerts")
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Fatalf("closures gave %d alert updates, the VM %d, or they differ", len(runs[0]), len(runs[1]))
	}
	if stats[0] != stats[1] {
		t.Fatalf("closures counted %+v, the VM %+v", stats[0], stats[1])
	}
}
