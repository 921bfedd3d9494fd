package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"lantern"
)

// Params are the argon2id cost parameters a password is hashed with. They
// are written into every hash, so a hash made with older parameters still
// verifies, and is rehashed with the current ones at the next sign-in.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are RFC 9106's second recommended option with 64 MiB of
// memory: argon2id, 64 MiB, 3 passes, 16-byte salt, 32-byte key, with 2
// lanes for a small server. One hash takes about a tenth of a second and
// 64 MiB, so the server can check a few sign-ins a second per core.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// maxPasswordLen bounds the work one sign-in can ask for.
const maxPasswordLen = 1024

var b64 = base64.RawStdEncoding

// HashPassword hashes password with argon2id and returns it in the PHC
// string format: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>, salt and key
// in unpadded standard base64.
func HashPassword(password string, p Params, random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash,
// comparing in constant time, and the parameters the hash was made with.
// It returns an error for a hash it cannot parse.
func CheckPassword(encoded, password string) (bool, Params, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, p, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

// parseHash reads a PHC argon2id string. It refuses parameters far outside
// anything this package writes, so that a planted hash cannot make a
// sign-in exhaust the server.
func parseHash(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("bad argon2 parameter %q", kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("bad argon2 parameter %q", kv)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("unknown argon2 parameter %q", k)
		}
	}
	if p.Memory < 8 || p.Memory > 1<<21 || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, fmt.Errorf("bad argon2 salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("bad argon2 key")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// CheckPasswordPolicy reports, with an EINVALID error on the field
// "password", whether password may be used by the user username: at least
// MinPasswordLen characters, at most 1024 bytes, valid UTF-8, and neither
// the username nor, for usernames of four or more characters, containing
// it forwards or backwards, in any case.
func CheckPasswordPolicy(username, password string) error {
	switch {
	case !utf8.ValidString(password):
		return lantern.FieldErrorf("password", "The password is not valid text.")
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return lantern.FieldErrorf("password", "The password must be at least %d characters long.", MinPasswordLen)
	case len(password) > maxPasswordLen:
		return lantern.FieldErrorf("password", "The password must be at most %d bytes long.", maxPasswordLen)
	}
	lower := strings.ToLower(password)
	name := strings.ToLower(username)
	if lower == name || len(name) >= 4 && (strings.Contains(lower, name) || strings.Contains(lower, reverse(name))) {
		return lantern.FieldErrorf("password", "The password must not contain the username.")
	}
	return nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// passwordAlphabet leaves out characters easily misread: 0 O 1 l I.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random initial password of 20 characters from
// a 57-character alphabet: about 116 bits.
func GeneratePassword(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	out := make([]byte, 0, 20)
	buf := make([]byte, 1)
	for len(out) < 20 {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		// Rejection sampling keeps every character equally likely.
		if int(buf[0]) < 256-256%len(passwordAlphabet) {
			out = append(out, passwordAlphabet[int(buf[0])%len(passwordAlphabet)])
		}
	}
	return string(out), nil
}
