package ingest

import (
	"slices"
	"testing"
	"time"
)

const (
	goodStaff       = `{"id":"S1001","collar_number":"PC 1234","name":"Alex Example","category":"officer","role":"response","rank":"pc","team":"A","station":"Central","area":"north","gender":"female","start_date":"2019-04-01","time":"2024-01-01T00:00:00Z"}`
	goodPerson      = `{"id":"P77","gender":"female","birth_year":1990,"area":"north","flags":["mental_health","domestic_abuse_victim"],"phones":["07700 900123"],"time":"2024-02-01T10:00:00Z"}`
	goodIncident    = `{"id":"I5","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T10:00:00Z","area":"north"}`
	goodInvolvement = `{"incident_id":"I5","person_id":"P77","part":"victim","at":"2024-02-01T10:05:00Z"}`
	goodAssignment  = `{"incident_id":"I5","staff_id":"S1001","kind":"assigned","at":"2024-02-01T10:10:00Z","until":"2024-02-09T10:10:00Z"}`
	goodShift       = `{"staff_id":"S1001","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}`
)

func TestDecodeStaff(t *testing.T) {
	g := goodStaff
	r := mustDecode(t, KindStaff, g)
	if r.StaffID != "S1001" || !r.Time.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || r.Staff.UpdatedAt != r.Time ||
		r.Staff.StartDate != time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC) || r.ID[:6] != "staff:" {
		t.Fatalf("got %s", dump(r))
	}
	if r2 := mustDecode(t, KindStaff, set(g, "time", "-")); r2.Time != r2.Staff.StartDate {
		t.Fatalf("time does not default to start_date: %s", dump(r2))
	}
	runCases(t, KindStaff, []decodeCase{
		{name: "good", line: g},
		{name: "start as timestamp", line: set(g, "start_date", `"2019-04-01T08:00:00+01:00"`)},
		{name: "left", line: set(g, "left_date", `"2024-06-30"`)},
		{name: "record_id", line: set(g, "record_id", `"hr-export-17"`)},
		{name: "minimal", line: `{"id":"S1","category":"staff","role":"analyst","gender":"unknown","start_date":"2020-01-01"}`},

		{name: "id missing", line: set(g, "id", "-"), field: "id", reason: "required"},
		{name: "category", line: set(g, "category", `"wizard"`), field: "category", reason: "not one of"},
		{name: "role", line: set(g, "role", `"Response"`), field: "role", reason: "lower-case"},
		{name: "gender", line: set(g, "gender", "-"), field: "gender", reason: "required"},
		{name: "start missing", line: set(g, "start_date", "-"), field: "start_date", reason: "required"},
		{name: "start UK date", line: set(g, "start_date", `"01/04/2019"`), field: "start_date", reason: "not a date such as 2019-04-01"},
		{name: "start bad date", line: set(g, "start_date", `"2019-13-01"`), field: "start_date", reason: "not a date"},
		{name: "start zoneless", line: set(g, "start_date", `"2019-04-01T08:00:00"`), field: "start_date", reason: "start_date has no zone offset"},
		{name: "left before start", line: set(g, "left_date", `"2018-06-30"`), field: "left_date", reason: "before start_date"},
		{name: "time zoneless", line: set(g, "time", `"2024-01-01 00:00:00"`), field: "time", reason: "time has no zone offset"},
		{name: "time out of range", line: set(g, "time", `"2300-01-01T00:00:00Z"`), field: "time", reason: "outside"},
		{name: "team newline", line: set(g, "team", `"A\nB"`), field: "team", reason: "control character"},
		{name: "record_id type", line: set(g, "record_id", `17`), field: "record_id", reason: "must be a string"},
		{name: "record_id padded", line: set(g, "record_id", `" r"`), field: "record_id", reason: "spaces"},
		{name: "updated_at", line: set(g, "updated_at", `"2024-01-01T00:00:00Z"`), field: "updated_at", reason: "unknown key"},
		{name: "syntax", line: g[:30], reason: "not valid JSON"},
		{name: "not object", line: `"S1"`, reason: reasonNotObject},
	})
}

