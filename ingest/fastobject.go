package ingest

import (
	"encoding/binary"
	"strconv"
	"time"
)

// scanObject checks that line is one JSON object and stores the span of the
// last value of each key that index knows in vals (a later duplicate wins, as
// in encoding/json). A syntax error is reported before an unknown key, and of
// several unknown keys the least is named, so that errors do not depend on
// the order of keys.
//
// The values of the key at listIdx (-1 for none) are scanned as a list of
// strings, whose elements are kept in d.elems for fastFields.list.
//
// order holds the known keys, quoted, by index, in the order AppendJSON
// writes them: a key that is byte for byte the one expected next (or the one
// after, which skips an optional key) is taken without scanning it as a
// string and looking it up. Since a quoted key holds no backslash, such a
// match is exactly that key.
func (d *Decoder) scanObject(line []byte, index func([]byte) int, order []keyPattern, listIdx int, vals []span) error {
	s := &d.sc
	s.reset(line)
	d.elemsAt = -1
	s.ws()
	if s.i >= len(line) || line[s.i] != '{' {
		if _, ok := s.value(0); ok {
			if s.ws(); s.i == len(line) {
				return invalid(reasonNotObject)
			}
			return syntaxError("", s.i, "unexpected text after the value")
		}
		return syntaxError("", s.errPos, s.what())
	}
	s.i++
	s.ws()
	unknown, hasUnknown := "", false
	next := 0 // the index of the key expected next
	if s.i < len(line) && line[s.i] == '}' {
		s.i++
	} else {
		for {
			if s.i >= len(line) || line[s.i] != '"' {
				s.failAt(s.i, "expected a key")
				return syntaxError("", s.errPos, s.what())
			}
			var key []byte
			idx := -1
			for k := next; k < next+2 && k < len(order); k++ {
				if n := order[k].match(line, s.i); n > 0 {
					idx, key = k, line[s.i+1:s.i+n-1]
					s.i += n
					break
				}
			}
			if key == nil {
				ks, ok := s.str()
				if !ok {
					return syntaxError("", s.errPos, s.what())
				}
				key = line[ks.start:ks.end]
				if ks.esc {
					d.scratch = appendUnescaped(d.scratch[:0], key)
					key = d.scratch
				}
				idx = index(key)
			}
			if idx >= 0 {
				next = idx + 1
			}
			s.ws()
			if s.i >= len(line) || line[s.i] != ':' {
				s.failAt(s.i, "expected ':'")
				return syntaxError(string(key), s.errPos, s.what())
			}
			s.i++
			s.ws()
			var v span
			var ok bool
			if idx == listIdx && idx >= 0 && s.i < len(line) && line[s.i] == '[' {
				v, ok = d.stringList()
			} else {
				v, ok = s.value(1)
			}
			if !ok {
				return syntaxError(string(key), s.errPos, s.what())
			}
			if idx >= 0 {
				vals[idx] = v
			} else if k := string(key); !hasUnknown || k < unknown {
				unknown, hasUnknown = k, true
			}
			s.ws()
			if s.i < len(line) && line[s.i] == ',' {
				s.i++
				s.ws()
				continue
			}
			if s.i < len(line) && line[s.i] == '}' {
				s.i++
				break
			}
			s.failAt(s.i, "expected ',' or '}'")
			return syntaxError("", s.errPos, s.what())
		}
	}
	if s.ws(); s.i != len(line) {
		return syntaxError("", s.i, "unexpected text after the object")
	}
	if hasUnknown {
		return unknownKey(unknown)
	}
	return nil
}

// keyPattern is a quoted key held as the words scanObject compares a line's
// bytes with.
type keyPattern struct {
	quoted   string
	lo, hi   uint64 // the first 8 bytes and the last 8 (keys of 9 to 16 bytes)
	loMask   uint64 // the bytes of lo that belong to the key (keys under 8 bytes)
	wordwise bool   // the key is at most 16 bytes
}

// keyPatterns returns the patterns of quoted keys.
func keyPatterns(quoted []string) []keyPattern {
	out := make([]keyPattern, len(quoted))
	for i, q := range quoted {
		p := keyPattern{quoted: q, wordwise: len(q) <= 16}
		var buf [16]byte
		copy(buf[:], q)
		p.lo = binary.LittleEndian.Uint64(buf[:])
		p.loMask = ^uint64(0)
		if len(q) < 8 {
			p.loMask = 1<<(8*len(q)) - 1
		}
		if len(q) > 8 && len(q) <= 16 {
			p.hi = binary.LittleEndian.Uint64([]byte(q[len(q)-8:]))
		}
		out[i] = p
	}
	return out
}

