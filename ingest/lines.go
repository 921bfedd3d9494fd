package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"lantern"
)

// MaxLineBytes is the longest line (without its line ending) a LineReader
// yields. Longer lines are reported and skipped without being held in memory.
const MaxLineBytes = 1 << 20

// readBufferBytes is the size of a LineReader's read buffer.
const readBufferBytes = 64 << 10

var (
	gzipMagic = []byte{0x1f, 0x8b}
	utf8BOM   = []byte{0xef, 0xbb, 0xbf}
)

// LineReader splits an input into lines. It decompresses gzip input
// transparently, drops a UTF-8 byte order mark at the start, accepts "\n" and
// "\r\n" line endings and a last line without one, and uses memory bounded by
// MaxLineBytes whatever the input. It is not safe for concurrent use.
type LineReader struct {
	br   *bufio.Reader
	buf  []byte
	raw  []byte // the last line, or the start of an over-long one
	line int    // number of the last line read
	err  error  // sticky: io.EOF or a read error
}

// NewLineReader returns a LineReader over r. It reads the first bytes to
// detect gzip (by its magic number) and returns an EINVALID *lantern.Error if
// the input starts like gzip but has no valid gzip header, or the read error.
func NewLineReader(r io.Reader) (*LineReader, error) {
	br := bufio.NewReaderSize(r, readBufferBytes)
	magic, err := br.Peek(len(gzipMagic))
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read input: %w", err)
	}
	if bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, lantern.Errorf(lantern.EINVALID, "input starts like gzip but is not: %v", err)
		}
		br = bufio.NewReaderSize(zr, readBufferBytes)
	}
	if bom, _ := br.Peek(len(utf8BOM)); bytes.Equal(bom, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
	}
	return &LineReader{br: br}, nil
}

// Next returns the next line that is not blank (blank lines, empty or only
// spaces and tabs, are skipped but counted) and its 1-based line number. The
// line is valid until the next call. A line longer than MaxLineBytes is a
// *LineError with reason "line is longer than 1 MiB", after which Next goes on
// with the following line. At the end of the input Next returns io.EOF; any
// other error (a failed read, corrupt gzip) is final and returned again by
// every later call.
func (r *LineReader) Next() (line []byte, lineNo int, err error) {
	for {
		line, lineNo, err = r.nextRaw()
		if err != nil || !blank(line) {
			return line, lineNo, err
		}
	}
}

// nextRaw is Next without skipping blank lines.
func (r *LineReader) nextRaw() ([]byte, int, error) {
	r.raw = nil
	if r.err != nil {
		return nil, r.line, r.err
	}
	r.buf = r.buf[:0]
	tooLong, got := false, false
	for {
		frag, err := r.br.ReadSlice('\n')
		got = got || len(frag) > 0
		if !tooLong {
			// Room for the line ending, which is stripped below.
			if len(r.buf)+len(frag) > MaxLineBytes+2 {
				// Keep only the start, for Raw.
				tooLong = true
				if len(r.buf) > lantern.MaxRejectedRaw {
					r.buf = r.buf[:lantern.MaxRejectedRaw]
				} else {
					r.buf = append(r.buf, frag[:min(len(frag), lantern.MaxRejectedRaw-len(r.buf))]...)
				}
			} else {
				r.buf = append(r.buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if !got {
				r.err = io.EOF
				return nil, r.line, io.EOF
			}
			break
		}
		if err != nil {
			r.err = fmt.Errorf("read line %d: %w", r.line+1, err)
			return nil, r.line, r.err
		}
		break
	}
	r.line++
	line := r.buf
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	r.raw = line
	if tooLong || len(line) > MaxLineBytes {
		if len(line) > lantern.MaxRejectedRaw {
			r.raw = line[:lantern.MaxRejectedRaw]
		}
		return nil, r.line, &LineError{Line: r.line, Err: invalid(reasonTooLong)}
	}
	return line, r.line, nil
}

// Raw returns the text of the line last read, without its line ending, for
// keeping a rejected line in quarantine: the whole line, or for a line longer
// than MaxLineBytes its first lantern.MaxRejectedRaw bytes. It is valid until
// the next call to Next and may hold personal data.
func (r *LineReader) Raw() []byte { return r.raw }

// blank reports whether line holds only spaces and tabs.
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
