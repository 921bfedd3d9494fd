package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lantern"
	"lantern/ingest"
)

func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Staff: 150, Days: 10, Seed: 7}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Generate(context.Background(), cfg, dir); err != nil {
			t.Fatal(err)
		}
	}
	other := cfg
	other.Seed = 8
	if _, err := Generate(context.Background(), other, c); err != nil {
		t.Fatal(err)
	}
	files := []string{TruthFile}
	for _, k := range ingest.Kinds() {
		files = append(files, string(k)+".jsonl")
	}
	differs := false
	for _, f := range files {
		x, y, z := read(t, a, f), read(t, b, f), read(t, c, f)
		if len(x) == 0 && f != TruthFile {
			t.Errorf("%s is empty", f)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with seed %d", f, cfg.Seed)
		}
		differs = differs || !bytes.Equal(x, z)
	}
	if !differs {
		t.Error("seeds 7 and 8 gave the same force")
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConfigLimits(t *testing.T) {
	for _, cfg := range []Config{
		{Staff: 10, Days: 10},
		{Staff: 1000, Days: 0},
		{Staff: 1000, Days: 10, OffenderRate: 0.9},
		{Staff: 1000, Days: 10, Start: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := Generate(context.Background(), cfg, t.TempDir()); lantern.ErrorCode(err) != lantern.EINVALID {
			t.Errorf("%+v: got %v, want EINVALID", cfg, err)
		}
	}
}

func TestGenerateStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Config{Staff: 100, Days: 5}, t.TempDir()); err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestStatsCountLines(t *testing.T) {
	dir, st := generate(t, smallForce)
	for _, k := range ingest.Kinds() {
		n := 0
		eachLine(t, dir, k, func(int, []byte) { n++ })
		if int64(n) != st.Records[k] {
			t.Errorf("%s: %d lines, stats say %d", k, n, st.Records[k])
		}
	}
	if st.Events() == 0 || st.EventsPerSecond() <= 0 || st.String() == "" {
		t.Errorf("stats: %+v", st)
	}
}
