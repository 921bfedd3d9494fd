package ingest

import (
	"strings"
	"testing"
	"time"

	"lantern"
)

const goodScreening = `{"id":"vet-2026-0001","staff_id":"S1001","checked_at":"2026-03-01T10:15:00+00:00","check":"financial","result":"trace","detail":"County court judgment, £4,200, 2026-01-12","reference":"CRA-88121"}`

func TestDecodeScreening(t *testing.T) {
	g := goodScreening
	r := mustDecode(t, KindScreening, g)
	s := r.Screening
	if r.ID != "vet-2026-0001" || r.StaffID != "S1001" || !r.Time.Equal(time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC)) ||
		s.CheckedAt != r.Time || s.Check != lantern.CheckFinancial || s.Result != lantern.ScreeningTrace ||
		s.Reference != "CRA-88121" || !strings.HasPrefix(s.Detail, "County court") {
		t.Fatalf("got %s", dump(r))
	}
	if r2 := mustDecode(t, KindScreening, set(g, "checked_at", `"2026-03-01T11:15:00+01:00"`)); !r2.Time.Equal(r.Time) || r2.Time.Location() != time.UTC {
		t.Fatalf("offset not applied: %s", dump(r2))
	}
	long := `"` + strings.Repeat("x", lantern.MaxScreeningDetail+1) + `"`
	runCases(t, KindScreening, []decodeCase{
		{name: "good", line: g},
		{name: "no trace, minimal", line: `{"id":"v2","staff_id":"S1","checked_at":"2026-03-01T10:15:00Z","check":"pnc","result":"no_trace"}`},
		{name: "possible trace", line: set(g, "result", `"possible_trace"`)},
		{name: "other with detail", line: set(g, "check", `"other"`)},
		{name: "null detail", line: set(g, "detail", "null")},
		{name: "detail with newline", line: set(g, "detail", `"line one\nline two"`)},

		{name: "id missing", line: set(g, "id", "-"), field: "id", reason: "id is required"},
		{name: "id padded", line: set(g, "id", `" v1"`), field: "id", reason: "spaces"},
		{name: "staff missing", line: set(g, "staff_id", "-"), field: "staff_id", reason: "required"},
		{name: "staff not string", line: set(g, "staff_id", "1001"), field: "staff_id", reason: "must be a string"},
		{name: "time missing", line: set(g, "checked_at", "-"), field: "checked_at", reason: "required"},
		{name: "time zoneless", line: set(g, "checked_at", `"2026-03-01T10:15:00"`), field: "checked_at", reason: "no zone offset"},
		{name: "time out of range", line: set(g, "checked_at", `"1850-03-01T10:15:00Z"`), field: "checked_at", reason: "outside"},
		{name: "check unknown", line: set(g, "check", `"horoscope"`), field: "check", reason: "not one of"},
		{name: "check upper case", line: set(g, "check", `"PNC"`), field: "check", reason: "not one of"},
		{name: "result unknown", line: set(g, "result", `"match"`), field: "result", reason: "not one of"},
		{name: "result missing", line: set(g, "result", "-"), field: "result", reason: "required"},
		{name: "detail too long", line: set(g, "detail", long), field: "detail", reason: "longer than 2000 bytes"},
		{name: "detail control", line: set(g, "detail", `"bell\u0007"`), field: "detail", reason: "control character"},
		{name: "other finding without detail", line: set(set(g, "check", `"other"`), "detail", "-"), field: "detail", reason: "detail is required"},
		{name: "reference control", line: set(g, "reference", `"a\tb"`), field: "reference", reason: "control character"},
		{name: "unknown key", line: set(g, "record_id", `"r1"`), field: "record_id", reason: "unknown key"},
		{name: "syntax", line: g[:40], reason: "not valid JSON"},
		{name: "not object", line: `["v1"]`, reason: reasonNotObject},
	})
}