// match returns the length of the quoted key when line holds it at i, else
// 0.
func (p *keyPattern) match(line []byte, i int) int {
	n := len(p.quoted)
	if !p.wordwise || len(line)-i < 16 {
		if len(line)-i >= n && string(line[i:i+n]) == p.quoted {
			return n
		}
		return 0
	}
	if binary.LittleEndian.Uint64(line[i:])&p.loMask != p.lo {
		return 0
	}
	if n > 8 && binary.LittleEndian.Uint64(line[i+n-8:]) != p.hi {
		return 0
	}
	return n
}

// stringList scans an array at d.sc.i whose elements are all strings,
// keeping their spans in d.elems. Any other array is left to the generic
// scanner, so that errors are the same either way.
func (d *Decoder) stringList() (span, bool) {
	s := &d.sc
	start := s.i
	d.elems = d.elems[:0]
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		d.elemsAt = start
		return span{kind: valArray, start: start, end: s.i}, true
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			s.i = start
			return s.value(1)
		}
		e, ok := s.str()
		if !ok {
			return span{}, false
		}
		d.elems = append(d.elems, e)
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			d.elemsAt = start
			return span{kind: valArray, start: start, end: s.i}, true
		}
		return s.failAt(s.i, "expected ',' or a closing bracket")
	}
}

func (s *scanner) what() string {
	if s.err == "" {
		return "unexpected end of line"
	}
	return s.err
}

// fastFields converts the values scanObject found. It keeps the first error
// and then does nothing, so a decoder can convert every field in order and
// check once.
type fastFields struct {
	d    *Decoder
	line []byte
	str  string // the whole line as one string: unescaped values are substrings of it
	err  error
}

func (f *fastFields) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// string returns a string value; null and absence give "".
func (f *fastFields) string(key string, v span) string {
	if f.err != nil {
		return ""
	}
	switch v.kind {
	case valAbsent, valNull:
		return ""
	case valString:
		if !v.esc {
			return f.str[v.start:v.end]
		}
		f.d.scratch = appendUnescaped(f.d.scratch[:0], f.line[v.start:v.end])
		return string(f.d.scratch)
	}
	f.fail(typeError(key, "a string"))
	return ""
}

// time returns a timestamp; null, absence and "" give the zero time.
func (f *fastFields) time(key string, v span) time.Time {
	s := f.string(key, v)
	if f.err != nil || s == "" {
		return time.Time{}
	}
	t, err := parseTime(key, s)
	if err != nil {
		f.fail(err)
	}
	return t
}

// list returns an array of strings, appended to dst; a null element is "".
// null, absence and an empty array give nil.
func (f *fastFields) list(key string, v span, dst []string) []string {
	if f.err != nil {
		return nil
	}
	switch v.kind {
	case valAbsent, valNull:
		return nil
	case valArray:
	default:
		f.fail(typeError(key, "a list of strings"))
		return nil
	}
	if f.d.elemsAt == v.start {
		for _, e := range f.d.elems {
			dst = append(dst, f.string(key, e))
		}
		if len(dst) == 0 {
			return nil
		}
		return dst
	}
	s := scanner{b: f.line[:v.end], i: v.start + 1}
	for {
		s.ws()
		if s.b[s.i] == ']' {
			break
		}
		e, _ := s.value(2) // already checked by scanObject
		switch e.kind {
		case valNull:
			dst = append(dst, "")
		case valString:
			dst = append(dst, f.string(key, e))
		default:
			f.fail(typeError(key, "a list of strings"))
			return nil
		}
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
	if len(dst) == 0 {
		return nil
	}
	return dst
}

// int returns a whole number; null and absence give 0. A number with a
// fraction or exponent is a type error; one beyond int64 is reported as out
// of range is reported by outOfRange.
func (f *fastFields) int(key string, v span, outOfRange func() error) int64 {
	if f.err != nil {
		return 0
	}
	switch v.kind {
	case valAbsent, valNull:
		return 0
	case valNumber:
	default:
		f.fail(typeError(key, "a whole number"))
		return 0
	}
	b := f.line[v.start:v.end]
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			f.fail(typeError(key, "a whole number"))
			return 0
		}
	}
	if len(b) > 18 { // may not fit: let strconv decide, as the reference does
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			f.fail(outOfRange())
		}
		return n
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n
}
