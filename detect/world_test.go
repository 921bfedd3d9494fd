package detect

import (
	"slices"
	"testing"
)

const worldScript = `
staff {"id":"S1","category":"officer","role":"response","gender":"male","area":"north","start_date":"2015-01-01"}
staff {"id":"S1","category":"officer","role":"detective","gender":"male","area":"south","start_date":"2015-01-01","time":"2024-06-01T00:00:00Z"}
person {"id":"P1","gender":"female","birth_year":1995,"area":"north","phones":["07700 900123"],"time":"2024-01-01T00:00:00Z"}
person {"id":"P1","gender":"female","birth_year":1995,"area":"north","flags":["domestic_abuse_victim"],"phones":["07700 900123"],"time":"2024-03-01T00:00:00Z"}
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z","area":"north"}
incident {"id":"I1","type":"domestic_abuse","status":"closed","opened_at":"2024-02-01T10:00:00Z","closed_at":"2024-04-01T10:00:00Z","area":"north"}
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z","time":"2024-05-01T10:00:00Z","area":"north"}
involvement {"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-02-01T10:05:00Z"}
assignment {"incident_id":"I1","staff_id":"S1","kind":"assigned","at":"2024-02-10T00:00:00Z"}
assignment {"incident_id":"I1","staff_id":"S2","kind":"attended","at":"2024-02-01T10:30:00Z"}
shift {"staff_id":"S1","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}
shift {"staff_id":"S1","kind":"sick","start":"2024-03-10T00:00:00Z","end":"2024-03-14T00:00:00Z"}
shift {"staff_id":"S1","kind":"duty","start":"2024-03-12T07:00:00Z","end":"2024-03-12T17:00:00Z"}
`

