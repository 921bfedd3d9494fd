package detect_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern/detect"
	"lantern/ingest"
)

// planted is one offender's story, told in records: he attends a domestic
// abuse call, the case is closed in two days, and over the following weeks he
// looks her up again, reads her phone number and address, texts her at night
// from his work phone, and trawls through young women's records.
const planted = `
person {"id":"PV","gender":"female","birth_year":1998,"area":"north","flags":["domestic_abuse_victim"],"phones":["07700 123456"],"time":"2023-06-01T00:00:00Z"}
incident {"id":"IV","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T20:00:00Z","area":"north"}
involvement {"incident_id":"IV","person_id":"PV","part":"victim","at":"2024-02-01T20:05:00Z"}
assignment {"incident_id":"IV","staff_id":"S00000","kind":"attended","at":"2024-02-01T20:30:00Z"}
incident {"id":"IV","type":"domestic_abuse","status":"closed","opened_at":"2024-02-01T20:00:00Z","closed_at":"2024-02-03T09:00:00Z","area":"north"}
access {"id":"x1","time":"2024-02-02T10:00:00Z","staff_id":"S00000","system":"rms","action":"view","person_id":"PV"}
access {"id":"x2","time":"2024-02-10T23:10:00Z","staff_id":"S00000","system":"rms","action":"view","person_id":"PV","fields":["phone","address"]}
comms {"id":"x3","time":"2024-02-10T23:40:00Z","staff_id":"S00000","device":"DS00000","direction":"outbound","kind":"sms","number":"07700 123456"}
comms {"id":"x4","time":"2024-02-14T22:00:00Z","staff_id":"S00000","device":"DS00000","direction":"outbound","kind":"call","number":"07700 123456","duration_s":600}
`

// TestPlantedOffenderRanksFirst plants one offender in a synthetic force of
// 200 staff and checks that the built-in library and Risk put him at the top
// of the queue, and that nobody else shows as many indicators.
func TestPlantedOffenderRanksFirst(t *testing.T) {
	set := library(t)
	f := newSynthForce(6, 200, 40000)
	h, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	story, err := detect.ParseRecords(planted+trawl(), h)
	if err != nil {
		t.Fatal(err)
	}
	e := f.engine(set)
	var events []*ingest.Record
	for _, r := range story {
		if r.Access != nil || r.Comms != nil {
			events = append(events, r)
		} else {
			e.Apply(r)
		}
	}
	events = append(events, f.events...)
	slices.SortStableFunc(events, func(a, b *ingest.Record) int { return a.Time.Compare(b.Time) })
	risk := detect.NewRisk(30 * 24 * time.Hour)
	indicators := map[string]map[string]bool{} // staff → rules that alerted
	for _, r := range events {
		for _, a := range e.Apply(r) {
			risk.Add(a)
			if indicators[a.StaffID] == nil {
				indicators[a.StaffID] = map[string]bool{}
			}
			indicators[a.StaffID][a.Rule] = true
		}
	}
	rules := indicators["S00000"]
	top := risk.Ranked(3)
	if len(top) < 2 || top[0].StaffID != "S00000" {
		t.Fatalf("queue: %+v", top)
	}
	// The synthetic force's background (one access in twenty to someone the
	// officer has no link to) gives others real scores too; what sets the
	// offender apart is the breadth of indicators.
	if top[0].Score < 1.5*top[1].Score {
		t.Errorf("the offender scores %.3g, the next %.3g: not clearly apart", top[0].Score, top[1].Score)
	}
	for id, rs := range indicators {
		if id != "S00000" && len(rs) >= len(rules) {
			t.Errorf("%s has %d indicators, as many as the offender's %d", id, len(rs), len(rules))
		}
	}
	for _, want := range []string{"renewed_interest_after_contact", "contact_detail_harvesting", "victim_contact_off_duty", "quick_closure_then_contact", "trawling_peer", "harvest_then_contact", "corroborated_concern"} {
		if !rules[want] {
			t.Errorf("no %s alert for the offender; got %v", want, rules)
		}
	}
	t.Logf("top of the queue: %s", top[0].Explanation)
	t.Logf("next: %s from %d indicators (the offender: %d)", top[1].Explanation, len(indicators[top[1].StaffID]), len(rules))
}

// trawl has the offender view 25 young women's records, victims all, over
// two evenings.
func trawl() string {
	var b strings.Builder
	for i := range 25 {
		fmt.Fprintf(&b, "person {\"id\":\"PW%02d\",\"gender\":\"female\",\"birth_year\":2001,\"area\":\"south\",\"flags\":[\"sexual_offence_victim\"],\"time\":\"2023-06-01T00:00:00Z\"}\n", i)
		at := time.Date(2024, 3, 20+i/13, 15, i%13, 0, 0, time.UTC)
		fmt.Fprintf(&b, "access {\"id\":\"w%02d\",\"time\":%q,\"staff_id\":\"S00000\",\"system\":\"rms\",\"action\":\"view\",\"person_id\":\"PW%02d\"}\n", i, at.Format(time.RFC3339), i)
	}
	return b.String()
}
