package intake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestIDSetAddHas(t *testing.T) {
	s := newIDSet(0)
	const n = 100_000
	for i := range n {
		if !s.Add(keyOf("access", fmt.Sprint(i))) {
			t.Fatalf("id %d reported as present before adding", i)
		}
	}
	for i := range n {
		if s.Add(keyOf("access", fmt.Sprint(i))) {
			t.Fatalf("id %d added twice", i)
		}
		if !s.Has(keyOf("access", fmt.Sprint(i))) {
			t.Fatalf("id %d lost after growth", i)
		}
	}
	if s.Has(keyOf("comms", "1")) || s.Has(keyOf("access", "x")) {
		t.Fatal("kind must be part of the key")
	}
	if s.Len() != n {
		t.Fatalf("Len = %d", s.Len())
	}
}

func TestSnapshotRoundTripAndDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ids")
	if _, _, err := readSnapshot(path); !errors.Is(err, errNoSnapshot) {
		t.Fatalf("missing file: %v", err)
	}
	s := newIDSet(0)
	for i := range 5000 {
		s.Add(keyOf("access", fmt.Sprint(i)))
	}
	if err := s.writeSnapshot(path, 4242); err != nil {
		t.Fatal(err)
	}
	got, seq, err := readSnapshot(path)
	if err != nil || seq != 4242 || got.Len() != 5000 {
		t.Fatalf("read: %v seq %d len %v", err, seq, got)
	}
	for i := range 5000 {
		if !got.Has(keyOf("access", fmt.Sprint(i))) {
			t.Fatalf("id %d missing after reload", i)
		}
	}
	b, _ := os.ReadFile(path)
	for name, damaged := range map[string][]byte{
		"truncated": b[:len(b)-7],
		"bit flip":  append(append([]byte{}, b[:100]...), append([]byte{b[100] ^ 1}, b[101:]...)...),
		"empty":     {},
	} {
		os.WriteFile(path, damaged, 0o600)
		if _, _, err := readSnapshot(path); !errors.Is(err, errNoSnapshot) {
			t.Errorf("%s: got %v, want errNoSnapshot", name, err)
		}
	}
}

func BenchmarkIDSetAdd(b *testing.B) {
	keys := make([]idKey, 1<<16)
	for i := range keys {
		keys[i] = keyOf("access", fmt.Sprint(i))
	}
	s := newIDSet(0)
	b.ResetTimer()
	for i := range b.N {
		k := keys[i&(len(keys)-1)]
		k[1] += uint64(i >> 16)
		s.Add(k)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// FuzzReadSnapshot feeds arbitrary bytes to the snapshot reader: it must
// either load a set or report errNoSnapshot, never panic or load garbage.
func FuzzReadSnapshot(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good")
	s := newIDSet(0)
	for i := range 10 {
		s.Add(keyOf("access", fmt.Sprint(i)))
	}
	if err := s.writeSnapshot(good, 7); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	f.Add(b)
	f.Add([]byte(snapshotMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "ids")
		os.WriteFile(path, data, 0o600)
		set, _, err := readSnapshot(path)
		if err != nil {
			if !errors.Is(err, errNoSnapshot) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if set == nil {
			t.Fatal("nil set without error")
		}
	})
}

func BenchmarkKeyOf(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		_ = keyOf("access", "event-000000000001")
	}
}
