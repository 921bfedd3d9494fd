package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"lantern"
)

// Reasons for errors about a whole line rather than one field.
const (
	reasonNotUTF8   = "line is not valid UTF-8"
	reasonNotObject = "line is not a JSON object"
	reasonTooLong   = "line is longer than 1 MiB"
	reasonNoZone    = "has no zone offset"
)

// LineError reports that one line (or CSV row) of the input is unusable. A
// reader that returns it can go on to the next line. Err is a *lantern.Error
// with code EINVALID; its Field names the key at fault, if one is.
type LineError struct {
	Line int   // 1-based line number; for a CSV row, its first line
	Err  error // the reason
}

// Error formats the error as "line N: field: reason".
func (e *LineError) Error() string {
	var le *lantern.Error
	if errors.As(e.Err, &le) {
		if le.Field != "" {
			return fmt.Sprintf("line %d: %s: %s", e.Line, le.Field, le.Message)
		}
		return fmt.Sprintf("line %d: %s", e.Line, le.Message)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the reason, so that lantern.ErrorCode and errors.As see it.
func (e *LineError) Unwrap() error { return e.Err }

// invalid returns an EINVALID error about the line as a whole.
func invalid(format string, args ...any) *lantern.Error {
	return &lantern.Error{Code: lantern.EINVALID, Message: fmt.Sprintf(format, args...)}
}

// syntaxError reports malformed JSON at byte offset pos, naming the key whose
// value was being read when there is one.
func syntaxError(key string, pos int, what string) *lantern.Error {
	e := invalid("line is not valid JSON: %s at byte %d", what, pos+1)
	if key != "" {
		e.Field = safeField(key)
		e.Message = fmt.Sprintf("line is not valid JSON: %s in the value of %s at byte %d", what, echo(key), pos+1)
	}
	return e
}

// unknownKey reports a key the kind does not have: usually a mapping mistake.
func unknownKey(key string) *lantern.Error {
	e := lantern.FieldErrorf(safeField(key), "unknown key %s", echo(key))
	if key == "updated_at" {
		e.Message += `; the instant a record takes effect is "time"`
	}
	return e
}

// typeError reports a value of the wrong JSON type.
func typeError(key, want string) *lantern.Error {
	return lantern.FieldErrorf(key, "%s must be %s", key, want)
}

// maxEcho bounds how much of a value an error message repeats.
const maxEcho = 40

// echo quotes s for an error message: shortened to maxEcho bytes, and replaced
// by a placeholder when it has seven or more digits, because such a value may
// be a telephone number and messages reach logs.
func echo(s string) string {
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits >= 7 {
		return "(a value with 7 or more digits, not shown)"
	}
	if len(s) > maxEcho {
		cut := maxEcho
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// safeField returns key for use as an error's Field, or "" when the key is too
// long or digit-laden to repeat.
func safeField(key string) string {
	if len(key) > 64 || strings.HasPrefix(echo(key), "(") {
		return ""
	}
	return key
}

// sanitize rewrites the quoted values in a validation error's message through
// echo, so that errors from the domain's Validate methods follow the same
// rules as this package's own.
func sanitize(err error) error {
	if err == nil {
		return nil
	}
	var e *lantern.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, `"`) {
		return err
	}
	var b strings.Builder
	msg := e.Message
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			b.WriteString(msg)
			break
		}
		b.WriteString(msg[:i])
		q, qerr := strconv.QuotedPrefix(msg[i:])
		if qerr != nil {
			b.WriteString(msg[i:])
			break
		}
		v, _ := strconv.Unquote(q)
		b.WriteString(echo(v))
		msg = msg[i+len(q):]
	}
	return &lantern.Error{Code: e.Code, Field: e.Field, Message: b.String()}
}

// renameField reports a domain field under the name the input format gives
// it.
func renameField(err error, from, to string) error {
	var e *lantern.Error
	if !errors.As(err, &e) || e.Field != from {
		return err
	}
	return &lantern.Error{Code: e.Code, Field: to, Message: strings.ReplaceAll(e.Message, from, to)}
}
