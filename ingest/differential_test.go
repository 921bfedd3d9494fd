package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"lantern"
)

// The reference decoders below read access and comms lines the slow and
// obvious way: encoding/json into a map of raw values (exact keys, last
// duplicate wins), then each value with encoding/json, strconv and
// time.Parse. The fast decoders must agree with them on every valid UTF-8
// line: the same Record, or the same error.

// refTime parses a timestamp with time.Parse only.
func refTime(o *object, key string) time.Time {
	s := o.string(key)
	if o.err != nil || s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		o.fail(timeError(key, s))
		return time.Time{}
	}
	return t.UTC()
}

func refDecodeAccess(d *Decoder, line []byte) (*Record, error) {
	if !utf8.Valid(line) {
		return nil, invalid(reasonNotUTF8)
	}
	o, err := parseObject(line, KindAccess)
	if err != nil {
		return nil, err
	}
	ev := &lantern.AccessEvent{}
	ev.ID = o.string("id")
	ev.Time = refTime(o, "time")
	ev.StaffID = o.string("staff_id")
	ev.System = o.string("system")
	ev.Action = o.string("action")
	ev.PersonID = o.string("person_id")
	ev.IncidentID = o.string("incident_id")
	ev.Fields = o.list("fields")
	ev.Query = o.string("query")
	ev.Workstation = o.string("workstation")
	ev.Location = o.string("location")
	if o.err != nil {
		return nil, o.err
	}
	if err := ev.Validate(); err != nil {
		return nil, sanitize(err)
	}
	return &Record{Kind: KindAccess, ID: ev.ID, Time: ev.Time, StaffID: ev.StaffID, Access: ev}, nil
}

func refDecodeComms(d *Decoder, line []byte) (*Record, error) {
	if !utf8.Valid(line) {
		return nil, invalid(reasonNotUTF8)
	}
	o, err := parseObject(line, KindComms)
	if err != nil {
		return nil, err
	}
	ev := &lantern.CommsEvent{}
	ev.ID = o.string("id")
	ev.Time = refTime(o, "time")
	ev.StaffID = o.string("staff_id")
	ev.Device = o.string("device")
	ev.Direction = o.string("direction")
	ev.Kind = o.string("kind")
	number := o.string("number")
	hash := o.string("number_hash")
	seconds := o.int("duration_s", durationRange)
	if o.err != nil {
		return nil, o.err
	}
	if err := d.finishComms(ev, number, hash, seconds); err != nil {
		return nil, err
	}
	return &Record{Kind: KindComms, ID: ev.ID, Time: ev.Time, StaffID: ev.StaffID, Comms: ev}, nil
}

// wholeLine reports whether an error is about the line rather than a field.
func wholeLine(err error) bool {
	return strings.HasPrefix(lantern.ErrorMessage(err), "line is not")
}

// compareDecoders decodes line with the fast and the reference decoder and
// fails if they disagree.
func compareDecoders(t *testing.T, kind Kind, line []byte) {
	t.Helper()
	fast := NewDecoder(kind, testHasher(t))
	ref := NewDecoder(kind, testHasher(t))
	got, gotErr := fast.Decode(line)
	var want *Record
	var wantErr error
	if kind == KindAccess {
		want, wantErr = refDecodeAccess(ref, line)
	} else {
		want, wantErr = refDecodeComms(ref, line)
	}
	switch {
	case gotErr == nil && wantErr == nil:
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("records differ for %q\nfast: %s\nref:  %s", line, dump(got), dump(want))
		}
	case gotErr == nil || wantErr == nil:
		t.Fatalf("fast and reference disagree on %q\nfast: %v\nref:  %v", line, gotErr, wantErr)
	case wholeLine(gotErr) != wholeLine(wantErr):
		t.Fatalf("different kinds of error for %q\nfast: %v\nref:  %v", line, gotErr, wantErr)
	case !wholeLine(wantErr) && gotErr.Error() != wantErr.Error():
		t.Fatalf("different errors for %q\nfast: %v\nref:  %v", line, gotErr, wantErr)
	}
}

// differentialSeeds are lines that probe the scanner's corners.
var differentialSeeds = []string{
	`{}`, `null`, `[]`, `"x"`, `{"id":}`, `{"id" "x"}`, `{"id":"x",}`, `{,}`, `{"id":"x"}}`, `{"id":"x"} {}`,
	`{"id":"\u0061-1"}`, `{"\u0069d":"a-1"}`, `{"id":"a\ud800b"}`, `{"id":"a\ud83d\ude00b"}`, `{"id":"a\ud83d\u0041"}`,
	`{"id":"a\udc00"}`, `{"id":"\u00"}`, `{"id":"\x"}`, `{"id":"a` + "\x01" + `"}`, `{"id":"a","id":null}`,
	`{"id":1e5}`, `{"id":-0.5e-3}`, `{"id":01}`, `{"id":-}`, `{"id":1.}`, `{"id":.5}`, `{"id":tru}`, `{"id":nul}`,
	`{"id":[1,[2,{"a":[]}]]}`, `{"id":{"a":{"b":"c"}}}`, `{"id":[,]}`, `{"id":{"a"}}`, "\t{ \"id\" :\r\n\"x\" }\n",
	`{"time":"2024-03-01T09:15:02.999999999+23:59"}`, `{"time":"2024-03-01T09:15:02,5Z"}`, `{"time":"2024-03-01T09:15:02+24:00"}`,
	`{"time":"2024-02-29T00:00:00Z"}`, `{"time":"2023-02-29T00:00:00Z"}`, `{"time":"2024-03-01T09:15:02.1234567891Z"}`,
	`{"fields":[null,"a"]}`, `{"fields":["a",1]}`, `{"fields":"a"}`, `{"fields":[]}`,
	`{"duration_s":1e2}`, `{"duration_s":-0}`, `{"duration_s":9223372036854775807}`, `{"duration_s":9223372036854775808}`,
	`{"duration_s":-9223372036854775809}`, `{"duration_s":"1"}`, `{"number":"07700 900123","number_hash":""}`,
	`{"zz":1,"aa":2}`, `{"zz":1,"aa":`, "\xef\xbb\xbf{}",
}

func TestDifferentialSeeds(t *testing.T) {
	for _, kind := range []Kind{KindAccess, KindComms} {
		good := goodAccess
		if kind == KindComms {
			good = goodComms
		}
		for _, s := range append(differentialSeeds, good, good[:len(good)/2]) {
			compareDecoders(t, kind, []byte(s))
			if strings.HasPrefix(s, "{") && len(s) > 2 {
				compareDecoders(t, kind, []byte(good[:len(good)-1]+","+s[1:]))
			}
		}
	}
}

func FuzzDifferentialAccess(f *testing.F) {
	addSeeds(f, goodAccess)
	f.Fuzz(func(t *testing.T, line []byte) {
		if utf8.Valid(line) {
			compareDecoders(t, KindAccess, line)
		}
	})
}

func FuzzDifferentialComms(f *testing.F) {
	addSeeds(f, goodComms)
	f.Fuzz(func(t *testing.T, line []byte) {
		if utf8.Valid(line) {
			compareDecoders(t, KindComms, line)
		}
	})
}

// addSeeds adds a good line, the differential seeds, and the good line
// extended with each of them.
func addSeeds(f *testing.F, good string) {
	f.Add([]byte(good))
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
		if strings.HasPrefix(s, "{") && len(s) > 2 {
			f.Add([]byte(good[:len(good)-1] + "," + s[1:]))
		}
	}
}
