package ingest

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// object is a line decoded with encoding/json into its keys and raw values,
// for the reference kinds, where clarity matters more than speed. Like
// fastFields it keeps the first error.
type object struct {
	m   map[string]json.RawMessage
	err error
}

// parseObject decodes line (valid UTF-8) into an object and rejects keys that
// kind k does not have, naming the least of them.
func parseObject(line []byte, k Kind) (*object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, syntaxError("", int(syn.Offset)-1, "malformed JSON")
		}
		return nil, invalid(reasonNotObject)
	}
	if m == nil {
		return nil, invalid(reasonNotObject)
	}
	unknown, hasUnknown := "", false
	for key := range m {
		if _, ok := lookupField(k, key); !ok && (!hasUnknown || key < unknown) {
			unknown, hasUnknown = key, true
		}
	}
	if hasUnknown {
		return nil, unknownKey(unknown)
	}
	return &object{m: m}, nil
}

func (o *object) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// raw returns key's value, or nil when it is absent or null.
func (o *object) raw(key string) json.RawMessage {
	v := o.m[key]
	if len(v) == 0 || v[0] == 'n' {
		return nil
	}
	return v
}

// string returns a string value; null and absence give "".
func (o *object) string(key string) string {
	v := o.raw(key)
	if o.err != nil || v == nil {
		return ""
	}
	var s string
	if v[0] != '"' || json.Unmarshal(v, &s) != nil {
		o.fail(typeError(key, "a string"))
	}
	return s
}

// list returns an array of strings; a null element is "", and null, absence
// and an empty array give nil.
func (o *object) list(key string) []string {
	v := o.raw(key)
	if o.err != nil || v == nil {
		return nil
	}
	var l []string
	if v[0] != '[' || json.Unmarshal(v, &l) != nil {
		o.fail(typeError(key, "a list of strings"))
		return nil
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

// int returns a whole number; null and absence give 0. A number beyond int64
// is reported by outOfRange.
func (o *object) int(key string, outOfRange func() error) int64 {
	v := o.raw(key)
	if o.err != nil || v == nil {
		return 0
	}
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		o.fail(typeError(key, "a whole number"))
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		o.fail(outOfRange())
	} else if err != nil {
		o.fail(typeError(key, "a whole number"))
	}
	return n
}

// time returns a timestamp; null, absence and "" give the zero time.
func (o *object) time(key string) time.Time {
	s := o.string(key)
	if o.err != nil || s == "" {
		return time.Time{}
	}
	t, err := parseTime(key, s)
	if err != nil {
		o.fail(err)
	}
	return t
}

// optTime is time for an optional timestamp: nil when absent.
func (o *object) optTime(key string) *time.Time {
	if t := o.time(key); !t.IsZero() {
		return &t
	}
	return nil
}

// date returns a date or timestamp; null, absence and "" give the zero time.
func (o *object) date(key string) time.Time {
	s := o.string(key)
	if o.err != nil || s == "" {
		return time.Time{}
	}
	t, err := parseDate(key, s)
	if err != nil {
		o.fail(err)
	}
	return t
}
