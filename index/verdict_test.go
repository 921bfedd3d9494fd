package index_test

import (
	"strings"
	"testing"

	"lantern"
	"lantern/detect"
	"lantern/index"
	"lantern/ingest"
)

// world is the reference data of the verdict cases: P1 is the victim in
// I1 (closed on 10 February) and I2 (open); S1 attended I1; S2 is assigned
// to I2; S3 works the control room with no link to either. S1 is on duty
// on 1 March from 07:00 to 17:00.
const world = `
staff {"id":"S1","category":"officer","role":"response","gender":"male","area":"north","start_date":"2015-01-01"}
staff {"id":"S2","category":"officer","role":"cid","gender":"male","area":"north","start_date":"2015-01-01"}
staff {"id":"S3","category":"staff","role":"control_room","gender":"female","area":"north","start_date":"2015-01-01"}
person {"id":"P1","gender":"female","birth_year":1995,"area":"north","phones":["07700 900123"],"time":"2024-01-01T00:00:00Z"}
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z","area":"north"}
involvement {"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-02-01T10:05:00Z"}
assignment {"incident_id":"I1","staff_id":"S1","kind":"attended","at":"2024-02-01T11:00:00Z"}
incident {"id":"I1","type":"domestic_abuse","status":"closed","opened_at":"2024-02-01T10:00:00Z","closed_at":"2024-02-10T10:00:00Z","area":"north"}
incident {"id":"I2","type":"stalking_harassment","status":"open","opened_at":"2024-02-20T10:00:00Z","area":"north"}
involvement {"incident_id":"I2","person_id":"P1","part":"victim","at":"2024-02-20T10:05:00Z"}
assignment {"incident_id":"I2","staff_id":"S2","kind":"assigned","at":"2024-02-20T12:00:00Z"}
shift {"staff_id":"S1","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}
shift {"staff_id":"S3","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}
`

// TestVerdicts pins down the purpose verdict and its wording case by case.
func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		name, event, purpose, reason string
	}{
		{"assigned officer, open case",
			`access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S2","system":"rms","action":"view","person_id":"P1"}`,
			lantern.PurposeYes, "assigned to incident I2 (open)"},
		{"attending officer, case long closed, on duty",
			`access {"id":"a2","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}`,
			lantern.PurposeNo, "no current purpose: attended incident I1, closed 19 days before; on duty"},
		{"attending officer, own case named",
			`access {"id":"a3","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1","incident_id":"I1"}`,
			lantern.PurposeYes, "working their own incident I1, which the person is in"},
		{"control room, live incident named, on duty",
			`access {"id":"a4","time":"2024-03-01T09:00:00Z","staff_id":"S3","system":"command","action":"view","person_id":"P1","incident_id":"I2"}`,
			lantern.PurposeYes, "working open incident I2, which the person is in"},
		{"control room, live incident named, off duty",
			`access {"id":"a5","time":"2024-03-01T23:00:00Z","staff_id":"S3","system":"command","action":"view","person_id":"P1","incident_id":"I2"}`,
			lantern.PurposeNo, "no link to the person; off duty"},
		{"no link at all, off duty",
			`access {"id":"a6","time":"2024-03-01T20:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1","incident_id":"I2"}`,
			lantern.PurposeNo, "no current purpose: attended incident I1, closed 20 days before; off duty"},
		{"incident only, not linked",
			`access {"id":"a7","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","incident_id":"I2"}`,
			lantern.PurposeNo, "no link to incident I2; on duty"},
		{"incident only, linked",
			`access {"id":"a8","time":"2024-03-01T09:00:00Z","staff_id":"S2","system":"rms","action":"view","incident_id":"I2"}`,
			lantern.PurposeYes, "linked to incident I2 (open)"},
		{"search by description",
			`access {"id":"a9","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"pnc","action":"search","query":"blonde woman"}`,
			lantern.PurposeUnknown, "a search with no person or incident to link; on duty"},
		{"call the day a case closed",
			`comms {"id":"c1","time":"2024-02-10T18:00:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"call","number":"07700 900123"}`,
			lantern.PurposeYes, "attended incident I1 (closed 8 hours before)"},
		{"call long after",
			`comms {"id":"c2","time":"2024-03-01T18:00:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"sms","number":"07700 900123"}`,
			lantern.PurposeNo, "no current purpose: attended incident I1, closed 20 days before; off duty"},
		{"call to a number nobody holds",
			`comms {"id":"c3","time":"2024-03-01T18:00:00Z","staff_id":"S2","device":"D2","direction":"inbound","kind":"call","number":"07700 900999"}`,
			lantern.PurposeUnknown, "the number is not held against anyone in force records; no roster held"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := detect.ParseRecords(world+c.event, hasher)
			if err != nil {
				t.Fatal(err)
			}
			p := index.NewProjector(nil)
			var got *lantern.IndexedEvent
			for i, r := range recs {
				if e := p.Project(r, uint64(i+1)); e != nil {
					got = e
				}
			}
			if got == nil {
				t.Fatal("no event projected")
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("projected event is invalid: %v", err)
			}
			if got.Purpose != c.purpose || got.PurposeReason != c.reason {
				t.Errorf("verdict %s (%s), want %s (%s)", got.Purpose, got.PurposeReason, c.purpose, c.reason)
			}
			if got.Kind == lantern.IndexedComms && strings.HasPrefix(c.name, "call the") && got.PersonID != "P1" {
				t.Errorf("the call is not shown as with P1: %+v", got)
			}
		})
	}
}

// TestProjectorOwns checks that a projector limited to some staff leaves
// the others' events out but keeps everyone's reference data.
func TestProjectorOwns(t *testing.T) {
	hasher, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := detect.ParseRecords(world+`
access {"id":"x1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}
access {"id":"x2","time":"2024-03-01T09:00:00Z","staff_id":"S2","system":"rms","action":"view","person_id":"P1"}`, hasher)
	if err != nil {
		t.Fatal(err)
	}
	p := index.NewProjector(func(s string) bool { return s == "S2" })
	var got []string
	for i, r := range recs {
		if e := p.Project(r, uint64(i+1)); e != nil {
			got = append(got, e.ID+":"+e.Purpose)
		}
	}
	if len(got) != 1 || got[0] != "x2:yes" {
		t.Errorf("projected %v", got)
	}
}
