package index_test

import (
	"testing"

	"lantern/detect"
	"lantern/index"
	"lantern/ingest"
)

// FuzzProject checks that every event intake accepts projects to an
// indexed event the store accepts: one that did not would stop the
// indexer at that event.
func FuzzProject(f *testing.F) {
	f.Add(`access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S2","system":"rms","action":"view","person_id":"P1","fields":["address"]}`)
	f.Add(`access {"id":"a9","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"pnc","action":"search","query":"blonde woman"}`)
	f.Add(`comms {"id":"c1","time":"2024-02-10T18:00:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"call","number":"07700 900123","duration":"2m"}`)
	f.Add(`access {"id":"a7","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"print","incident_id":"I2","workstation":"W 1"}`)
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		recs, err := detect.ParseRecords(world+"\n"+line, hasher)
		if err != nil {
			return // intake would refuse it
		}
		p := index.NewProjector(nil)
		for i, r := range recs {
			if e := p.Project(r, uint64(i+1)); e != nil {
				if err := e.Validate(); err != nil {
					t.Fatalf("%q projects to an invalid event: %v", line, err)
				}
			}
		}
	})
}
