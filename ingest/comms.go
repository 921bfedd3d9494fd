package ingest

import (
	"time"

	"lantern"
)

// Indexes of the comms keys in a span array.
const (
	cID = iota
	cTime
	cStaffID
	cDevice
	cDirection
	cKind
	cNumber
	cNumberHash
	cDuration
	cCount
)

// commsOrder is the comms keys by index, quoted, as AppendJSON writes them
// (number and number_hash are alternatives).
var commsOrder = []string{`"id"`, `"time"`, `"staff_id"`, `"device"`, `"direction"`, `"kind"`,
	`"number"`, `"number_hash"`, `"duration_s"`}

var commsKeys = keyPatterns(commsOrder)

func commsIndex(key []byte) int {
	switch string(key) {
	case "id":
		return cID
	case "time":
		return cTime
	case "staff_id":
		return cStaffID
	case "device":
		return cDevice
	case "direction":
		return cDirection
	case "kind":
		return cKind
	case "number":
		return cNumber
	case "number_hash":
		return cNumberHash
	case "duration_s":
		return cDuration
	}
	return -1
}

// maxDurationS is the longest call, in seconds, that CommsEvent accepts.
const maxDurationS = 48 * 60 * 60

func durationRange() error {
	return lantern.FieldErrorf("duration_s", "duration_s is outside 0-%d", maxDurationS)
}

type commsBox struct {
	rec Record
	ev  lantern.CommsEvent
}

// decodeComms is the fast path for communications events.
func (d *Decoder) decodeComms(line []byte) (*Record, error) {
	var v [cCount]span
	if err := d.scanObject(line, commsIndex, commsKeys, -1, v[:]); err != nil {
		return nil, err
	}
	box := new(commsBox)
	ev := &box.ev
	f := fastFields{d: d, line: line, str: string(line)}
	ev.ID = f.string("id", v[cID])
	ev.Time = f.time("time", v[cTime])
	ev.StaffID = f.string("staff_id", v[cStaffID])
	ev.Device = f.string("device", v[cDevice])
	ev.Direction = f.string("direction", v[cDirection])
	ev.Kind = f.string("kind", v[cKind])
	number := f.string("number", v[cNumber])
	hash := f.string("number_hash", v[cNumberHash])
	seconds := f.int("duration_s", v[cDuration], durationRange)
	if f.err != nil {
		return nil, f.err
	}
	if err := d.finishComms(ev, number, hash, seconds); err != nil {
		return nil, err
	}
	box.rec = Record{Kind: KindComms, ID: ev.ID, Time: ev.Time, StaffID: ev.StaffID, Comms: ev}
	return &box.rec, nil
}

// finishComms hashes the number, sets the duration and validates ev.
func (d *Decoder) finishComms(ev *lantern.CommsEvent, number, hash string, seconds int64) error {
	switch {
	case number != "" && hash != "":
		return lantern.FieldErrorf("number", "give number or number_hash, not both")
	case number != "":
		h, err := d.hashNumber("number", "number", number)
		if err != nil {
			return err
		}
		ev.NumberHash = h
	case hash != "":
		if !isPhoneHash(hash) {
			return lantern.FieldErrorf("number_hash", "number_hash is not a phone hash (%d base64url characters)", PhoneHashLen)
		}
		ev.NumberHash = hash
	default:
		return lantern.FieldErrorf("number", "number or number_hash is required")
	}
	if seconds < 0 || seconds > maxDurationS {
		return durationRange()
	}
	ev.Duration = time.Duration(seconds) * time.Second
	return sanitize(ev.Validate())
}
