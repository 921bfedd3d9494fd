package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"

	"lantern"
)

// MinPhoneKeyBytes is the shortest key NewPhoneHasher accepts.
const MinPhoneKeyBytes = 32

// PhoneHashLen is the length of a phone hash: 16 bytes in unpadded base64url.
const PhoneHashLen = 22

// PhoneHasher turns E.164 telephone numbers into the keyed hashes Lantern
// holds instead of the numbers, so that a work device's contacts can be
// matched against the numbers in force records without either being kept in
// clear.
//
// The hash is an HMAC (SHA-256, truncated to 16 bytes) rather than a plain
// hash because telephone numbers are a small space: the UK's mobile numbers
// are about 10^9 values, and an unkeyed hash of every one of them can be
// computed in minutes, which would make any stored hash reversible. Without the
// key, which lives outside the data store, the hashes reveal nothing.
//
// A PhoneHasher is immutable and safe for concurrent use.
type PhoneHasher struct {
	key []byte
}

// NewPhoneHasher returns a hasher with a copy of key. A key shorter than
// MinPhoneKeyBytes is an EINVALID *lantern.Error.
func NewPhoneHasher(key []byte) (*PhoneHasher, error) {
	if len(key) < MinPhoneKeyBytes {
		return nil, lantern.Errorf(lantern.EINVALID, "phone hash key is %d bytes; it must be at least %d", len(key), MinPhoneKeyBytes)
	}
	return &PhoneHasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the hash of an E.164 number as NormalizePhone returns it: the
// base64url (unpadded) of the first 16 bytes of HMAC-SHA256(key, e164). It
// does not check that e164 is normalised; HashNumber does.
func (h *PhoneHasher) Hash(e164 string) string {
	m := h.newMAC()
	return m.hash([]byte(e164))
}

// HashNumber normalises a number as NormalizePhone does and returns its hash,
// or NormalizePhone's error.
func (h *PhoneHasher) HashNumber(raw string) (string, error) {
	var buf [maxPhoneInput + 1]byte
	e164, reason := normalizePhone(buf[:0], raw)
	if reason != "" {
		return "", lantern.FieldErrorf("phone", "phone number %s", reason)
	}
	m := h.newMAC()
	return m.hash(e164), nil
}

// phoneMAC is a reusable HMAC state; one per Decoder saves building the HMAC
// for every number. It is not safe for concurrent use.
type phoneMAC struct {
	mac hash.Hash
	sum [sha256.Size]byte
	out [PhoneHashLen]byte
}

func (h *PhoneHasher) newMAC() *phoneMAC {
	return &phoneMAC{mac: hmac.New(sha256.New, h.key)}
}

// hash returns the phone hash of an E.164 number.
func (m *phoneMAC) hash(e164 []byte) string {
	m.mac.Reset()
	m.mac.Write(e164)
	sum := m.mac.Sum(m.sum[:0])
	base64.RawURLEncoding.Encode(m.out[:], sum[:16])
	return string(m.out[:])
}

// isPhoneHash reports whether s has the shape of a phone hash. Checking it
// stops a clear number being sent, and then stored, in a hash field.
func isPhoneHash(s string) bool {
	if len(s) != PhoneHashLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// 16 bytes fill 21 characters and 2 bits: the last character's low 4 bits
	// are zero in a canonical encoding.
	return base64URLValue(s[PhoneHashLen-1])&0x0f == 0
}

func base64URLValue(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '-':
		return 62
	}
	return 63
}
