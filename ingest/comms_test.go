package ingest

import (
	"strings"
	"testing"
	"time"
)

const goodComms = `{"id":"c-1","time":"2024-03-01T21:40:00Z","staff_id":"S1","device":"D-1","direction":"outbound","kind":"sms","number":"07700 900123","duration_s":35}`

func TestDecodeCommsGood(t *testing.T) {
	h := testHasher(t)
	r := mustDecode(t, KindComms, goodComms)
	e := r.Comms
	if e.NumberHash != h.Hash("+447700900123") || e.Duration != 35*time.Second || r.StaffID != "S1" || r.ID != "c-1" {
		t.Fatalf("got %s", dump(r))
	}
	line := string(r.AppendJSON(nil))
	if strings.Contains(line, "900123") || !strings.Contains(line, `"number_hash":"`+e.NumberHash+`"`) {
		t.Fatalf("AppendJSON = %s", line)
	}
	// The same number written another way has the same hash.
	r2 := mustDecode(t, KindComms, set(goodComms, "number", `"+44 (0)7700-900123"`))
	if r2.Comms.NumberHash != e.NumberHash {
		t.Fatal("the same number hashed differently")
	}
}

func TestDecodeComms(t *testing.T) {
	g := goodComms
	hash := `"` + testHasherHash("+447700900123") + `"`
	runCases(t, KindComms, []decodeCase{
		{name: "good", line: g},
		{name: "hash given", line: set(set(g, "number", "-"), "number_hash", hash)},
		{name: "no duration", line: set(g, "duration_s", "-")},
		{name: "negative zero", line: set(g, "duration_s", "-0")},
		{name: "longest call", line: set(g, "duration_s", "172800")},
		{name: "empty number with hash", line: set(set(g, "number", `""`), "number_hash", hash)},

		{name: "both", line: set(g, "number_hash", hash), field: "number", reason: "not both"},
		{name: "neither", line: set(g, "number", "-"), field: "number", reason: "number or number_hash is required"},
		{name: "letters", line: set(g, "number", `"07700 9OO123"`), field: "number", reason: "contains letters"},
		{name: "too short", line: set(g, "number", `"0770"`), field: "number", reason: "too short"},
		{name: "number type", line: set(g, "number", `7700900123`), field: "number", reason: "must be a string"},
		{name: "clear number as hash", line: set(set(g, "number", "-"), "number_hash", `"07700900123"`), field: "number_hash", reason: "not a phone hash"},
		{name: "hash wrong padding bits", line: set(set(g, "number", "-"), "number_hash", `"AAAAAAAAAAAAAAAAAAAAAB"`), field: "number_hash", reason: "not a phone hash"},
		{name: "duration negative", line: set(g, "duration_s", "-1"), field: "duration_s", reason: "outside 0-172800"},
		{name: "duration too long", line: set(g, "duration_s", "172801"), field: "duration_s", reason: "outside 0-172800"},
		{name: "duration huge", line: set(g, "duration_s", "99999999999999999999999"), field: "duration_s", reason: "outside 0-172800"},
		{name: "duration fraction", line: set(g, "duration_s", "3.5"), field: "duration_s", reason: "whole number"},
		{name: "duration exponent", line: set(g, "duration_s", "1e2"), field: "duration_s", reason: "whole number"},
		{name: "duration string", line: set(g, "duration_s", `"35"`), field: "duration_s", reason: "whole number"},
		{name: "direction", line: set(g, "direction", `"sideways"`), field: "direction", reason: "not one of"},
		{name: "kind", line: set(g, "kind", `"fax"`), field: "kind", reason: "not one of"},
		{name: "device missing", line: set(g, "device", "-"), field: "device", reason: "device is required"},
		{name: "id missing", line: set(g, "id", "-"), field: "id", reason: "id is required"},
		{name: "time zoneless", line: set(g, "time", `"2024-03-01T21:40:00"`), field: "time", reason: "time has no zone offset"},
		{name: "staff_id", line: set(g, "staff_id", `""`), field: "staff_id", reason: "required"},
		{name: "unknown key", line: set(g, "numbr", `"07700900123"`), field: "numbr", reason: "unknown key"},
		{name: "duration key", line: set(g, "duration", `35`), field: "duration", reason: "unknown key"},
	})
}

func testHasherHash(e164 string) string {
	h, _ := NewPhoneHasher(testKey)
	return h.Hash(e164)
}

func TestDecodeCommsWithoutKey(t *testing.T) {
	_, err := NewDecoder(KindComms, nil).Decode([]byte(goodComms))
	checkError(t, err, "number", "no phone hash key")
	if _, err := NewDecoder(KindComms, nil).Decode([]byte(set(set(goodComms, "number", "-"), "number_hash", `"`+testHasherHash("+447700900123")+`"`))); err != nil {
		t.Fatal(err)
	}
}

// TestCommsErrorsNeverShowNumbers checks every error on a line with a clear
// number for the number's digits.
func TestCommsErrorsNeverShowNumbers(t *testing.T) {
	number := "07700 912345"
	lines := []string{
		set(goodComms, "number", `"`+number+`x"`),
		set(goodComms, "number", `"`+number+number+number+`"`),
		set(set(goodComms, "number", `"`+number+`"`), "number_hash", `"`+number+`"`),
		set(set(goodComms, "number", "-"), "number_hash", `"`+number+`"`),
		set(goodComms, "direction", `"`+number+`"`),
		set(goodComms, "kind", `"+447700912345"`),
		set(goodComms, number, `1`),
		set(goodComms, "id", `"`+number+"\u0001"+`"`),
	}
	for _, l := range lines {
		_, err := NewDecoder(KindComms, testHasher(t)).Decode([]byte(l))
		if err == nil {
			t.Fatalf("no error for %s", l)
		}
		if leaksNumber(err.Error()) {
			t.Fatalf("error shows the number: %v", err)
		}
	}
}

// leaksNumber reports whether s holds seven or more digits in a row, ignoring
// the separators telephone numbers are written with.
func leaksNumber(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			run++
			if run >= 7 {
				return true
			}
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '+' || c == '.':
		default:
			run = 0
		}
	}
	return false
}
