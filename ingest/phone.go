package ingest

import "lantern"

// maxPhoneInput bounds the text NormalizePhone looks at; anything longer is
// not a telephone number.
const maxPhoneInput = 64

// NormalizePhone returns the E.164 form ("+447700900123") of a telephone
// number as forces and providers write it:
//
//   - UK national numbers with a leading 0: "07700 900123", "(020) 7946 0000";
//   - international numbers with "+" or "00": "+44 (0)7700-900123",
//     "0044 7700 900123", "+1 202 555 0100". The "(0)" trunk prefix written
//     after a country code is dropped, and so is a 0 written straight after
//     +44, as in "+44 07700 900123";
//   - twelve digits starting 44 with no prefix, as UK call-detail records
//     write them: "447700900123".
//
// Spaces, tabs, '-', '.', '/' and brackets are ignored. A UK number must have
// 7 to 10 digits after the country code, the first of them not 0; any number 8 to 15 digits in all, and
// a country code that does not start with 0. Letters, other characters, an
// empty string and numbers of the wrong length are an EINVALID *lantern.Error
// with Field "phone" whose message never repeats the number.
func NormalizePhone(s string) (string, error) {
	var buf [maxPhoneInput + 1]byte
	out, reason := normalizePhone(buf[:0], s)
	if reason != "" {
		return "", lantern.FieldErrorf("phone", "phone number %s", reason)
	}
	return string(out), nil
}

// normalizePhone appends the E.164 form of s to dst, or returns a reason (to
// follow "<field> ") why s is not a telephone number. It does not allocate
// when dst has room for 16 bytes.
func normalizePhone(dst []byte, s string) ([]byte, string) {
	if len(s) > maxPhoneInput {
		return dst, "is too long"
	}
	var d [maxPhoneInput]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d[n] = c
			n++
		case c == '+':
			if plus || n > 0 {
				return dst, "has a '+' that is not at the start"
			}
			plus = true
		case c == '(' && plus && n > 0 && i+2 < len(s) && s[i+1] == '0' && s[i+2] == ')':
			i += 2 // "(0)": the national trunk prefix, not dialled from abroad
		case c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			return dst, "contains letters"
		default:
			return dst, "contains a character that is not a digit, space, '+', '-', '.', '/' or bracket"
		}
	}
	if n == 0 {
		return dst, "is empty"
	}
	digits := d[:n]
	var intl []byte // country code and subscriber number
	var uk [maxPhoneInput + 1]byte
	switch {
	case plus:
		intl = digits
	case n > 2 && digits[0] == '0' && digits[1] == '0':
		intl = digits[2:]
	case digits[0] == '0':
		uk[0], uk[1] = '4', '4'
		intl = uk[:2+copy(uk[2:], digits[1:])]
	case n == 12 && digits[0] == '4' && digits[1] == '4':
		intl = digits
	default:
		return dst, "has no country code and no leading 0"
	}
	if len(intl) > 0 && intl[0] == '0' {
		return dst, "has a country code starting with 0"
	}
	if len(intl) > 2 && intl[0] == '4' && intl[1] == '4' {
		nsn := intl[2:]
		if len(nsn) > 0 && nsn[0] == '0' {
			nsn = nsn[1:]
		}
		switch {
		case len(nsn) > 0 && nsn[0] == '0':
			return dst, "is not a UK number: it has 0 twice after +44"
		case len(nsn) < 7:
			return dst, "is too short"
		case len(nsn) > 10:
			return dst, "is too long"
		}
		dst = append(dst, '+', '4', '4')
		return append(dst, nsn...), ""
	}
	switch {
	case len(intl) < 8:
		return dst, "is too short"
	case len(intl) > 15:
		return dst, "is too long"
	}
	dst = append(dst, '+')
	return append(dst, intl...), ""
}
