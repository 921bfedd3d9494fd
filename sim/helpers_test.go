package sim

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"lantern/ingest"
)

// Forces the tests share: each is generated once per test binary.
var (
	// smallForce is quick enough to decode every line of under -race.
	smallForce = Config{Staff: 150, Days: 14, Seed: 3}
	// moderateForce is the demo's size over two months, where every pattern
	// is planted at the default offender rate.
	moderateForce = Config{Staff: 2000, Days: 60, Seed: 1}
)

var generated struct {
	sync.Mutex
	dirs  map[string]string
	stats map[string]*Stats
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range generated.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// generate returns the directory holding cfg's output, generating it the
// first time it is asked for.
func generate(t testing.TB, cfg Config) (string, *Stats) {
	t.Helper()
	if raceDetector && cfg.Staff > smallForce.Staff {
		// The race detector adds nothing to a check of what a force holds
		// (the simulation runs on one goroutine; the small force exercises
		// the writers) and makes a large one take many seconds.
		t.Skip("checks the content of a large force; skipped under -race")
	}
	generated.Lock()
	defer generated.Unlock()
	key := fmt.Sprint(cfg)
	if d, ok := generated.dirs[key]; ok {
		return d, generated.stats[key]
	}
	dir, err := os.MkdirTemp("", "lantern-sim-")
	if err != nil {
		t.Fatal(err)
	}
	st, err := Generate(context.Background(), cfg, dir)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	if generated.dirs == nil {
		generated.dirs, generated.stats = map[string]string{}, map[string]*Stats{}
	}
	generated.dirs[key], generated.stats[key] = dir, st
	return dir, st
}

// eachLine calls fn with every line of DIR/KIND.jsonl and its number.
func eachLine(t testing.TB, dir string, kind ingest.Kind, fn func(n int, line []byte)) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, string(kind)+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		fn(n, sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// testHasher hashes clear numbers as intake would.
func testHasher(t testing.TB) *ingest.PhoneHasher {
	t.Helper()
	h, err := ingest.NewPhoneHasher(bytes.Repeat([]byte("k"), ingest.MinPhoneKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// decodeAll decodes every line of every kind in load order, failing the
// test on the first line that does not decode, and calls fn with each.
func decodeAll(t testing.TB, dir string, fn func(n int, r *ingest.Record)) {
	t.Helper()
	h := testHasher(t)
	for _, k := range ingest.Kinds() {
		dec := ingest.NewDecoder(k, h)
		eachLine(t, dir, k, func(n int, line []byte) {
			r, err := dec.Decode(line)
			if err != nil {
				t.Fatalf("%s.jsonl:%d: %v\n%s", k, n, err, line)
			}
			fn(n, r)
		})
	}
}

// field returns the string value of key in a line as Generate writes it,
// or "": quicker than decoding when a test reads every line of a large
// force.
func field(line []byte, key string) string {
	k := make([]byte, 0, len(key)+4)
	k = append(append(append(k, '"'), key...), `":"`...)
	i := bytes.Index(line, k)
	if i < 0 {
		return ""
	}
	rest := line[i+len(k):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// fieldTime returns the timestamp value of key in a line.
func fieldTime(t testing.TB, line []byte, key string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, field(line, key))
	if err != nil {
		t.Fatalf("%s in %s: %v", key, line, err)
	}
	return v
}
