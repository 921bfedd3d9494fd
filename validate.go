package lantern

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxIDLen is the longest identifier Lantern accepts for staff, people,
// incidents and events. Force systems use short references; anything longer is
// almost certainly a mapping mistake.
const MaxIDLen = 128

// ValidateID reports whether id is a usable identifier: non-empty, valid UTF-8,
// at most MaxIDLen bytes, and free of control characters and spaces at either
// end. It returns an EINVALID *Error naming field.
func ValidateID(field, id string) error {
	switch {
	case id == "":
		return FieldErrorf(field, "%s is required", field)
	case len(id) > MaxIDLen:
		return FieldErrorf(field, "%s is longer than %d bytes", field, MaxIDLen)
	case id[0] == ' ' || id[len(id)-1] == ' ':
		return FieldErrorf(field, "%s has leading or trailing spaces", field)
	}
	// One pass, fast for ASCII: this runs several times for every event.
	for i := 0; i < len(id); {
		c := id[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return FieldErrorf(field, "%s contains a control character", field)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(id[i:])
		if r == utf8.RuneError && n == 1 {
			return FieldErrorf(field, "%s is not valid UTF-8", field)
		}
		i += n
	}
	return nil
}

// ValidateToken reports whether s is a lower-case code such as a role or an
// incident type: 1 to 64 characters from a-z, 0-9, '_' and '-', starting with a
// letter. It returns an EINVALID *Error naming field.
func ValidateToken(field, s string) error {
	if s == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	if len(s) > 64 {
		return FieldErrorf(field, "%s is longer than 64 characters", field)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '-')
		if !ok {
			return FieldErrorf(field, "%s %q must be lower-case letters, digits, '_' or '-', starting with a letter", field, s)
		}
	}
	return nil
}

// ValidateOneOf reports whether s is one of allowed.
func ValidateOneOf(field, s string, allowed ...string) error {
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	if s == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	// Only the error path copies allowed, so that callers' argument lists
	// stay on the stack.
	if len(s) > 64 {
		return FieldErrorf(field, "%s is not one of %s", field, strings.Join(slices.Clone(allowed), ", "))
	}
	return FieldErrorf(field, "%s %q is not one of %s", field, s, strings.Join(slices.Clone(allowed), ", "))
}

// earliest and latest bound the instants Lantern accepts. Nothing in a force's
// records predates 1900, and a time far in the future is a parsing mistake.
var (
	earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ValidateTime reports whether t is set and within a plausible range.
func ValidateTime(field string, t time.Time) error {
	if t.IsZero() {
		return FieldErrorf(field, "%s is required", field)
	}
	if t.Before(earliest) || !t.Before(latest) {
		return FieldErrorf(field, "%s %s is outside 1900-2199", field, t.UTC().Format(time.RFC3339))
	}
	return nil
}
