package ingest

import (
	"unicode/utf8"

	"lantern"
)

// Decoder turns JSON lines of one kind into Records. It reuses its buffers
// between calls and is not safe for concurrent use; the Records it returns
// share nothing with it and stay valid after the next call.
type Decoder struct {
	kind    Kind
	phones  *PhoneHasher
	mac     *phoneMAC // built on first use from phones
	sc      scanner
	scratch []byte // decoded escapes and keys
	canon   []byte // canonical JSON for content hashes
	elems   []span // the elements of the list scanObject last saw
	elemsAt int    // where that list starts in the line, or -1
	e164    [maxPhoneInput + 1]byte
}

// NewDecoder returns a Decoder for lines of kind. phones hashes clear
// telephone numbers (comms "number", person "phones"); it may be nil when the
// input carries only hashes, and then a clear number is an EINVALID error.
func NewDecoder(kind Kind, phones *PhoneHasher) *Decoder {
	return &Decoder{kind: kind, phones: phones}
}

// Kind returns the kind of line the Decoder reads.
func (d *Decoder) Kind() Kind { return d.kind }

// Decode parses one line (without its newline), validates it and returns the
// Record. Any problem with the line is an EINVALID *lantern.Error whose Field
// is the JSON key at fault ("" for a line that is not valid UTF-8 or not a
// JSON object) and whose message repeats no telephone number and no more than
// a short prefix of any value.
func (d *Decoder) Decode(line []byte) (*Record, error) {
	if !utf8.Valid(line) {
		return nil, invalid(reasonNotUTF8)
	}
	switch d.kind {
	case KindAccess:
		return d.decodeAccess(line)
	case KindComms:
		return d.decodeComms(line)
	case KindScreening:
		return decodeScreening(line)
	case KindStaff, KindPerson, KindIncident, KindInvolvement, KindAssignment, KindShift:
		return d.decodeReference(line)
	}
	return nil, lantern.FieldErrorf("kind", "kind %s is not one of %v", echo(string(d.kind)), Kinds())
}

// hashNumber normalises and hashes a clear number found in field; label names
// it in messages ("phones[2]").
func (d *Decoder) hashNumber(field, label, raw string) (string, error) {
	if d.phones == nil {
		return "", lantern.FieldErrorf(field, "%s is a clear number but no phone hash key is configured", label)
	}
	e164, reason := normalizePhone(d.e164[:0], raw)
	if reason != "" {
		return "", lantern.FieldErrorf(field, "%s is not a phone number: it %s", label, reason)
	}
	if d.mac == nil {
		d.mac = d.phones.newMAC()
	}
	return d.mac.hash(e164), nil
}
