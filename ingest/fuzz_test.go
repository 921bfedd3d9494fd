package ingest

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// checkDecoded checks what any Decoder returns for any line: an EINVALID
// *lantern.Error without the line's clear numbers, or a Record of the right
// kind that survives AppendJSON and Decode unchanged.
func checkDecoded(t *testing.T, d *Decoder, line []byte, r *Record, err error) {
	t.Helper()
	if err != nil {
		var le *lantern.Error
		if !errors.As(err, &le) || le.Code != lantern.EINVALID {
			t.Fatalf("error is not an EINVALID *lantern.Error: %#v", err)
		}
		if r != nil {
			t.Fatal("a record with an error")
		}
		for _, n := range clearNumbers(line) {
			if strings.Contains(err.Error(), n) || strings.Contains(onlyDigits(err.Error()), onlyDigits(n)[3:]) {
				t.Fatalf("error shows the number %q: %v", n, err)
			}
		}
		return
	}
	if r.Kind != d.Kind() || r.ID == "" || r.Time.IsZero() || r.Time.Location().String() != "UTC" {
		t.Fatalf("bad record %s", dump(r))
	}
	checkRoundTrip(t, d, r)
	for _, n := range clearNumbers(line) {
		if bytes.Contains(r.AppendJSON(nil), []byte(onlyDigits(n)[3:])) {
			t.Fatalf("record holds the number %q: %s", n, dump(r))
		}
	}
}

// clearNumbers returns the E.164 forms of the clear numbers in a line's
// "number" or "phones" keys, read with encoding/json.
func clearNumbers(line []byte) []string {
	o, err := parseObject(line, KindPerson)
	if err != nil {
		o, err = parseObject(line, KindComms)
	}
	if err != nil {
		return nil
	}
	var out []string
	for _, raw := range append(o.list("phones"), o.string("number")) {
		if n, err := NormalizePhone(raw); err == nil && len(n) > 10 {
			out = append(out, n)
		}
	}
	return out
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// fuzzDecoder is the body of every kind's decoder fuzz target.
func fuzzDecoder(f *testing.F, kind Kind, good ...string) {
	for _, g := range good {
		f.Add([]byte(g))
		f.Add([]byte(g[:len(g)/2]))
		f.Add([]byte(strings.Replace(g, "Z", "", 1)))
		f.Add([]byte(strings.Replace(g, `":"`, `":1`, 1)))
		f.Add([]byte(g[:len(g)-1] + `,"unknown":null}`))
		f.Add([]byte(g[:len(g)-1] + "\xff}"))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, line []byte) {
		d := NewDecoder(kind, testHasher(t))
		r, err := d.Decode(line)
		checkDecoded(t, d, line, r, err)
	})
}

func FuzzDecodeAccess(f *testing.F) { fuzzDecoder(f, KindAccess, goodAccess) }
func FuzzDecodeComms(f *testing.F) {
	fuzzDecoder(f, KindComms, goodComms, set(set(goodComms, "number", "-"), "number_hash", `"`+testHasherHash("+447700900123")+`"`))
}
func FuzzDecodeStaff(f *testing.F) {
	fuzzDecoder(f, KindStaff, goodStaff, set(goodStaff, "record_id", `"r1"`))
}
func FuzzDecodePerson(f *testing.F) { fuzzDecoder(f, KindPerson, goodPerson) }
func FuzzDecodeIncident(f *testing.F) {
	fuzzDecoder(f, KindIncident, goodIncident, set(set(goodIncident, "status", `"closed"`), "closed_at", `"2024-03-01T10:00:00Z"`))
}
func FuzzDecodeInvolvement(f *testing.F) { fuzzDecoder(f, KindInvolvement, goodInvolvement) }
func FuzzDecodeAssignment(f *testing.F)  { fuzzDecoder(f, KindAssignment, goodAssignment) }
func FuzzDecodeShift(f *testing.F)       { fuzzDecoder(f, KindShift, goodShift) }
func FuzzDecodeScreening(f *testing.F) {
	fuzzDecoder(f, KindScreening, goodScreening, set(set(goodScreening, "result", `"no_trace"`), "detail", "-"),
		set(set(goodScreening, "check", `"other"`), "detail", `"\u00e9\ttab\nline"`))
}

