package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// readCSV reads every row, recording good rows as "N:" and their canonical
// JSON without record_id, and errors as "N!field: reason".
func readCSV(t *testing.T, in io.Reader, p *Profile) []string {
	t.Helper()
	c, err := NewCSVReader(in, p, testHasher(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		r, n, err := c.Next()
		if err == io.EOF {
			return got
		}
		var le *LineError
		switch {
		case errors.As(err, &le):
			got = append(got, strconv.Itoa(n)+"!"+lantern.ErrorField(err)+": "+lantern.ErrorMessage(err))
		case err != nil:
			got = append(got, strconv.Itoa(n)+"#"+lantern.ErrorMessage(err))
			if _, _, again := c.Next(); again != err {
				t.Fatalf("final error not repeated: %v", again)
			}
			return got
		default:
			got = append(got, strconv.Itoa(n)+":"+set(string(r.AppendJSON(nil)), "record_id", "-"))
		}
	}
}

func checkRows(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\ngot  %s\nwant %s", i, got[i], want[i])
		}
	}
}

func builtin(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := BuiltinProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestBuiltinProfiles(t *testing.T) {
	if got := strings.Join(BuiltinProfiles(), ","); got != "phone-cdr,rms-audit,roster,vetting-screening" {
		t.Fatalf("BuiltinProfiles = %s", got)
	}
	if _, err := BuiltinProfile("nope"); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Fatalf("unknown profile: %v", err)
	}
	if _, err := BuiltinProfile("../profiles/roster"); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Fatalf("path in a profile name: %v", err)
	}
}

func TestCSVRMSAudit(t *testing.T) {
	p := builtin(t, "rms-audit")
	if p.Kind() != KindAccess || p.Name() != "rms-audit" || p.Description() == "" {
		t.Fatalf("profile %+v", p)
	}
	checkRows(t, readCSV(t, openTestdata(t, "rms-audit.csv"), p), []string{
		`2:{"id":"AUD-0001","time":"2024-03-01T09:15:02Z","staff_id":"S1001","system":"rms","action":"view","person_id":"P77","fields":["address","phone"],"workstation":"WS-12","location":"HQ"}`,
		`3:{"id":"AUD-0002","time":"2024-03-01T09:16:40Z","staff_id":"S1001","system":"rms","action":"search","query":"Smith, Jane","workstation":"WS-12","location":"HQ"}`,
		// 01:30 on 31 March 2024 does not exist in London: read as GMT.
		`4:{"id":"AUD-0003","time":"2024-03-31T01:30:00Z","staff_id":"S1002","system":"rms","action":"print","incident_id":"I5","fields":["name"],"workstation":"WS-3","location":"North"}`,
		// 01:30 on 27 October 2024 happens twice in London: the first, BST.
		`5:{"id":"AUD-0004","time":"2024-10-27T00:30:00Z","staff_id":"S1002","system":"rms","action":"view","person_id":"P78","incident_id":"I5","workstation":"WS-3","location":"North"}`,
	})
}

func TestCSVPhoneCDR(t *testing.T) {
	h1, h2 := testHasherHash("+447700900123"), testHasherHash("+447700900124")
	got := readCSV(t, openTestdata(t, "phone-cdr.csv"), builtin(t, "phone-cdr"))
	checkRows(t, got, []string{
		`2:{"id":"CDR-1","time":"2024-03-01T21:40:00Z","staff_id":"S1001","device":"356938035643809","direction":"outbound","kind":"call","number_hash":"` + h1 + `","duration_s":35}`,
		`3:{"id":"CDR-2","time":"2024-03-01T21:45:10Z","staff_id":"S1001","device":"356938035643809","direction":"outbound","kind":"sms","number_hash":"` + h1 + `","duration_s":0}`,
		`4:{"id":"CDR-3","time":"2024-07-02T22:05:00Z","staff_id":"S1001","device":"356938035643809","direction":"inbound","kind":"call","number_hash":"` + h2 + `","duration_s":612}`,
	})
}

func TestCSVRoster(t *testing.T) {
	checkRows(t, readCSV(t, openTestdata(t, "roster.csv"), builtin(t, "roster")), []string{
		`1:{"staff_id":"S1001","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}`,
		`2:{"staff_id":"S1001","kind":"leave","start":"2024-03-04T00:00:00Z","end":"2024-03-09T00:00:00Z"}`,
		`3:{"staff_id":"S1002","kind":"duty","start":"2024-03-30T22:00:00Z","end":"2024-03-31T07:00:00Z"}`,
	})
}

