package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lantern/ingest"
	"lantern/sim"
)

var ingestLine = regexp.MustCompile(`^(\S+) \((\w+)\): (\d+) accepted, (\d+) duplicates, (\d+) quarantined`)

// TestSimulateThenIngest simulates a small force and loads the directory
// through intake: every line of every file is accepted, none quarantined.
func TestSimulateThenIngest(t *testing.T) {
	out := filepath.Join(t.TempDir(), "force")
	code, stdout, stderr := runCmd(t, nil, "simulate", "--staff", "60", "--days", "3", "--seed", "9", "--offenders", "0.05", "--out", out)
	if code != 0 {
		t.Fatalf("simulate: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"access", "control_room", "offenders with", "events/s", "lantern ingest " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("simulate's summary lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := sim.ReadTruth(filepath.Join(out, sim.TruthFile)); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr = runCmd(t, nil, "ingest", "--data-dir", t.TempDir(), out)
	if code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(stdout, "\n") {
		m := ingestLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		seen[m[2]] = true
		lines := countLines(t, m[1])
		if accepted, _ := strconv.Atoi(m[3]); accepted != lines || m[4] != "0" || m[5] != "0" {
			t.Errorf("%s: %s; the file has %d lines", m[2], l, lines)
		}
	}
	for _, k := range ingest.Kinds() {
		if !seen[string(k)] {
			t.Errorf("ingest did not load %s:\n%s", k, stdout)
		}
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestSimulateNeedsOut(t *testing.T) {
	if code, _, stderr := runCmd(t, nil, "simulate", "--staff", "60", "--days", "1"); code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("without --out: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, nil, "simulate", "--out", t.TempDir(), "--offenders", "0.9"); code != 2 || !strings.Contains(stderr, "--offenders") {
		t.Errorf("--offenders 0.9: exit %d, %q", code, stderr)
	}
}
