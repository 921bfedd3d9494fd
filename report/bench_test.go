package report

import (
	"bytes"
	"testing"

	"filippo.io/age"
)

// BenchmarkReceiptHash measures the slow hash behind every receipt check.
// Run with: go test -run '^$' -bench ReceiptHash -benchtime 10x ./report
func BenchmarkReceiptHash(b *testing.B) {
	r, err := NewReceipts(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.derive("1234567812345678")
	}
}

// BenchmarkUnlockKey measures unwrapping a recipient's private key at the
// default scrypt work factor, which every password sign-in pays once.
// Run with: go test -run '^$' -bench UnlockKey -benchtime 3x ./report
func BenchmarkUnlockKey(b *testing.B) {
	k := NewKeyring(KeyringConfig{})
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		b.Fatal(err)
	}
	w, err := k.wrapIdentity(id, "a password")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.unwrapIdentity(w, "a password"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealKeyForRecipient measures wrapping one report key for one
// hybrid post-quantum recipient, which a new report pays per unit member.
func BenchmarkSealKeyForRecipient(b *testing.B) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		b.Fatal(err)
	}
	var k key
	for b.Loop() {
		if _, err := wrapKey(k, id.Recipient()); err != nil {
			b.Fatal(err)
		}
	}
}
