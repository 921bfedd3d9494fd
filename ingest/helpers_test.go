package ingest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"lantern"
)

// testKey is the phone hash key the tests use.
var testKey = bytes.Repeat([]byte("k"), MinPhoneKeyBytes)

func testHasher(t testing.TB) *PhoneHasher {
	t.Helper()
	h, err := NewPhoneHasher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mustDecode decodes a line that must be good.
func mustDecode(t testing.TB, kind Kind, line string) *Record {
	t.Helper()
	r, err := NewDecoder(kind, testHasher(t)).Decode([]byte(line))
	if err != nil {
		t.Fatalf("decode %s: %v\nline: %s", kind, err, line)
	}
	return r
}

// checkError checks that err is an EINVALID *lantern.Error naming field with
// a message containing reason.
func checkError(t testing.TB, err error, field, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error on %q (%s), got none", field, reason)
	}
	if lantern.ErrorCode(err) != lantern.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	if got := lantern.ErrorField(err); got != field {
		t.Fatalf("field = %q, want %q (%v)", got, field, err)
	}
	if msg := lantern.ErrorMessage(err); !strings.Contains(msg, reason) {
		t.Fatalf("message %q does not contain %q", msg, reason)
	}
}

// set returns line with key set to the raw JSON value v, or removed when v is
// "-". line must be a flat object whose keys appear once.
func set(line, key, v string) string {
	var m []kv
	for _, p := range splitFlat(line) {
		if p.k != key {
			m = append(m, p)
		}
	}
	if v != "-" {
		m = append(m, kv{key, v})
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + p.k + `":` + p.v)
	}
	b.WriteByte('}')
	return b.String()
}

type kv struct{ k, v string }

// splitFlat splits a flat JSON object written by the tests into keys and raw
// values. It understands strings with escapes, arrays of strings and
// scalars, which is all the tests' lines use.
func splitFlat(line string) []kv {
	var out []kv
	s := &scanner{b: []byte(line), i: 1}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] == '}' {
			return out
		}
		ks, _ := s.str()
		s.ws()
		s.i++ // ':'
		s.ws()
		start := s.i
		s.value(1)
		out = append(out, kv{line[ks.start:ks.end], line[start:s.i]})
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
		}
	}
}

// decodeCase is one line of a table test: field "" means the line is good.
type decodeCase struct {
	name   string
	line   string
	field  string
	reason string
}

// runCases decodes each case with a fresh Decoder and checks the outcome. A
// good line must also survive AppendJSON and Decode unchanged.
func runCases(t *testing.T, kind Kind, cases []decodeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := NewDecoder(kind, testHasher(t))
			r, err := d.Decode([]byte(c.line))
			if c.field == "" && c.reason == "" {
				if err != nil {
					t.Fatalf("want good, got %v\nline: %s", err, c.line)
				}
				checkRoundTrip(t, d, r)
				return
			}
			checkError(t, err, c.field, c.reason)
			if r != nil {
				t.Fatalf("got a record with an error")
			}
		})
	}
}

// checkRoundTrip checks that r's canonical line decodes to an equal record.
func checkRoundTrip(t testing.TB, d *Decoder, r *Record) {
	t.Helper()
	line := r.AppendJSON(nil)
	r2, err := d.Decode(line)
	if err != nil {
		t.Fatalf("decode of AppendJSON: %v\nline: %s", err, line)
	}
	if !reflect.DeepEqual(r, r2) {
		t.Fatalf("round trip changed the record\nline: %s\nbefore: %s\nafter:  %s", line, dump(r), dump(r2))
	}
}

// dump formats a record with its pointed-to value.
func dump(r *Record) string {
	var v any
	switch r.Kind {
	case KindAccess:
		v = r.Access
	case KindComms:
		v = r.Comms
	case KindStaff:
		v = r.Staff
	case KindPerson:
		v = r.Person
	case KindIncident:
		v = r.Incident
	case KindInvolvement:
		v = r.Involvement
	case KindAssignment:
		v = r.Assignment
	case KindShift:
		v = r.Shift
	}
	return fmt.Sprintf("%+v %+v", *r, v)
}
