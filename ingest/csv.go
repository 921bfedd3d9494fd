package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"lantern"
)

// CSVReader reads a CSV export through a Profile and returns Records, exactly
// as a Decoder would return them for the equivalent JSON lines. It shares the
// LineReader's handling of gzip, byte order marks, line endings, blank lines
// and over-long lines. It is not safe for concurrent use.
type CSVReader struct {
	lr      *LineReader
	p       *Profile
	dec     *Decoder
	split   csvSplitter
	started bool
	ncols   int   // the number of columns every row must have
	index   []int // 0-based column of each of p.columns
	err     error // final error, returned by every call
	out     []byte
	raw     []byte // the text of the last row, for Raw
}

// Raw returns the text of the row last read (its lines joined by "\n"), for
// keeping a rejected row in quarantine; at most lantern.MaxRejectedRaw bytes.
// It is valid until the next call to Next and may hold personal data.
func (c *CSVReader) Raw() []byte { return c.raw }

// appendRaw appends as much of line as the quarantine keeps.
func appendRaw(dst, line []byte) []byte {
	return append(dst, line[:min(len(line), max(lantern.MaxRejectedRaw-len(dst), 0))]...)
}

// NewCSVReader returns a reader of r's rows as records of p's kind. phones
// hashes clear telephone numbers and may be nil when the export has none. It
// returns NewLineReader's errors.
func NewCSVReader(r io.Reader, p *Profile, phones *PhoneHasher) (*CSVReader, error) {
	lr, err := NewLineReader(r)
	if err != nil {
		return nil, err
	}
	c := &CSVReader{lr: lr, p: p, dec: NewDecoder(p.kind, phones)}
	c.split.delim = p.delimiter
	return c, nil
}

// Next returns the next row's Record and the number of the line it starts on.
// A header row is read first when the profile says there is one. A row that
// cannot be used (wrong number of columns, a bad value, an over-long line) is
// a *LineError whose Err is an EINVALID *lantern.Error naming the field, and
// Next can be called again for the following row. At the end Next returns
// io.EOF. Any other error, such as a header without a column the profile
// names, is final and returned again by every later call.
func (c *CSVReader) Next() (*Record, int, error) {
	for {
		if c.err != nil {
			return nil, c.lr.line, c.err
		}
		fields, lineNo, err := c.readRow()
		var lineErr *LineError
		if errors.As(err, &lineErr) {
			return nil, lineNo, err
		}
		if err != nil {
			c.err = err
			return nil, lineNo, err
		}
		if !c.started {
			c.started = true
			if err := c.layout(fields, lineNo); err != nil {
				c.err = err
				return nil, lineNo, err
			}
			if c.p.header {
				continue
			}
		}
		if len(fields) != c.ncols {
			return nil, lineNo, &LineError{Line: lineNo, Err: invalid("expected %d columns, got %d", c.ncols, len(fields))}
		}
		rec, err := c.convert(fields)
		if err != nil {
			return nil, lineNo, &LineError{Line: lineNo, Err: err}
		}
		return rec, lineNo, nil
	}
}

// readRow returns the fields of the next row, which may span several lines.
func (c *CSVReader) readRow() ([]string, int, error) {
	line, lineNo, err := c.lr.Next()
	c.raw = appendRaw(c.raw[:0], c.lr.Raw())
	if err != nil {
		return nil, lineNo, err
	}
	c.split.reset()
	size := len(line)
	for !c.split.feed(line) {
		line, _, err = c.lr.nextRaw()
		lineErr := errors.As(err, new(*LineError))
		switch {
		case err == io.EOF:
			return nil, lineNo, &LineError{Line: lineNo, Err: invalid("a quoted field is not closed before the end of the input")}
		case err != nil && !lineErr:
			return nil, lineNo, err
		case lineErr:
			c.split.drop = true
		}
		if len(c.raw) < lantern.MaxRejectedRaw {
			c.raw = appendRaw(append(c.raw, '\n'), c.lr.Raw())
		}
		size += len(line) + 1
		if size > MaxLineBytes {
			c.split.drop = true
		}
	}
	switch {
	case c.split.drop:
		return nil, lineNo, &LineError{Line: lineNo, Err: invalid("row is longer than 1 MiB")}
	case c.split.err != "":
		return nil, lineNo, &LineError{Line: lineNo, Err: invalid("%s", c.split.err)}
	}
	return c.split.fields, lineNo, nil
}