// FuzzLineReader compares the LineReader with splitting on "\n".
func FuzzLineReader(f *testing.F) {
	for _, s := range []string{"a\nb", "\xef\xbb\xbfa\r\n\r\n b \n", "\n\n\n", "\x1f\x8b\x08\x00", "a\rb\r\n", "\xef\xbb", "\t \n x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		lr, err := NewLineReader(bytes.NewReader(in))
		if bytes.HasPrefix(in, gzipMagic) {
			for err == nil {
				_, _, err = lr.Next()
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, l := range strings.Split(string(bytes.TrimPrefix(in, utf8BOM)), "\n") {
			l = strings.TrimSuffix(l, "\r")
			if strings.Trim(l, " \t") != "" {
				want = append(want, strconv.Itoa(i+1)+":"+l)
			}
		}
		var got []string
		for {
			line, n, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, strconv.Itoa(n)+":"+string(line))
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// FuzzCSVReader reads arbitrary input with a profile of each kind that
// takes every column by position.
func FuzzCSVReader(f *testing.F) {
	profiles := []string{
		"kind: access\nheader: false\nzone: Europe/London\ncolumns: {id: 1, time: 2, staff_id: 3, action: 4, person_id: 5, fields: 6, query: 7}\nconstants: {system: rms}\nvalues: {action: {VW: view}}\nlist_separator: '|'\ntime_formats: {time: ['02/01/2006 15:04:05', '2006-01-02T15:04:05Z07:00']}\n",
		"kind: comms\nheader: false\ndelimiter: ';'\ncolumns: {id: 1, time: 2, staff_id: 3, device: 4, direction: 5, kind: 6, number: 7, number_hash: 8, duration_s: 9}\n",
		"kind: person\nheader: false\ncolumns: {id: 1, gender: 2, birth_year: 3, flags: 4, phones: 5, phone_hashes: 6, time: 7}\n",
		"kind: staff\nheader: false\nzone: UTC\ncolumns: {id: 1, category: 2, role: 3, gender: 4, start_date: 5, left_date: 6, time: 7}\n",
		"kind: screening\nheader: false\nzone: Europe/London\ncolumns: {id: 1, staff_id: 2, checked_at: 3, check: 4, result: 5, detail: 6, reference: 7}\nvalues: {result: {NT: no_trace, T: trace}}\ntime_formats: {checked_at: ['02/01/2006 15:04', '2006-01-02T15:04:05Z07:00']}\n",
	}
	loaded := make([]*Profile, len(profiles))
	for i, p := range profiles {
		var err error
		if loaded[i], err = LoadProfile(strings.NewReader(p), "fuzz.yaml"); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(uint8(0), []byte("a-1,01/03/2024 09:15:02,S1,VW,P1,address|phone,\n\"a,2\",2024-03-01T09:15:02Z,S1,view,P1,,\"multi\nline\"\nshort\n"))
	f.Add(uint8(1), []byte("c1;2024-03-01T09:15:02Z;S1;D1;outbound;call;07700 900123;;35\nc2;x;;;;;;;\n"))
	f.Add(uint8(2), []byte("P1,female,1990,child;mental_health,07700 900123;,2024-03-01T09:15:02Z\n"))
	f.Add(uint8(3), []byte("S1,officer,response,male,2019-04-01,,\n\"S2\"x,\n\"open"))
	f.Add(uint8(4), []byte("V1,S1,01/03/2026 10:15,pnc,NT,,R1\nV2,S1,2026-03-01T10:15:00Z,other,T,\"a, b\",\nV3,S1,x,pnc,NT,,\n"))
	f.Fuzz(func(t *testing.T, which uint8, in []byte) {
		p := loaded[int(which)%len(loaded)]
		c, err := NewCSVReader(bytes.NewReader(in), p, testHasher(t))
		if err != nil {
			return
		}
		d := NewDecoder(p.Kind(), testHasher(t))
		last := 0
		for {
			r, n, err := c.Next()
			if err == io.EOF {
				return
			}
			var le *LineError
			if err != nil && !errors.As(err, &le) {
				if lantern.ErrorCode(err) != lantern.EINVALID {
					t.Fatalf("final error %v", err)
				}
				return
			}
			if n <= last {
				t.Fatalf("line %d after %d", n, last)
			}
			last = n
			if err == nil {
				checkDecoded(t, d, nil, r, nil)
			} else if lantern.ErrorCode(err) != lantern.EINVALID {
				t.Fatalf("row error %v", err)
			}
		}
	})
}

func FuzzLoadProfile(f *testing.F) {
	for _, name := range BuiltinProfiles() {
		b, err := builtinProfiles.ReadFile("profiles/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("kind: shift\ncolumns: {staff_id: 1, kind: 2, start: 3, end: 4}\nheader: false\nzone: UTC\n"))
	f.Add([]byte("kind: [\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := LoadProfile(bytes.NewReader(in), "fuzz.yaml")
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID || !strings.HasPrefix(lantern.ErrorMessage(err), "fuzz.yaml:") {
				t.Fatalf("error %v", err)
			}
			return
		}
		if p.Kind() == "" || len(p.columns) == 0 {
			t.Fatalf("profile %+v", p)
		}
		c, err := NewCSVReader(strings.NewReader("a,b,c\n1,2,3\n"), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			c.Next()
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"07700 900123", "(020) 7946 0000", "+44 (0)7700-900123", "0044 7700 900123", "+1 202 555 0100", "447700900123", "0", "+", "(0)", "+44(0)", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			if lantern.ErrorField(err) != "phone" || strings.Contains(err.Error(), s) && len(onlyDigits(s)) > 2 {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(n) < 9 || len(n) > 16 || n[0] != '+' || n[1] == '0' || onlyDigits(n) != n[1:] {
			t.Fatalf("NormalizePhone(%q) = %q", s, n)
		}
		if again, err := NormalizePhone(n); err != nil || again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, n, again, err)
		}
	})
}
