package channel

import (
	"bytes"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	tk := NewTokens(bytes.Repeat([]byte{3}, 32), time.Hour)
	a := tk.Issue(tokenNew, now)
	if err := tk.Spend(tokenReply, a, now); err == nil {
		t.Errorf("a token for one form was accepted by another")
	}
	if err := tk.Spend(tokenNew, a, now.Add(time.Hour)); err == nil {
		t.Errorf("an expired token was accepted")
	}
	if err := tk.Spend(tokenNew, a, now.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh token was refused: %v", err)
	}
	if err := tk.Spend(tokenNew, a, now.Add(time.Minute)); err == nil {
		t.Errorf("a token was accepted twice")
	}
	tk.Refund(a)
	if err := tk.Spend(tokenNew, a, now.Add(time.Minute)); err != nil {
		t.Errorf("a refunded token was refused: %v", err)
	}
	other := NewTokens(bytes.Repeat([]byte{4}, 32), time.Hour)
	if err := other.Spend(tokenNew, tk.Issue(tokenNew, now), now); err == nil {
		t.Errorf("a token signed with another key was accepted")
	}
}

func FuzzTokenSpend(f *testing.F) {
	tk := NewTokens(bytes.Repeat([]byte{3}, 32), time.Hour)
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	f.Add(tk.Issue(tokenNew, now))
	f.Add("")
	f.Add("!!!!")
	f.Fuzz(func(t *testing.T, s string) {
		fresh := NewTokens(bytes.Repeat([]byte{3}, 32), time.Hour)
		err := fresh.Spend(tokenNew, s, now)
		if err == nil && fresh.Spend(tokenNew, s, now) == nil {
			t.Fatalf("token %q accepted twice", s)
		}
	})
}
