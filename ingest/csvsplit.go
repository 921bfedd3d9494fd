package ingest

// States of the CSV splitter.
const (
	csvFieldStart = iota // at the start of a field
	csvUnquoted          // inside a field that did not start with a quote
	csvQuoted            // inside a quoted field
	csvQuoteSeen         // just after a quote inside a quoted field
)

// csvSplitter splits CSV rows into fields following RFC 4180: a field that
// starts with a quote runs to the matching quote, may hold the delimiter and
// line breaks, and writes a quote as two; a quote inside a field that did not
// start with one is kept as it is. It is fed one physical line at a time, so
// a row spread over several lines is read in one pass.
type csvSplitter struct {
	delim  byte
	fields []string
	buf    []byte
	state  int
	err    string // why the row cannot be read, or ""
	drop   bool   // the row is too long: stop keeping its text
}

func (s *csvSplitter) reset() {
	s.fields = s.fields[:0]
	s.buf = s.buf[:0]
	s.state = csvFieldStart
	s.err = ""
	s.drop = false
}

func (s *csvSplitter) add(c byte) {
	if !s.drop {
		s.buf = append(s.buf, c)
	}
}

func (s *csvSplitter) endField() {
	if !s.drop {
		s.fields = append(s.fields, string(s.buf))
	}
	s.buf = s.buf[:0]
}

// feed reads one physical line and reports whether the row is complete; when
// it is not, a quoted field goes on to the next line.
func (s *csvSplitter) feed(line []byte) bool {
	for _, c := range line {
		switch s.state {
		case csvFieldStart:
			if c == '"' {
				s.state = csvQuoted
				continue
			}
			s.state = csvUnquoted
			if c == s.delim {
				s.endField()
				s.state = csvFieldStart
				continue
			}
			s.add(c)
		case csvUnquoted:
			if c == s.delim {
				s.endField()
				s.state = csvFieldStart
				continue
			}
			s.add(c)
		case csvQuoted:
			if c == '"' {
				s.state = csvQuoteSeen
				continue
			}
			s.add(c)
		case csvQuoteSeen:
			switch c {
			case '"':
				s.add('"')
				s.state = csvQuoted
			case s.delim:
				s.endField()
				s.state = csvFieldStart
			default:
				s.err = "a quoted field has text after its closing quote"
				return true
			}
		}
	}
	if s.state == csvQuoted {
		s.add('\n')
		return false
	}
	s.endField()
	return true
}
