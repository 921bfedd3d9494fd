package sim

import (
	"testing"
	"time"

	"lantern"
	"lantern/ingest"
)

// TestEveryLineDecodesInOrder checks a small force end to end: every line
// of every kind decodes with intake's own decoder, each file is in the
// order of its records' instants, event ids are unique, and every reference
// finds a record loaded before it that already existed at the time.
func TestEveryLineDecodesInOrder(t *testing.T) {
	dir, st := generate(t, smallForce)
	var (
		kind     ingest.Kind
		last     time.Time
		count    = map[ingest.Kind]int{}
		started  = map[string]time.Time{} // staff: start date
		left     = map[string]time.Time{} // staff: left date
		persons  = map[string]time.Time{} // person: first record
		opened   = map[string]time.Time{} // incident: opened_at
		eventIDs = map[string]bool{}
	)
	fail := func(n int, r *ingest.Record, format string, args ...any) {
		t.Helper()
		t.Fatalf("%s.jsonl:%d: "+format, append([]any{r.Kind, n}, args...)...)
	}
	staffAt := func(n int, r *ingest.Record, id string, at time.Time) {
		t.Helper()
		from, ok := started[id]
		switch {
		case !ok:
			fail(n, r, "unknown staff %s", id)
		case at.Before(from):
			fail(n, r, "%s at %s, before %s started on %s", id, at, id, from)
		case !left[id].IsZero() && !at.Before(left[id]):
			fail(n, r, "%s at %s, after %s left on %s", id, at, id, left[id])
		}
	}
	personAt := func(n int, r *ingest.Record, id string, at time.Time) {
		t.Helper()
		if since, ok := persons[id]; !ok || at.Before(since) {
			fail(n, r, "person %s referred to at %s; record from %s", id, at, since)
		}
	}
	incidentAt := func(n int, r *ingest.Record, id string, at time.Time) {
		t.Helper()
		if o, ok := opened[id]; !ok || at.Before(o) {
			fail(n, r, "incident %s referred to at %s; opened %s", id, at, o)
		}
	}
	decodeAll(t, dir, func(n int, r *ingest.Record) {
		if r.Kind != kind {
			kind, last = r.Kind, time.Time{}
		}
		if r.Time.Before(last) {
			fail(n, r, "%s comes after %s", r.Time, last)
		}
		last = r.Time
		count[r.Kind]++
		switch r.Kind {
		case ingest.KindStaff:
			s := r.Staff
			if _, ok := started[s.ID]; !ok {
				started[s.ID] = s.StartDate
			}
			if s.LeftDate != nil {
				left[s.ID] = *s.LeftDate
			}
		case ingest.KindPerson:
			if _, ok := persons[r.Person.ID]; !ok {
				persons[r.Person.ID] = r.Time
			}
		case ingest.KindIncident:
			in := r.Incident
			o, seen := opened[in.ID]
			switch {
			case !seen && (in.Status != lantern.StatusOpen || !in.StatusAt.Equal(in.OpenedAt)):
				fail(n, r, "the first record of %s is not its opening", in.ID)
			case seen && !o.Equal(in.OpenedAt):
				fail(n, r, "%s opened at %s, now %s", in.ID, o, in.OpenedAt)
			}
			opened[in.ID] = in.OpenedAt
		case ingest.KindInvolvement:
			v := r.Involvement
			incidentAt(n, r, v.IncidentID, v.At)
			personAt(n, r, v.PersonID, v.At)
		case ingest.KindAssignment:
			a := r.Assignment
			incidentAt(n, r, a.IncidentID, a.At)
			if _, ok := started[a.StaffID]; !ok {
				fail(n, r, "unknown staff %s", a.StaffID)
			}
		case ingest.KindShift:
			if s := r.Shift; s.Working() {
				staffAt(n, r, s.StaffID, s.Start)
			}
		case ingest.KindScreening:
			if eventIDs[r.ID] {
				fail(n, r, "screening id %s again", r.ID)
			}
			eventIDs[r.ID] = true
			staffAt(n, r, r.StaffID, r.Time)
		case ingest.KindAccess, ingest.KindComms:
			if eventIDs[r.ID] {
				fail(n, r, "event id %s again", r.ID)
			}
			eventIDs[r.ID] = true
			staffAt(n, r, r.StaffID, r.Time)
			if a := r.Access; a != nil {
				if a.PersonID != "" {
					personAt(n, r, a.PersonID, a.Time)
				}
				if a.IncidentID != "" {
					incidentAt(n, r, a.IncidentID, a.Time)
				}
			}
		}
	})
	for _, k := range ingest.Kinds() {
		if count[k] == 0 || int64(count[k]) != st.Records[k] {
			t.Errorf("%s: %d lines decoded, %d written", k, count[k], st.Records[k])
		}
	}
}
