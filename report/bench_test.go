package report

import (
	"bytes"
	"testing"

	"filippo.io/age"

	"lantern"
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

// BenchmarkOpenIntelList measures listing 100 sealed intelligence items
// for an analyst whose session opens them all: one key unwrapped and two
// texts opened per item, which the log and a staff profile pay per page.
// Run with: go test -run '^$' -bench OpenIntelList -benchtime 10x ./report
func BenchmarkOpenIntelList(b *testing.B) {
	f := newFixture(b)
	const items = 100
	for range items {
		if err := f.intel.CreateIntelItem(b.Context(), systemItem(knownSentence)); err != nil {
			b.Fatal(err)
		}
	}
	ctx := lantern.WithPrincipal(b.Context(), lantern.Principal{UserID: "ann", Role: lantern.UserAnalyst, SessionID: "s-ann"})
	for b.Loop() {
		list, _, err := f.intel.FindIntelItems(ctx, lantern.IntelFilter{Limit: items})
		if err != nil || len(list) != items || list[0].Summary != knownSentence {
			b.Fatalf("%d items, %v", len(list), err)
		}
	}
	b.ReportMetric(float64(items*b.N)/b.Elapsed().Seconds(), "items/s")
}
