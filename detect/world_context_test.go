package detect

import (
	"testing"
	"time"
)

const contextScript = `
staff {"id":"S1","category":"officer","role":"response","gender":"male","area":"north","start_date":"2015-01-01"}
person {"id":"P1","gender":"female","birth_year":1995,"area":"north","flags":["domestic_abuse_victim"],"time":"2024-01-01T00:00:00Z"}
incident {"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z","area":"north"}
involvement {"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-02-01T10:05:00Z"}
assignment {"incident_id":"I1","staff_id":"S1","kind":"attended","at":"2024-02-01T10:30:00Z","until":"2024-02-01T11:30:00Z"}
assignment {"incident_id":"I1","staff_id":"S2","kind":"assigned","at":"2024-02-01T12:00:00Z"}
shift {"staff_id":"S1","kind":"duty","start":"2024-03-01T22:00:00Z","end":"2024-03-02T07:00:00Z"}
shift {"staff_id":"S1","kind":"sick","start":"2024-03-02T00:00:00Z","end":"2024-03-04T00:00:00Z"}
shift {"staff_id":"S1","kind":"duty","start":"2024-03-05T07:00:00Z","end":"2024-03-05T17:00:00Z"}
shift {"staff_id":"S1","kind":"court","start":"2024-03-20T09:30:00Z","end":"2024-03-20T16:30:00Z"}
`

// TestWorldContext is the table of the questions world_context.go and
// world_court.go answer.
func TestWorldContext(t *testing.T) {
	w := world(t, contextScript)
	off := func(s string) any {
		d, ok := w.OffDutyFor("S1", at(s))
		if !ok {
			return "unknown"
		}
		return d
	}
	since := func(staff, s string) any {
		d, ok := w.SinceAttended(staff, "P1", at(s))
		if !ok {
			return "never"
		}
		return d
	}
	opened := func(s string) any {
		d, ok := w.SinceOpened("I1", at(s))
		if !ok {
			return "not yet"
		}
		return d
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"involved", w.Involved("P1", "I1", at("2024-02-02T00:00:00Z")), true},
		{"not involved before the record", w.Involved("P1", "I1", at("2024-02-01T10:00:00Z")), false},
		{"attended ten days before", since("S1", "2024-02-11T10:30:00Z"), 10 * 24 * time.Hour},
		{"assigned is not attended", since("S2", "2024-02-11T10:30:00Z"), "never"},
		{"not attended before the attendance", since("S1", "2024-02-01T10:00:00Z"), "never"},
		{"opened a day before", opened("2024-02-02T10:00:00Z"), 24 * time.Hour},
		{"not opened yet", opened("2024-01-02T10:00:00Z"), "not yet"},
		{"on a night shift", off("2024-03-01T23:00:00Z"), time.Duration(0)},
		{"a night shift the sick leave overlaps is still work", off("2024-03-02T04:00:00Z"), time.Duration(0)},
		{"an hour after the shift", off("2024-03-02T08:00:00Z"), time.Hour},
		{"nearer the next shift", off("2024-03-05T05:00:00Z"), 2 * time.Hour},
		{"court counts as working", off("2024-03-20T10:00:00Z"), time.Duration(0)},
		{"no roster", func() any { _, ok := w.OffDutyFor("S2", at("2024-03-01T00:00:00Z")); return ok }(), false},
		{"court within a fortnight", w.CourtWithin("S1", at("2024-03-07T00:00:00Z"), 14*24*time.Hour), true},
		{"court beyond a week", w.CourtWithin("S1", at("2024-03-07T00:00:00Z"), 7*24*time.Hour), false},
		{"court already past", w.CourtWithin("S1", at("2024-03-21T00:00:00Z"), 14*24*time.Hour), false},
		{"no court for others", w.CourtWithin("S2", at("2024-03-07T00:00:00Z"), 14*24*time.Hour), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}