func TestContentID(t *testing.T) {
	a := mustDecode(t, KindStaff, goodStaff)
	// Same content, other key order and spacing: same ID.
	b := mustDecode(t, KindStaff, `{ "time":"2024-01-01T01:00:00+01:00", "start_date":"2019-04-01T00:00:00Z", "gender":"female","area":"north","station":"Central","team":"A","rank":"pc","role":"response","category":"officer","name":"Alex Example","collar_number":"PC 1234","id":"S1001"}`)
	if a.ID != b.ID {
		t.Fatalf("IDs differ: %s %s", a.ID, b.ID)
	}
	c := mustDecode(t, KindStaff, set(goodStaff, "team", `"B"`))
	if c.ID == a.ID {
		t.Fatal("different content, same ID")
	}
	d := mustDecode(t, KindStaff, set(goodStaff, "record_id", `"r1"`))
	if d.ID != "r1" {
		t.Fatalf("record_id not used: %s", d.ID)
	}
	// Clear phones and their hashes give the same person, so the same ID.
	p1 := mustDecode(t, KindPerson, goodPerson)
	p2 := mustDecode(t, KindPerson, set(set(goodPerson, "phones", "-"), "phone_hashes", `["`+testHasherHash("+447700900123")+`"]`))
	if p1.ID != p2.ID {
		t.Fatalf("person IDs differ: %s %s", p1.ID, p2.ID)
	}
}

func TestDecodePerson(t *testing.T) {
	g := goodPerson
	r := mustDecode(t, KindPerson, g)
	p := r.Person
	if r.StaffID != "" || !slices.Equal(p.Flags, []string{"domestic_abuse_victim", "mental_health"}) ||
		!slices.Equal(p.PhoneHashes, []string{testHasherHash("+447700900123")}) || p.UpdatedAt != r.Time {
		t.Fatalf("got %s", dump(r))
	}
	h2 := testHasherHash("+447700900124")
	merged := mustDecode(t, KindPerson, set(g, "phone_hashes", `["`+h2+`"]`))
	if len(merged.Person.PhoneHashes) != 2 {
		t.Fatalf("phones and phone_hashes not merged: %v", merged.Person.PhoneHashes)
	}
	runCases(t, KindPerson, []decodeCase{
		{name: "good", line: g},
		{name: "minimal", line: `{"id":"P1","gender":"unknown","time":"2024-02-01T10:00:00Z"}`},
		{name: "duplicate phones", line: set(g, "phones", `["07700 900123","+447700900123"]`)},
		{name: "empty lists", line: set(set(g, "flags", `[]`), "phones", `[]`)},

		{name: "id", line: set(g, "id", `""`), field: "id", reason: "required"},
		{name: "gender", line: set(g, "gender", `"f"`), field: "gender", reason: "not one of"},
		{name: "birth_year range", line: set(g, "birth_year", `1850`), field: "birth_year", reason: "outside 1900-2199"},
		{name: "birth_year huge", line: set(g, "birth_year", `1e400`), field: "birth_year", reason: "whole number"},
		{name: "birth_year overflow", line: set(g, "birth_year", `99999999999999999999`), field: "birth_year", reason: "outside 1900-2199"},
		{name: "birth_year string", line: set(g, "birth_year", `"1990"`), field: "birth_year", reason: "whole number"},
		{name: "flags", line: set(g, "flags", `["Child"]`), field: "flags", reason: "lower-case"},
		{name: "flags string", line: set(g, "flags", `"child"`), field: "flags", reason: "list of strings"},
		{name: "phone letters", line: set(g, "phones", `["07700 900123","call me"]`), field: "phones", reason: "phones[1] is not a phone number: it contains letters"},
		{name: "phone string", line: set(g, "phones", `"07700 900123"`), field: "phones", reason: "list of strings"},
		{name: "too many phones", line: set(g, "phones", `[`+repeatList(`"07700 900123"`, 33)+`]`), field: "phones", reason: "more than 32"},
		{name: "bad hash", line: set(g, "phone_hashes", `["07700900123"]`), field: "phone_hashes", reason: "phone_hashes[0] is not a phone hash"},
		{name: "time missing", line: set(g, "time", "-"), field: "time", reason: "time is required"},
		{name: "time zoneless", line: set(g, "time", `"2024-02-01T10:00:00"`), field: "time", reason: "time has no zone offset"},
		{name: "unknown", line: set(g, "name", `"Jane"`), field: "name", reason: "unknown key"},
	})
}

func repeatList(item string, n int) string {
	s := item
	for i := 1; i < n; i++ {
		s += "," + item
	}
	return s
}

