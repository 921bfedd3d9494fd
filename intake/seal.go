package intake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Sealer encrypts rejected rows before they are kept in quarantine, because a
// row that failed validation may still hold personal data (a phone number in
// clear, a search by description) that accepted rows never keep in clear.
// It uses AES-256-GCM with a random nonce per row; the key is the
// installation's quarantine key, kept apart from the database.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("quarantine key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// sealVersion prefixes sealed rows so the format can change later.
const sealVersion = 1

// Seal encrypts raw, binding it to ad (the row's kind and source), so a sealed
// row moved to another record fails to open.
func (s *Sealer) Seal(raw, ad []byte) []byte {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(raw)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return s.aead.Seal(out, out[1:1+s.aead.NonceSize()], raw, ad)
}

// Open decrypts a row sealed with the same key and ad.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, errors.New("not a sealed row")
	}
	raw, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad)
	if err != nil {
		return nil, errors.New("sealed row does not open with this key")
	}
	return raw, nil
}
