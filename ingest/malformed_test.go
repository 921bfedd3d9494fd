package ingest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"lantern"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/malformed")

// outcome formats one line's result for the golden files.
func outcome(n int, r *Record, err error) string {
	if err != nil {
		return fmt.Sprintf("%d error %s: %s", n, lantern.ErrorField(err), lantern.ErrorMessage(err))
	}
	return fmt.Sprintf("%d ok %s %s", n, r.ID, r.Time.Format(time.RFC3339Nano))
}

// checkGolden compares got with testdata/malformed/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []string) {
	t.Helper()
	path := "testdata/malformed/" + name
	text := strings.Join(got, "\n") + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != text {
		t.Fatalf("results differ from %s (run with -update to accept):\n%s", path, text)
	}
}

// TestMalformedJSONLines reads a file that mixes good lines with every kind
// of bad one, followed by a generated 10 MB line, and checks that each bad
// line is reported with its number, field and reason and each good line is
// decoded.
func TestMalformedJSONLines(t *testing.T) {
	f := openTestdata(t, "malformed/access.jsonl")
	tail := "\n" + strings.Repeat(" ", 3) + "\n"
	huge := &repeatReader{c: 'x', n: 10 << 20, rest: strings.NewReader(`"}` + "\n" +
		`{"id":"a-24","time":"2024-03-01T09:24:00Z","staff_id":"S1001","system":"rms","action":"view","person_id":"P77"}` + "\n")}
	in := io.MultiReader(f, strings.NewReader(tail+`{"id":"a-23","query":"`), huge)
	lr, err := NewLineReader(in)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(KindAccess, nil)
	var got []string
	for {
		line, n, err := lr.Next()
		if err == io.EOF {
			break
		}
		var r *Record
		var le *LineError
		switch {
		case errors.As(err, &le):
		case err != nil:
			t.Fatal(err)
		default:
			r, err = d.Decode(line)
		}
		got = append(got, outcome(n, r, err))
	}
	checkGolden(t, "access.want", got)
	if last := got[len(got)-1]; !strings.HasPrefix(last, "24 ok a-24") || got[len(got)-2] != "23 error : line is longer than 1 MiB" {
		t.Fatalf("the 10 MB line was not skipped cleanly: %q", got[len(got)-2:])
	}
}

// TestMalformedCSV reads a CSV export with wrong column counts and bad values
// among good rows.
func TestMalformedCSV(t *testing.T) {
	c, err := NewCSVReader(openTestdata(t, "malformed/rms-audit.csv"), builtin(t, "rms-audit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		r, n, err := c.Next()
		if err == io.EOF {
			break
		}
		var le *LineError
		if err != nil && !errors.As(err, &le) {
			t.Fatal(err)
		}
		got = append(got, outcome(n, r, err))
	}
	checkGolden(t, "rms-audit.want", got)
}