func TestDecodeIncident(t *testing.T) {
	g := goodIncident
	r := mustDecode(t, KindIncident, g)
	if r.Time != r.Incident.OpenedAt || r.Incident.UpdatedAt != r.Time || r.Incident.StatusAt != r.Time {
		t.Fatalf("open incident time: %s", dump(r))
	}
	closed := mustDecode(t, KindIncident, set(set(g, "status", `"closed"`), "closed_at", `"2024-03-01T10:00:00Z"`))
	if closed.Time != *closed.Incident.ClosedAt || closed.Incident.StatusAt != closed.Time {
		t.Fatalf("closed incident time: %s", dump(closed))
	}
	runCases(t, KindIncident, []decodeCase{
		{name: "good", line: g},
		{name: "closed", line: set(set(g, "status", `"closed"`), "closed_at", `"2024-03-01T10:00:00Z"`)},
		{name: "time given", line: set(g, "time", `"2024-02-05T10:00:00Z"`)},
		{name: "closed_at empty when open", line: set(g, "closed_at", `""`)},

		{name: "type", line: set(g, "type", `"Domestic"`), field: "type", reason: "lower-case"},
		{name: "status", line: set(g, "status", `"pending"`), field: "status", reason: "not one of"},
		{name: "opened_at", line: set(g, "opened_at", "-"), field: "opened_at", reason: "required"},
		{name: "closed without closed_at", line: set(g, "status", `"closed"`), field: "closed_at", reason: "required when status is closed"},
		{name: "open with closed_at", line: set(g, "closed_at", `"2024-03-01T10:00:00Z"`), field: "closed_at", reason: "must be empty"},
		{name: "closed before opened", line: set(set(g, "status", `"closed"`), "closed_at", `"2024-01-01T10:00:00Z"`), field: "closed_at", reason: "before opened_at"},
		{name: "time before opened", line: set(g, "time", `"2024-01-01T10:00:00Z"`), field: "time", reason: "time is before opened_at"},
		{name: "time of closing is closed_at", line: set(set(set(g, "status", `"closed"`), "closed_at", `"2024-03-01T10:00:00Z"`), "time", `"2024-03-02T10:00:00Z"`), field: "time", reason: "time of a closed incident must equal closed_at"},
		{name: "time out of range", line: set(g, "time", `"2300-01-01T00:00:00Z"`), field: "time", reason: "outside 1900-2199"},
		{name: "status_at is time", line: set(g, "status_at", `"2024-02-05T10:00:00Z"`), field: "status_at", reason: "unknown key"},
		{name: "involvements are separate", line: set(g, "involvements", `[]`), field: "involvements", reason: "unknown key"},
	})
}

func TestDecodeLinksAndShifts(t *testing.T) {
	if r := mustDecode(t, KindInvolvement, goodInvolvement); r.Time != r.Involvement.At || r.StaffID != "" {
		t.Fatalf("involvement: %s", dump(r))
	}
	if r := mustDecode(t, KindAssignment, goodAssignment); r.Time != r.Assignment.At || r.StaffID != "S1001" {
		t.Fatalf("assignment: %s", dump(r))
	}
	if r := mustDecode(t, KindShift, goodShift); r.Time != r.Shift.Start || r.StaffID != "S1001" {
		t.Fatalf("shift: %s", dump(r))
	}
	runCases(t, KindInvolvement, []decodeCase{
		{name: "good", line: goodInvolvement},
		{name: "incident_id", line: set(goodInvolvement, "incident_id", "-"), field: "incident_id", reason: "required"},
		{name: "person_id", line: set(goodInvolvement, "person_id", `5`), field: "person_id", reason: "must be a string"},
		{name: "part", line: set(goodInvolvement, "part", `"bystander"`), field: "part", reason: "not one of"},
		{name: "at", line: set(goodInvolvement, "at", "-"), field: "at", reason: "at is required"},
		{name: "at zoneless", line: set(goodInvolvement, "at", `"2024-02-01T10:05:00"`), field: "at", reason: "at has no zone offset"},
		{name: "time is not a key", line: set(goodInvolvement, "time", `"2024-02-01T10:05:00Z"`), field: "time", reason: "unknown key"},
	})
	runCases(t, KindAssignment, []decodeCase{
		{name: "good", line: goodAssignment},
		{name: "open-ended", line: set(goodAssignment, "until", "-")},
		{name: "kind", line: set(goodAssignment, "kind", `"watched"`), field: "kind", reason: "not one of"},
		{name: "staff_id", line: set(goodAssignment, "staff_id", "-"), field: "staff_id", reason: "required"},
		{name: "until before at", line: set(goodAssignment, "until", `"2024-01-01T00:00:00Z"`), field: "until", reason: "before at"},
		{name: "until bad", line: set(goodAssignment, "until", `"soon"`), field: "until", reason: "not an RFC 3339"},
	})
	runCases(t, KindShift, []decodeCase{
		{name: "good", line: goodShift},
		{name: "long leave", line: set(set(goodShift, "kind", `"leave"`), "end", `"2024-03-15T00:00:00Z"`)},
		{name: "kind", line: set(goodShift, "kind", `"rest"`), field: "kind", reason: "not one of"},
		{name: "end before start", line: set(goodShift, "end", `"2024-03-01T06:00:00Z"`), field: "end", reason: "not after start"},
		{name: "duty too long", line: set(goodShift, "end", `"2024-03-03T07:00:00Z"`), field: "end", reason: "longer than"},
		{name: "start missing", line: set(goodShift, "start", "-"), field: "start", reason: "required"},
	})
}