// layout fixes the number of columns from the first row and finds each
// mapped column: by name in the header, or by position.
func (c *CSVReader) layout(first []string, lineNo int) error {
	c.ncols = len(first)
	c.index = make([]int, len(c.p.columns))
	for i, col := range c.p.columns {
		if col.index > 0 {
			if col.index > c.ncols {
				return invalid("line %d: %s is column %d, but the file has %d columns", lineNo, col.field, col.index, c.ncols)
			}
			c.index[i] = col.index - 1
			continue
		}
		found := -1
		for j, h := range first {
			if strings.Trim(h, " \t") != col.name {
				continue
			}
			if found >= 0 {
				return invalid("line %d: the header has column %s twice", lineNo, echo(col.name))
			}
			found = j
		}
		if found < 0 {
			return invalid("line %d: the header has no column %s (for %s)", lineNo, echo(col.name), col.field)
		}
		c.index[i] = found
	}
	return nil
}

// cell returns the text of field name in a row: its column's text, trimmed
// of spaces and tabs and mapped through the profile's values, or its
// constant. ok is false when the profile gives the field neither.
func (c *CSVReader) cell(fields []string, name string) (string, bool) {
	for i, col := range c.p.columns {
		if col.field == name {
			return strings.Trim(fields[c.index[i]], " \t"), true
		}
	}
	v, ok := c.p.constants[name]
	return v, ok
}

// mapValue applies the profile's values map for field to v.
func (c *CSVReader) mapValue(field, v string) string {
	if to, ok := c.p.values[field][v]; ok {
		return to
	}
	return v
}

// convert turns a row into the kind's JSON object, hashing clear numbers on
// the way, and decodes that, so that CSV and JSON input meet exactly the same
// rules.
func (c *CSVReader) convert(fields []string) (*Record, error) {
	w := objWriter{b: c.out[:0]}
	var hashes []string // hashes of clear numbers, for number_hash or phone_hashes
	for _, f := range fieldsOf(c.p.kind) {
		raw, ok := c.cell(fields, f.name)
		if !ok {
			continue
		}
		if _, constant := c.p.constants[f.name]; !constant && f.typ == typeString {
			raw = c.mapValue(f.name, raw)
		}
		switch f.typ {
		case typeString:
			if f.name == "number_hash" || f.name == "phone_hashes" {
				break
			}
			w.optStr(f.name, raw)
		case typeTime, typeDate:
			if raw == "" {
				continue
			}
			t, err := c.p.parseTime(f, raw)
			if err != nil {
				return nil, err
			}
			w.time(f.name, t)
		case typeInt:
			if raw == "" {
				continue
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return nil, lantern.FieldErrorf(f.name, "%s must be a whole number", f.name)
			}
			w.int(f.name, n)
		case typeList:
			if f.name != "phone_hashes" {
				w.list(f.name, c.list(f.name, raw))
			}
		case typePhone:
			if raw == "" {
				continue
			}
			h, err := c.dec.hashNumber(f.name, f.name, raw)
			if err != nil {
				return nil, err
			}
			hashes = append(hashes, h)
		case typePhoneList:
			for i, ph := range c.list(f.name, raw) {
				h, err := c.dec.hashNumber(f.name, fmt.Sprintf("%s[%d]", f.name, i), ph)
				if err != nil {
					return nil, err
				}
				hashes = append(hashes, h)
			}
		}
	}
	if err := c.writeHashes(&w, fields, hashes); err != nil {
		return nil, err
	}
	c.out = w.end()
	return c.dec.Decode(c.out)
}

// writeHashes writes number_hash or phone_hashes: the hashes of clear numbers
// together with any hashes the row already carries.
func (c *CSVReader) writeHashes(w *objWriter, fields []string, hashes []string) error {
	switch c.p.kind {
	case KindComms:
		given, _ := c.cell(fields, "number_hash")
		switch {
		case given != "" && len(hashes) > 0:
			return lantern.FieldErrorf("number", "give number or number_hash, not both")
		case given != "":
			w.str("number_hash", given)
		case len(hashes) > 0:
			w.str("number_hash", hashes[0])
		}
	case KindPerson:
		given, _ := c.cell(fields, "phone_hashes")
		w.list("phone_hashes", append(c.list("phone_hashes", given), hashes...))
	}
	return nil
}

// list splits a list cell on the profile's separator, trims each item, maps
// it through the profile's values and drops empty items.
func (c *CSVReader) list(field, raw string) []string {
	var out []string
	for _, item := range strings.Split(raw, c.p.listSep) {
		if item = strings.Trim(item, " \t"); item != "" {
			out = append(out, c.mapValue(field, item))
		}
	}
	return out
}
