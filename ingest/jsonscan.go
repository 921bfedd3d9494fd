package ingest

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// Kinds of JSON value the scanner reports.
const (
	valAbsent uint8 = iota // the key was not in the line
	valNull
	valString
	valNumber
	valTrue
	valFalse
	valArray
	valObject
)

// span locates one JSON value in a line. For a string it is the text between
// the quotes, and esc says whether that text has escapes to decode; for any
// other value it is the whole value.
type span struct {
	kind       uint8
	esc        bool
	start, end int
}

// maxDepth is encoding/json's nesting limit, kept so that the scanner and
// encoding/json accept exactly the same lines.
const maxDepth = 10000

// scanner checks JSON syntax and locates values without allocating. On
// failure it records what went wrong and where in err and errPos.
type scanner struct {
	b      []byte
	i      int
	err    string
	errPos int
}

func (s *scanner) reset(b []byte) {
	*s = scanner{b: b}
}

func (s *scanner) fail(pos int, what string) (span, bool) {
	s.err, s.errPos = what, pos
	return span{}, false
}

// failEnd reports the line ending early, or what at pos.
func (s *scanner) failAt(pos int, what string) (span, bool) {
	if pos >= len(s.b) {
		return s.fail(len(s.b), "unexpected end of line")
	}
	return s.fail(pos, what)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans the value at s.i, nested depth levels deep (the line's object
// is level 1).
func (s *scanner) value(depth int) (span, bool) {
	if s.i >= len(s.b) {
		return s.failAt(s.i, "")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true", valTrue)
	case c == 'f':
		return s.literal("false", valFalse)
	case c == 'n':
		return s.literal("null", valNull)
	case c == '[' || c == '{':
		return s.composite(depth + 1)
	}
	return s.fail(s.i, "unexpected character")
}

// str scans a string; s.b[s.i] is its opening quote. Plain text is skipped
// eight bytes at a time.
func (s *scanner) str() (span, bool) {
	b := s.b
	start := s.i + 1
	esc := false
	i := start
	for {
		for i+8 <= len(b) {
			if m := special8(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && b[i] >= 0x20 && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return s.failAt(i, "")
		}
		switch b[i] {
		case '"':
			s.i = i + 1
			return span{kind: valString, esc: esc, start: start, end: i}, true
		case '\\':
			esc = true
			if i+1 >= len(b) {
				return s.failAt(i+1, "")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) {
						return s.failAt(k, "")
					}
					if hexValue(b[k]) < 0 {
						return s.fail(k, `invalid \u escape`)
					}
				}
				i += 6
			default:
				return s.fail(i+1, "invalid escape")
			}
		default:
			return s.fail(i, "control character in a string")
		}
	}
}

// number scans a number with JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() (span, bool) {
	b := s.b
	start, i := s.i, s.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return s.failAt(i, "")
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return s.fail(i, "invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return s.failAt(i, "invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return s.failAt(i, "invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	s.i = i
	return span{kind: valNumber, start: start, end: i}, true
}

func (s *scanner) literal(word string, kind uint8) (span, bool) {
	start := s.i
	for k := 0; k < len(word); k++ {
		if start+k >= len(s.b) || s.b[start+k] != word[k] {
			return s.failAt(start+k, "unexpected character")
		}
	}
	s.i = start + len(word)
	return span{kind: kind, start: start, end: s.i}, true
}

// composite scans an array or object at the given nesting level.
func (s *scanner) composite(depth int) (span, bool) {
	if depth > maxDepth {
		return s.fail(s.i, "nesting too deep")
	}
	start := s.i
	open := s.b[s.i]
	kind, closer := valArray, byte(']')
	if open == '{' {
		kind, closer = valObject, '}'
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == closer {
		s.i++
		return span{kind: kind, start: start, end: s.i}, true
	}
	for {
		if open == '{' {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return s.failAt(s.i, "expected a key")
			}
			if _, ok := s.str(); !ok {
				return span{}, false
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return s.failAt(s.i, "expected ':'")
			}
			s.i++
			s.ws()
		}
		if _, ok := s.value(depth); !ok {
			return span{}, false
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.failAt(s.i, "")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case closer:
			s.i++
			return span{kind: kind, start: start, end: s.i}, true
		default:
			return s.fail(s.i, "expected ',' or a closing bracket")
		}
	}
}

func hexValue(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// hex4 decodes the four hex digits after a "\u" at b[i:], or returns -1.
func hex4(b []byte, i int) rune {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		v := hexValue(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}

// appendUnescaped appends the decoded text of a scanned string's contents.
// Like encoding/json, it replaces an unpaired surrogate with U+FFFD.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch src[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(src, i)
			i += 6
			if utf16.IsSurrogate(r) {
				if r2 := hex4(src, i); r2 >= 0 {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						dst = utf8.AppendRune(dst, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, src[i+1])
		}
		i += 2
	}
	return dst
}

// SWAR constants: a byte of ones and of high bits in every lane.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// special8 returns a mask with the high bit set in the lane of the first
// byte of x (little-endian) that is a quote, a backslash or a control
// character, and possibly in later lanes; 0 when there is none. Each test is
// the classic "has a zero byte" trick, which is exact up to the first match.
func special8(x uint64) uint64 {
	quote := x ^ (lanes01 * '"')
	backslash := x ^ (lanes01 * '\\')
	found := (quote - lanes01) &^ quote
	found |= (backslash - lanes01) &^ backslash
	found |= (x - lanes01*0x20) &^ x
	return found & lanes80
}