func TestCSVVettingScreening(t *testing.T) {
	p := builtin(t, "vetting-screening")
	if p.Kind() != KindScreening {
		t.Fatalf("kind %s", p.Kind())
	}
	checkRows(t, readCSV(t, openTestdata(t, "vetting-screening.csv"), p), []string{
		`2:{"id":"VS-0001","staff_id":"S1001","checked_at":"2026-03-01T10:15:00Z","check":"pnc","result":"no_trace","reference":"PNC/26/0101"}`,
		`3:{"id":"VS-0002","staff_id":"S1001","checked_at":"2026-03-01T10:20:00Z","check":"financial","result":"trace","detail":"County court judgment, £4,200, registered 12/01/2026","reference":"CRA-88121"}`,
		// A date alone is midnight in London: 23:00 UTC the day before in summer.
		`4:{"id":"VS-0003","staff_id":"S1002","checked_at":"2026-06-29T23:00:00Z","check":"business_interests","result":"possible_trace","detail":"Possible directorship of a security company"}`,
		`5!check: check "TAROT" is not one of pnc, pnd, financial, nfib, social_media, business_interests, local_intelligence, other`,
	})
}

func loadProfile(t *testing.T, yaml string) *Profile {
	t.Helper()
	p, err := LoadProfile(strings.NewReader(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const personProfile = `
kind: person
delimiter: "\t"
columns:
  id: Ref
  gender: Sex
  birth_year: YOB
  flags: Markers
  phones: Phones
  phone_hashes: Hashes
  time: Updated
values:
  gender: {F: female, M: male, U: unknown}
  flags: {DA: domestic_abuse_victim, MH: mental_health}
list_separator: ","
`

func TestCSVPerson(t *testing.T) {
	h1, h2 := testHasherHash("+447700900123"), testHasherHash("+447700900124")
	in := "Ref\tSex\tYOB\tMarkers\tPhones\tHashes\tUpdated\n" +
		"P1\tF\t1990\tMH, DA\t07700 900123, +44 7700 900124\t\t2024-02-01T10:00:00Z\n" +
		"P2\tU\t\t\t\t" + h1 + "\t2024-02-01T10:00:00Z\n" +
		"P3\tF\tnineteen\t\t\t\t2024-02-01T10:00:00Z\n" +
		"P4\tF\t\t\tcall me\t\t2024-02-01T10:00:00Z\n" +
		"P5\tX\t\t\t\t\t2024-02-01T10:00:00Z\n" +
		"P6\tF\t\t\t\t\t2024-02-01 10:00:00\n"
	got := readCSV(t, strings.NewReader(in), loadProfile(t, personProfile))
	hashes := []string{h1, h2}
	if h2 < h1 {
		hashes = []string{h2, h1}
	}
	checkRows(t, got, []string{
		`2:{"id":"P1","gender":"female","birth_year":1990,"flags":["domestic_abuse_victim","mental_health"],"phone_hashes":["` + hashes[0] + `","` + hashes[1] + `"],"time":"2024-02-01T10:00:00Z"}`,
		`3:{"id":"P2","gender":"unknown","phone_hashes":["` + h1 + `"],"time":"2024-02-01T10:00:00Z"}`,
		`4!birth_year: birth_year must be a whole number`,
		`5!phones: phones[0] is not a phone number: it contains letters`,
		`6!gender: gender "X" is not one of female, male, other, unknown`,
		`7!time: time has no zone offset`,
	})
}

func TestCSVRowErrors(t *testing.T) {
	p := builtin(t, "rms-audit")
	header := "AuditRef,EventTime,UserID,ActionCode,NominalRef,OccurrenceRef,FieldsViewed,SearchText,Terminal,Site\n"
	good := "A1,01/03/2024 09:15:02,S1,VW,P1,,,,,\n"
	in := "\xef\xbb\xbf" + header +
		good +
		"A2,01/03/2024 09:15:02,S1,VW,P1\n" + // 3: too few columns
		"A3,01/03/2024 09:15:02,S1,VW,P1,,,,,,\n" + // 4: too many
		"\n" + // 5: blank
		"A4,2024-03-01T09:15:02Z,S1,VW,P1,,,,,\n" + // 6: not in the profile's formats
		"A5,01/03/2024 09:15:02,S1,ZZ,P1,,,,,\n" + // 7: unmapped action code
		"A6,01/03/2024 09:15:02,S1,SR,,,,\"multi\nline, \"\"quoted\"\"\",,\n" + // 8-9: a query over two lines
		"A7,01/03/2024 09:15:02,S1,VW,P1,,,\"closed\"x,,\n" + // 10: text after a closing quote
		"A8,01/03/2024 09:15:02,S1,VW,P1,,BAD FIELD,,,\n" + // 11: field not a token
		good + // 12
		"A9,01/03/2024 09:15:02,S1,VW,P1,,,\"never closed,,\nmore\n" // 13-14
	want := []string{
		`2:{"id":"A1","time":"2024-03-01T09:15:02Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}`,
		`3!: expected 10 columns, got 5`,
		`4!: expected 10 columns, got 11`,
		`6!time: time does not match the time formats ["02/01/2006 15:04:05" "02/01/2006 15:04"]`,
		`7!action: action "ZZ" is not one of view, search, print, export, update, create`,
		`8:{"id":"A6","time":"2024-03-01T09:15:02Z","staff_id":"S1","system":"rms","action":"search","query":"multi\nline, \"quoted\""}`,
		`10!: a quoted field has text after its closing quote`,
		`11!fields: fields "BAD FIELD" must be lower-case letters, digits, '_' or '-', starting with a letter`,
		`12:{"id":"A1","time":"2024-03-01T09:15:02Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}`,
		`13!: a quoted field is not closed before the end of the input`,
	}
	checkRows(t, readCSV(t, strings.NewReader(in), p), want)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(in))
	zw.Close()
	checkRows(t, readCSV(t, &gz, p), want)
}

func TestCSVFinalErrors(t *testing.T) {
	p := builtin(t, "rms-audit")
	got := readCSV(t, strings.NewReader("AuditRef,Time\nA1,x\n"), p)
	checkRows(t, got, []string{`1#line 1: the header has no column "EventTime" (for time)`})
	got = readCSV(t, strings.NewReader("AuditRef,EventTime,EventTime\n"), loadProfile(t, "kind: shift\ncolumns: {staff_id: AuditRef, kind: EventTime, start: AuditRef, end: AuditRef}\n"))
	checkRows(t, got, []string{`1#line 1: the header has column "EventTime" twice`})
	got = readCSV(t, strings.NewReader("S1,duty\n"), builtin(t, "roster"))
	checkRows(t, got, []string{`1#line 1: start is column 3, but the file has 2 columns`})
}

func TestCSVLongRow(t *testing.T) {
	p := builtin(t, "roster")
	long := `"` + strings.Repeat("x\n", MaxLineBytes/2+1) + `"`
	in := "S1,ON,01/03/2024 07:00,01/03/2024 17:00\nS1," + long + ",x,y\nS1,ON,02/03/2024 07:00,02/03/2024 17:00\n"
	got := readCSV(t, strings.NewReader(in), p)
	if len(got) != 3 || got[1] != "2!: row is longer than 1 MiB" || !strings.HasPrefix(got[2], strconv.Itoa(MaxLineBytes/2+4)+":") {
		t.Fatalf("got %.200q", got)
	}
}

func TestCSVConstantsAndHashes(t *testing.T) {
	p := loadProfile(t, `
kind: comms
header: false
columns: {id: 1, time: 2, staff_id: 3, number: 4, number_hash: 5}
constants: {device: handset, direction: outbound, kind: call, duration_s: "60"}
`)
	h := testHasherHash("+447700900123")
	got := readCSV(t, strings.NewReader("c1,2024-03-01T09:00:00Z,S1,07700900123,\nc2,2024-03-01T09:00:00Z,S1,,"+h+"\nc3,2024-03-01T09:00:00Z,S1,07700900123,"+h+"\n"), p)
	checkRows(t, got, []string{
		`1:{"id":"c1","time":"2024-03-01T09:00:00Z","staff_id":"S1","device":"handset","direction":"outbound","kind":"call","number_hash":"` + h + `","duration_s":60}`,
		`2:{"id":"c2","time":"2024-03-01T09:00:00Z","staff_id":"S1","device":"handset","direction":"outbound","kind":"call","number_hash":"` + h + `","duration_s":60}`,
		`3!number: give number or number_hash, not both`,
	})
}

func TestInZone(t *testing.T) {
	p := loadProfile(t, "kind: shift\nzone: America/New_York\ncolumns: {staff_id: 1, kind: 2, start: 3, end: 4}\nheader: false\n")
	for in, want := range map[string]string{
		"2024-03-10 02:30:00":       "2024-03-10T07:30:00Z", // in the gap: read with EST
		"2024-11-03 01:30:00":       "2024-11-03T05:30:00Z", // twice: the first, EDT
		"2024-07-01 12:00:00":       "2024-07-01T16:00:00Z",
		"2024-01-01 12:00:00":       "2024-01-01T17:00:00Z",
		"2024-07-01T12:00:00+02:00": "2024-07-01T10:00:00Z",
	} {
		got, err := p.parseTime(field{name: "start", typ: typeTime}, in)
		if err != nil || got.Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("%s: got %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestCSVRaw(t *testing.T) {
	in := "S1,ON,01/03/2024 07:00,01/03/2024 17:00\nS1,\"O\nN\",x\n\nS2,ON\r\n"
	c, err := NewCSVReader(strings.NewReader(in), builtin(t, "roster"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"S1,ON,01/03/2024 07:00,01/03/2024 17:00", "S1,\"O\nN\",x", "S2,ON", ""} {
		c.Next()
		if got := string(c.Raw()); got != want {
			t.Fatalf("row %d: Raw = %q, want %q", i+1, got, want)
		}
	}
}

func TestCSVRawIsBounded(t *testing.T) {
	in := "S1,\"" + strings.Repeat("x\n", lantern.MaxRejectedRaw) + "\",a,b\n"
	c, err := NewCSVReader(strings.NewReader(in), builtin(t, "roster"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Next(); err == nil {
		t.Fatal("want an error")
	}
	if n := len(c.Raw()); n != lantern.MaxRejectedRaw {
		t.Fatalf("Raw is %d bytes", n)
	}
}