// TestWorldAsOf checks that every query sees only the facts effective at or
// before the instant asked, whatever order the records were applied in.
func TestWorldAsOf(t *testing.T) {
	recs := records(t, worldScript)
	forward, backward := NewWorld(), NewWorld()
	for i := range recs {
		forward.Apply(recs[i])
		backward.Apply(recs[len(recs)-1-i])
	}
	for _, w := range []*World{forward, backward} {
		checks := []struct {
			name string
			got  any
			want any
		}{
			{"not vulnerable before the flag", w.Vulnerable("P1", at("2024-02-15T00:00:00Z")), false},
			{"vulnerable once flagged", w.Vulnerable("P1", at("2024-03-01T00:00:00Z")), true},
			{"flags as of t", w.Flags("P1", at("2024-03-02T00:00:00Z")), []string{"domestic_abuse_victim"}},
			{"has_flag", w.HasFlag("P1", "domestic_abuse_victim", at("2024-03-02T00:00:00Z")), true},
			{"unknown before the first version", w.Gender("P1", at("2023-12-31T00:00:00Z")), ""},
			{"gender", w.Gender("P1", at("2024-01-02T00:00:00Z")), "female"},
			{"age", w.Age("P1", at("2024-01-02T00:00:00Z")), 29},
			{"not linked before assignment", w.Linked("S1", "P1", at("2024-02-09T00:00:00Z")), false},
			{"linked by assignment", w.Linked("S1", "P1", at("2024-02-10T00:00:00Z")), true},
			{"assigned is not attended", w.Attended("S1", "P1", at("2024-03-01T00:00:00Z")), false},
			{"attended", w.Attended("S2", "P1", at("2024-03-01T00:00:00Z")), true},
			{"linked incident", w.LinkedIncident("S1", "I1", at("2024-03-01T00:00:00Z")), true},
			{"open case before closure", w.OpenCaseWith("S1", "P1", at("2024-03-31T00:00:00Z")), true},
			{"closed at closure (inclusive)", w.CaseOpen("I1", at("2024-04-01T10:00:00Z")), false},
			{"no open case while closed", w.OpenCaseWith("S1", "P1", at("2024-04-15T00:00:00Z")), false},
			{"still linked while closed", w.Linked("S1", "P1", at("2024-04-15T00:00:00Z")), true},
			{"reopened", w.CaseOpen("I1", at("2024-05-01T10:00:00Z")), true},
			{"not open before opening", w.CaseOpen("I1", at("2024-01-01T00:00:00Z")), false},
			{"phone before the version holding it", w.PersonByPhone(hashOf(t, "07700 900123"), at("2023-06-01T00:00:00Z")), ""},
			{"phone", w.PersonByPhone(hashOf(t, "07700 900123"), at("2024-01-01T00:00:00Z")), "P1"},
			{"on duty", w.OnDuty("S1", at("2024-03-01T07:00:00Z")), true},
			{"shift end exclusive", w.OnDuty("S1", at("2024-03-01T17:00:00Z")), false},
			{"sickness wins over duty", w.OnDuty("S1", at("2024-03-12T10:00:00Z")), false},
			{"no roster entry", w.OnDuty("S2", at("2024-03-12T10:00:00Z")), false},
			{"rostered", w.Rostered("S1"), true},
			{"not rostered", w.Rostered("S2"), false},
			{"incident area", w.IncidentArea("I1"), "north"},
		}
		for _, c := range checks {
			if !equalAny(c.got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
		f, _ := w.Staff("S1", at("2024-05-31T00:00:00Z"))
		g, _ := w.Staff("S1", at("2024-06-01T00:00:00Z"))
		if f.Role != "response" || g.Role != "detective" || g.Area != "south" {
			t.Errorf("staff versions: %+v then %+v", f, g)
		}
		cc, ok := w.ClosedCaseWith("S1", "P1", at("2024-04-11T10:00:00Z"))
		if !ok || cc.Incident != "I1" || cc.DaysSinceClosed != 10 || cc.Attended || cc.DaysOpen != 60 {
			t.Errorf("closed case: %+v %v", cc, ok)
		}
		if _, ok := w.ClosedCaseWith("S1", "P1", at("2024-05-02T00:00:00Z")); ok {
			t.Error("a reopened case is not closed")
		}
	}
}

func equalAny(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, ok := b.([]string)
		return ok && slices.Equal(as, bs)
	}
	return a == b
}

func hashOf(t *testing.T, number string) string {
	recs := records(t, `comms {"id":"c","time":"2024-01-01T00:00:00Z","staff_id":"S","device":"D","direction":"outbound","kind":"sms","number":"`+number+`"}`)
	return recs[0].Comms.NumberHash
}

// TestWorldApplyTwice checks that applying a record again changes nothing.
func TestWorldApplyTwice(t *testing.T) {
	once := world(t, worldScript)
	twice := world(t, worldScript+worldScript)
	for _, id := range []string{"S1", "S2"} {
		if len(once.assigned[id]) != len(twice.assigned[id]) {
			t.Errorf("assignments of %s: %d then %d", id, len(once.assigned[id]), len(twice.assigned[id]))
		}
	}
	if len(once.shifts["S1"].shifts) != len(twice.shifts["S1"].shifts) || len(once.incidents["I1"].status) != len(twice.incidents["I1"].status) {
		t.Error("shifts or status history grew on a second apply")
	}
}

// TestOpenCaseEndsWithAssignment checks that an assignment's end takes away
// the open-case purpose but not the historical link.
func TestOpenCaseEndsWithAssignment(t *testing.T) {
	w := world(t, `
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z"}
involvement {"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-02-01T10:05:00Z"}
assignment {"incident_id":"I1","staff_id":"S1","kind":"assigned","at":"2024-02-01T11:00:00Z","until":"2024-02-05T11:00:00Z"}
`)
	if !w.OpenCaseWith("S1", "P1", at("2024-02-05T11:00:00Z")) {
		t.Error("the assignment's last instant still counts")
	}
	if w.OpenCaseWith("S1", "P1", at("2024-02-05T11:00:01Z")) || !w.Linked("S1", "P1", at("2024-02-06T00:00:00Z")) {
		t.Error("after the assignment ended: want no open case, still linked")
	}
}
