package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"lantern"
)

const goodAccess = `{"id":"a-1","time":"2024-03-01T09:15:02Z","staff_id":"S1001","system":"rms","action":"view","person_id":"P77","incident_id":"I5","fields":["address","phone"],"query":"","workstation":"WS-12","location":"HQ"}`

func TestDecodeAccessGood(t *testing.T) {
	r := mustDecode(t, KindAccess, goodAccess)
	want := &lantern.AccessEvent{ID: "a-1", Time: time.Date(2024, 3, 1, 9, 15, 2, 0, time.UTC), StaffID: "S1001", System: "rms",
		Action: "view", PersonID: "P77", IncidentID: "I5", Fields: []string{"address", "phone"}, Workstation: "WS-12", Location: "HQ"}
	if !reflect.DeepEqual(r, &Record{Kind: KindAccess, ID: "a-1", Time: want.Time, StaffID: "S1001", Access: want}) {
		t.Fatalf("got %s", dump(r))
	}
	if got := string(r.AppendJSON(nil)); got != strings.Replace(goodAccess, `"query":"",`, "", 1) {
		t.Fatalf("AppendJSON = %s", got)
	}
}

func TestDecodeAccess(t *testing.T) {
	g := goodAccess
	runCases(t, KindAccess, []decodeCase{
		{name: "good", line: g},
		{name: "minimal search", line: set(set(set(set(g, "action", `"search"`), "person_id", "-"), "incident_id", "-"), "fields", "-")},
		{name: "spaces around everything", line: " { \"id\" : \"a-1\" , \"time\":\"2024-03-01T09:15:02.5+01:00\",\t\"staff_id\":\"S1\",\"system\":\"rms\",\"action\":\"view\",\"person_id\":\"P1\" } "},
		{name: "null is absent", line: set(set(g, "incident_id", "null"), "query", "null")},
		{name: "escapes", line: set(g, "query", `"caf\u00e9 \"x\" \\ \/ \ud83d\ude00 \ud800"`)},
		{name: "duplicate key last wins", line: `{"id":7,` + g[1:]},
		{name: "fractional seconds and offset", line: set(g, "time", `"2024-03-01T09:15:02.123456789-05:30"`)},
		{name: "empty fields list", line: set(g, "fields", `[]`)},

		{name: "not utf8", line: set(g, "query", "\"caf\xe9\""), reason: reasonNotUTF8},
		{name: "not an object", line: `["a-1"]`, reason: reasonNotObject},
		{name: "null line", line: `null`, reason: reasonNotObject},
		{name: "truncated", line: g[:40], field: "time", reason: "unexpected end of line"},
		{name: "trailing text", line: g + `x`, reason: "unexpected text after the object"},
		{name: "trailing comma", line: g[:len(g)-1] + `,}`, reason: "expected a key"},
		{name: "bad escape", line: set(g, "query", `"a\qb"`), field: "query", reason: "invalid escape"},
		{name: "raw control character", line: set(g, "query", "\"a\tb\""), field: "query", reason: "control character"},
		{name: "bad number", line: set(g, "query", `01`), reason: "expected ',' or '}'"},
		{name: "unknown key", line: set(g, "colour", `"red"`), field: "colour", reason: `unknown key "colour"`},
		{name: "least unknown key", line: set(set(g, "zz", `1`), "aa", `2`), field: "aa", reason: "unknown key"},
		{name: "updated_at hint", line: set(g, "updated_at", `"2024-03-01T09:15:02Z"`), field: "updated_at", reason: `"time"`},
		{name: "key case matters", line: set(g, "ID", `"x"`), field: "ID", reason: "unknown key"},

		{name: "id missing", line: set(g, "id", "-"), field: "id", reason: "id is required"},
		{name: "id number", line: set(g, "id", `12`), field: "id", reason: "id must be a string"},
		{name: "id too long", line: set(g, "id", `"`+strings.Repeat("x", 129)+`"`), field: "id", reason: "longer than 128"},
		{name: "id control", line: set(g, "id", `"a\u0001"`), field: "id", reason: "control character"},
		{name: "time missing", line: set(g, "time", "-"), field: "time", reason: "time is required"},
		{name: "time empty", line: set(g, "time", `""`), field: "time", reason: "time is required"},
		{name: "time zoneless", line: set(g, "time", `"2024-03-01T09:15:02"`), field: "time", reason: "time has no zone offset"},
		{name: "time zoneless space", line: set(g, "time", `"2024-03-01 09:15:02.5"`), field: "time", reason: "time has no zone offset"},
		{name: "time date only", line: set(g, "time", `"2024-03-01"`), field: "time", reason: "time has no zone offset"},
		{name: "time garbage", line: set(g, "time", `"yesterday"`), field: "time", reason: "not an RFC 3339 timestamp"},
		{name: "time bad day", line: set(g, "time", `"2024-02-30T09:15:02Z"`), field: "time", reason: "not an RFC 3339 timestamp"},
		{name: "time number", line: set(g, "time", `1709284502`), field: "time", reason: "time must be a string"},
		{name: "time too old", line: set(g, "time", `"1850-03-01T09:15:02Z"`), field: "time", reason: "outside 1900-2199"},
		{name: "staff_id missing", line: set(g, "staff_id", "-"), field: "staff_id", reason: "required"},
		{name: "system upper case", line: set(g, "system", `"RMS"`), field: "system", reason: "lower-case"},
		{name: "system object", line: set(g, "system", `{"a":1}`), field: "system", reason: "must be a string"},
		{name: "action unknown", line: set(g, "action", `"peek"`), field: "action", reason: `"peek" is not one of`},
		{name: "action long is not echoed", line: set(g, "action", `"`+strings.Repeat("peek", 100)+`"`), field: "action", reason: "action is not one of view"},
		{name: "action phone is not echoed", line: set(g, "action", `"07700 900123"`), field: "action", reason: "not shown"},
		{name: "view needs a subject", line: set(set(g, "person_id", "-"), "incident_id", "-"), field: "person_id", reason: "needs a person_id or an incident_id"},
		{name: "person_id padded", line: set(g, "person_id", `" P1"`), field: "person_id", reason: "leading or trailing spaces"},
		{name: "fields string", line: set(g, "fields", `"address"`), field: "fields", reason: "must be a list of strings"},
		{name: "fields numbers", line: set(g, "fields", `["address",1]`), field: "fields", reason: "must be a list of strings"},
		{name: "fields null element", line: set(g, "fields", `["address",null]`), field: "fields", reason: "fields is required"},
		{name: "fields upper case", line: set(g, "fields", `["Address"]`), field: "fields", reason: "lower-case"},
		{name: "fields too many", line: set(g, "fields", `[`+strings.Repeat(`"a",`, 64)+`"a"]`), field: "fields", reason: "more than 64"},
		{name: "query too long", line: set(g, "query", `"`+strings.Repeat("q", 4097)+`"`), field: "query", reason: "longer than 4096"},
		{name: "query NUL", line: set(g, "query", `"a\u0000b"`), field: "query", reason: "not valid UTF-8 text"},
		{name: "workstation list", line: set(g, "workstation", `["WS"]`), field: "workstation", reason: "must be a string"},
		{name: "location bool", line: set(g, "location", `true`), field: "location", reason: "must be a string"},
	})
}

