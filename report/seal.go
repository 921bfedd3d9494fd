// Package report is the core of the confidential reporting channel: it seals
// every report at rest under a key of its own, wraps that key for the unit's
// recipients (age hybrid post-quantum keys), for the optional escrow key and
// for the reporter's receipt, keeps the recipients' private keys wrapped
// under their passwords and unlocked only in memory for a signed-in session,
// and offers the reporter-facing and unit-facing operations on top.
//
// Nothing a reporter writes (answers, identity, messages, attachment names
// and contents) is stored in clear, and no network address or browser detail
// is stored at all.
package report

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"lantern"
)

// key is a report's content or identity key.
type key [chacha20poly1305.KeySize]byte

// newKey returns a random key.
func newKey(r io.Reader) (key, error) {
	var k key
	_, err := io.ReadFull(r, k[:])
	return k, err
}

// Padding blocks: lengths are rounded up so that ciphertext sizes say little
// about what is inside.
const (
	textBlock = 512
	fileBlock = 16 << 10
)

// seal encrypts plaintext under k with XChaCha20-Poly1305, binding it to
// label (which names the report and the part of it), after padding it to a
// multiple of block. The result is nonce || ciphertext.
func seal(k key, label string, plaintext []byte, block int) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, err
	}
	n := 4 + len(plaintext)
	padded := make([]byte, (n+block-1)/block*block)
	binary.BigEndian.PutUint32(padded, uint32(len(plaintext)))
	copy(padded[4:], plaintext)
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(padded)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, padded, []byte(label)), nil
}

// errSealed is returned for anything that does not open: a wrong key, a
// label from another report, a damaged ciphertext.
var errSealed = lantern.Errorf(lantern.EINTERNAL, "A sealed part of the report could not be opened.")

// open reverses seal.
func open(k key, label string, sealed []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errSealed
	}
	padded, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(label))
	if err != nil || len(padded) < 4 {
		return nil, errSealed
	}
	n := binary.BigEndian.Uint32(padded)
	if int(n) > len(padded)-4 {
		return nil, errSealed
	}
	return padded[4 : 4+n], nil
}

// label names one sealed part of a report, so that a part cannot be moved
// to another report or another place in the same one.
func label(reportID, part string) string {
	return "lantern/report/v1/" + reportID + "/" + part
}

// wrapKey encrypts k to one age recipient.
func wrapKey(k key, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("wrap report key: %w", err)
	}
	if _, err := w.Write(k[:]); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrapKey decrypts a key wrapped by wrapKey.
func unwrapKey(wrapped []byte, id age.Identity) (key, error) {
	var k key
	r, err := age.Decrypt(bytes.NewReader(wrapped), id)
	if err != nil {
		return k, fmt.Errorf("unwrap report key: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(len(k))+1))
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("unwrap report key: not a key")
	}
	copy(k[:], b)
	return k, nil
}
