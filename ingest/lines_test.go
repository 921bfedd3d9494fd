package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// readAll reads every line, recording good lines as "N:text" and errors as
// "N!reason".
func readAll(t *testing.T, r io.Reader) []string {
	t.Helper()
	lr, err := NewLineReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		line, n, err := lr.Next()
		if err == io.EOF {
			return got
		}
		var le *LineError
		switch {
		case errors.As(err, &le):
			if le.Line != n {
				t.Fatalf("LineError.Line %d, lineNo %d", le.Line, n)
			}
			got = append(got, strconv.Itoa(n)+"!"+lantern.ErrorMessage(err))
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, strconv.Itoa(n)+":"+string(line))
		}
	}
}

func TestLineReader(t *testing.T) {
	in := "\xef\xbb\xbf{\"a\":1}\r\n\n   \nsecond\nthird\r\n\t\nlast without newline"
	want := []string{`1:{"a":1}`, "4:second", "5:third", "7:last without newline"}
	if got := readAll(t, strings.NewReader(in)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(in))
	zw.Close()
	if got := readAll(t, &gz); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("gzip: got %q, want %q", got, want)
	}
	if got := readAll(t, strings.NewReader("")); len(got) != 0 {
		t.Fatalf("empty input: %q", got)
	}
	if got := readAll(t, strings.NewReader("\x1f")); len(got) != 1 {
		t.Fatalf("one byte: %q", got)
	}
}

func TestLineReaderLongLines(t *testing.T) {
	exact := strings.Repeat("x", MaxLineBytes)
	in := "a\n" + exact + "\r\n" + exact + "y\n" + exact + "yz\nb\n" + exact + "yz"
	got := readAll(t, strings.NewReader(in))
	want := []string{"1:a", "2:" + exact, "3!" + reasonTooLong, "4!" + reasonTooLong, "5:b", "6!" + reasonTooLong}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: got %.20q, want %.20q", i, got[i], want[i])
		}
	}
}

// repeatReader yields n bytes of c and then rest, without holding them.
type repeatReader struct {
	c    byte
	n    int
	rest *strings.Reader
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return r.rest.Read(p)
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return k, nil
}

// TestLineReaderTenMegabyteLine checks that a 10 MB line is reported and
// skipped with bounded memory.
func TestLineReaderTenMegabyteLine(t *testing.T) {
	src := io.MultiReader(strings.NewReader("before\n"), &repeatReader{c: 'x', n: 10 << 20, rest: strings.NewReader("\nafter\n")})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := readAll(t, src)
	runtime.ReadMemStats(&after)
	want := []string{"1:before", "2!" + reasonTooLong, "3:after"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
	// The line buffer grows to hold at most MaxLineBytes: well under the
	// line's size in all, whatever the line's length.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6<<20 {
		t.Fatalf("allocated %d bytes for a 10 MB line", alloc)
	}
}

type failingReader struct{ after int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after == 0 {
		return 0, errors.New("disk on fire")
	}
	p[0] = 'a'
	if r.after%3 == 0 {
		p[0] = '\n'
	}
	r.after--
	return 1, nil
}

func TestLineReaderErrors(t *testing.T) {
	lr, err := NewLineReader(&failingReader{after: 7})
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for range 10 {
		if _, _, lastErr = lr.Next(); lastErr != nil && lastErr != io.EOF {
			break
		}
	}
	if lastErr == nil || !strings.Contains(lastErr.Error(), "disk on fire") {
		t.Fatalf("got %v", lastErr)
	}
	if _, _, again := lr.Next(); again != lastErr {
		t.Fatalf("error not sticky: %v", again)
	}
	if _, err := NewLineReader(strings.NewReader("\x1f\x8bnot gzip")); lantern.ErrorCode(err) != lantern.EINVALID {
		t.Fatalf("bad gzip header: %v", err)
	}
	// A gzip stream cut short is a final error, not a silent end.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("line\n"), 10000))
	zw.Close()
	lr, err = NewLineReader(bytes.NewReader(gz.Bytes()[:gz.Len()/2]))
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err := lr.Next()
		if err == io.EOF {
			t.Fatal("truncated gzip read as a clean end")
		}
		if err != nil {
			break
		}
	}
}

func TestLineErrorFormat(t *testing.T) {
	e := &LineError{Line: 12, Err: lantern.FieldErrorf("time", "time has no zone offset")}
	if e.Error() != "line 12: time: time has no zone offset" || lantern.ErrorField(e) != "time" || lantern.ErrorCode(e) != lantern.EINVALID {
		t.Fatalf("got %q", e.Error())
	}
	if e := (&LineError{Line: 3, Err: invalid(reasonTooLong)}); e.Error() != "line 3: "+reasonTooLong {
		t.Fatalf("got %q", e.Error())
	}
}

func TestLineReaderRaw(t *testing.T) {
	long := strings.Repeat("y", MaxLineBytes+10)
	lr, err := NewLineReader(strings.NewReader("one\r\n" + long + "\nthree"))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"one", long[:lantern.MaxRejectedRaw], "three", ""} {
		lr.Next()
		if got := string(lr.Raw()); got != want {
			t.Fatalf("line %d: Raw is %d bytes %.10q, want %d bytes", i+1, len(got), got, len(want))
		}
	}
}
