package ingest

import (
	"strings"
	"testing"

	"lantern"
)

func TestNormalizePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"07700 900123", "+447700900123"},
		{"07700900123", "+447700900123"},
		{"(020) 7946 0000", "+442079460000"},
		{"+44 (0)7700-900123", "+447700900123"},
		{"+44 07700 900123", "+447700900123"},
		{"0044 7700 900123", "+447700900123"},
		{"447700900123", "+447700900123"},
		{"+447700900123", "+447700900123"},
		{"0800 1111", "+448001111"},
		{"0161 496 0000", "+441614960000"},
		{"+1 (202) 555-0100", "+12025550100"},
		{"+33 1 23 45 67 89", "+33123456789"},
		{"001 202 555 0100", "+12025550100"},
		{"+49 (0)30 1234567", "+49301234567"},
		{" 07700\t900123 ", "+447700900123"},
		{"07700.900.123", "+447700900123"},
		{"07700/900123", "+447700900123"},
	}
	for _, c := range good {
		got, err := NormalizePhone(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "is empty"},
		{"   ", "is empty"},
		{"()-", "is empty"},
		{"07700 9OO123", "contains letters"},
		{"tel:07700900123", "contains letters"},
		{"07700900123 ext 2", "contains letters"},
		{"07700#900123", "not a digit"},
		{"٠٧٧٠٠٩٠٠١٢٣", "not a digit"},
		{"0770", "too short"},
		{"999", "no country code"},
		{"+44 123", "too short"},
		{"077009001234567", "too long"},
		{"+1234567890123456", "too long"},
		{"+1 234", "too short"},
		{"7700900123", "no country code"},
		{"+0 7700 900123", "country code starting with 0"},
		{"+4400000000", "0 twice after +44"},
		{"+44 0 07700 900123", "0 twice after +44"},
		{"0007700900123", "country code starting with 0"},
		{"07700+900123", "'+' that is not at the start"},
		{"++447700900123", "'+' that is not at the start"},
		{strings.Repeat("0", 65), "too long"},
	}
	for _, c := range bad {
		_, err := NormalizePhone(c.in)
		checkError(t, err, "phone", c.reason)
		if leaksNumber(lantern.ErrorMessage(err)) {
			t.Errorf("message repeats the number: %v", err)
		}
	}
}

func TestPhoneHasher(t *testing.T) {
	if _, err := NewPhoneHasher(make([]byte, 31)); lantern.ErrorCode(err) != lantern.EINVALID {
		t.Fatalf("short key: %v", err)
	}
	key := append([]byte(nil), testKey...)
	h, err := NewPhoneHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	a := h.Hash("+447700900123")
	key[0] ^= 1 // the hasher keeps its own copy
	if h.Hash("+447700900123") != a {
		t.Fatal("hasher shares the caller's key")
	}
	other, _ := NewPhoneHasher(key)
	if other.Hash("+447700900123") == a {
		t.Fatal("different keys, same hash")
	}
	if len(a) != PhoneHashLen || !isPhoneHash(a) {
		t.Fatalf("hash %q has the wrong shape", a)
	}
	// Known answer, so that a change of scheme cannot pass unnoticed: the
	// stored hashes of every force depend on it.
	if a != "7TuciyPWfiSw3_ADonb7yQ" {
		t.Fatalf("hash = %q", a)
	}
	b, err := h.HashNumber("07700 900123")
	if err != nil || b != a {
		t.Fatalf("HashNumber = %q, %v", b, err)
	}
	if _, err := h.HashNumber("call me"); lantern.ErrorField(err) != "phone" {
		t.Fatalf("HashNumber of letters: %v", err)
	}
}

func TestIsPhoneHash(t *testing.T) {
	for s, want := range map[string]bool{
		"AAAAAAAAAAAAAAAAAAAAAA":  true,
		"AAAAAAAAAAAAAAAAAAAAAQ":  true,
		"AAAAAAAAAAAAAAAAAAAAAB":  false,
		"AAAAAAAAAAAAAAAAAAAAA=":  false,
		"AAAAAAAAAAAAAAAAAAAAA":   false,
		"AAAAAAAAAAAAAAAAAAAAAAA": false,
		"+447700900123":           false,
		"AAAAAAAAAA/AAAAAAAAAAA":  false,
		"AAAAAAAAAA-_AAAAAAAAAA":  true,
	} {
		if isPhoneHash(s) != want {
			t.Errorf("isPhoneHash(%q) = %v", s, !want)
		}
	}
}

func TestEcho(t *testing.T) {
	for in, want := range map[string]string{
		"peek":                   `"peek"`,
		"07700 900123":           "(a value with 7 or more digits, not shown)",
		strings.Repeat("é", 30):  `"` + strings.Repeat("é", 20) + `"…`,
		"S1234567":               "(a value with 7 or more digits, not shown)",
		"line\nbreak":            `"line\nbreak"`,
		strings.Repeat("a", 40):  `"` + strings.Repeat("a", 40) + `"`,
		strings.Repeat("ab", 21): `"` + strings.Repeat("ab", 20) + `"…`,
	} {
		if got := echo(in); got != want {
			t.Errorf("echo(%q) = %s, want %s", in, got, want)
		}
	}
}
