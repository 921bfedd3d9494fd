package auth

import (
	"strings"
	"testing"

	"lantern"
)

// fast are parameters cheap enough for tests.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery", fast, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not in the PHC form", h)
	}
	ok, p, err := CheckPassword(h, "correct horse battery")
	if err != nil || !ok || p != fast {
		t.Errorf("right password: %v %+v %v", ok, p, err)
	}
	if ok, _, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
	again, _ := HashPassword("correct horse battery", fast, nil)
	if again == h {
		t.Error("two hashes of one password share a salt")
	}
	// The defaults are what the documentation says.
	if DefaultParams != (Params{Memory: 65536, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}) {
		t.Errorf("DefaultParams changed: %+v; update docs/security.md", DefaultParams)
	}
}

func TestCheckPasswordRefusesBadHashes(t *testing.T) {
	for _, h := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5",
	} {
		if _, _, err := CheckPassword(h, "password"); err == nil {
			t.Errorf("hash %q accepted", h)
		}
	}
}

// FuzzCheckPassword checks that no stored string makes the parser panic or
// accept parameters out of range.
func FuzzCheckPassword(f *testing.F) {
	h, _ := HashPassword("a password here", fast, nil)
	f.Add(h)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, _, _, err := parseHash(s)
		if err != nil {
			return
		}
		if p.Memory > 1<<21 || p.Time > 100 || p.Threads == 0 || p.KeyLen < 16 {
			t.Fatalf("accepted %+v from %q", p, s)
		}
		if p.Memory <= 4096 && p.Time <= 4 {
			CheckPassword(s, "x")
		}
	})
}

func TestCheckPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		user, password string
		ok             bool
	}{
		{"asmith", "eleven char", false},
		{"asmith", "twelve chars", true},
		{"asmith", "ünïcödé-twelve", true},
		{"asmith", "my name is ASMITH ok", false},
		{"asmith", "htimsa backwards!", false},
		{"ab", "ab is fine in a long one", true},
		{"abcdefghijkl", "abcdefghijkl", false},
		{"asmith", strings.Repeat("x", 1025), false},
		{"asmith", "bad utf8 \xff\xfe\xfd", false},
	} {
		err := CheckPasswordPolicy(c.user, c.password)
		if (err == nil) != c.ok {
			t.Errorf("%q for %q: %v", c.password, c.user, err)
		}
		if err != nil && (lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) != "password") {
			t.Errorf("error %v is not EINVALID on password", err)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := GeneratePassword(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 20 || strings.Trim(p, passwordAlphabet) != "" || CheckPasswordPolicy("someone", p) != nil || seen[p] {
			t.Fatalf("generated %q", p)
		}
		seen[p] = true
	}
}

func TestBackoff(t *testing.T) {
	const m = 60 // a minute, in seconds, to keep the table short
	for _, c := range []struct{ failures, want int }{{4, 0}, {5, m}, {6, 2 * m}, {7, 4 * m}, {11, 60 * m}, {50, 60 * m}} {
		got := backoff(c.failures, 5, 60e9, 3600e9)
		if int(got.Seconds()) != c.want {
			t.Errorf("%d failures: %v, want %ds", c.failures, got, c.want)
		}
	}
}

// BenchmarkCheckPassword measures one sign-in's hashing with the default
// parameters: go test -run '^$' -bench CheckPassword -benchtime 5x ./auth
func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("a password here", DefaultParams, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := CheckPassword(h, "a password here"); !ok {
			b.Fatal("no match")
		}
	}
}