func TestDecodeAccessEscapes(t *testing.T) {
	r := mustDecode(t, KindAccess, set(goodAccess, "query", `"caf\u00e9 \"x\" \\ \/ \ud83d\ude00 \ud800\u0041\n\t"`))
	if want := "café \"x\" \\ / 😀 \uFFFDA\n\t"; r.Access.Query != want {
		t.Fatalf("query = %q, want %q", r.Access.Query, want)
	}
}

// TestDecodeAccessRecordOutlivesDecoder checks that a Record does not share
// memory with the Decoder or the caller's line.
func TestDecodeAccessRecordOutlivesDecoder(t *testing.T) {
	d := NewDecoder(KindAccess, nil)
	line := []byte(set(goodAccess, "query", `"caf\u00e9"`))
	r, err := d.Decode(line)
	if err != nil {
		t.Fatal(err)
	}
	before := dump(r)
	for i := range line {
		line[i] = 'x'
	}
	if _, err := d.Decode([]byte(set(goodAccess, "query", `"th\u00e9"`))); err != nil {
		t.Fatal(err)
	}
	if dump(r) != before {
		t.Fatalf("record changed:\n%s\n%s", before, dump(r))
	}
}

func TestDecodeDepthLimit(t *testing.T) {
	d := NewDecoder(KindAccess, nil)
	deep := func(n int) []byte {
		return []byte(`{"query":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
	}
	_, err := d.Decode(deep(maxDepth - 1))
	checkError(t, err, "query", "must be a string")
	_, err = d.Decode(deep(maxDepth))
	checkError(t, err, "query", "nesting too deep")
}

func TestDecodeUnknownKind(t *testing.T) {
	_, err := NewDecoder(Kind("alert"), nil).Decode([]byte(`{}`))
	checkError(t, err, "kind", "not one of")
}
