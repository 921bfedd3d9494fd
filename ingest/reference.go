package ingest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"lantern"
)

// decodeReference decodes a line of one of the reference kinds through
// encoding/json, and gives the Record its ID.
func (d *Decoder) decodeReference(line []byte) (*Record, error) {
	o, err := parseObject(line, d.kind)
	if err != nil {
		return nil, err
	}
	recordID := o.string("record_id")
	var r *Record
	switch d.kind {
	case KindStaff:
		r, err = decodeStaff(o)
	case KindPerson:
		r, err = d.decodePerson(o)
	case KindIncident:
		r, err = decodeIncident(o)
	case KindInvolvement:
		r, err = decodeInvolvement(o)
	case KindAssignment:
		r, err = decodeAssignment(o)
	case KindShift:
		r, err = decodeShift(o)
	}
	if err != nil {
		return nil, err
	}
	if recordID == "" {
		r.ID = d.contentID(r)
		return r, nil
	}
	if err := lantern.ValidateID("record_id", recordID); err != nil {
		return nil, sanitize(err)
	}
	r.ID = recordID
	return r, nil
}

// contentID returns "<kind>:" and the base64url of the first 16 bytes of the
// SHA-256 of the record's canonical JSON without record_id.
func (d *Decoder) contentID(r *Record) string {
	d.canon = r.appendJSON(d.canon[:0], false)
	sum := sha256.Sum256(d.canon)
	return string(r.Kind) + ":" + base64.RawURLEncoding.EncodeToString(sum[:16])
}

func decodeStaff(o *object) (*Record, error) {
	s := &lantern.Staff{
		ID:           o.string("id"),
		CollarNumber: o.string("collar_number"),
		Name:         o.string("name"),
		Category:     o.string("category"),
		Role:         o.string("role"),
		Rank:         o.string("rank"),
		Team:         o.string("team"),
		Station:      o.string("station"),
		Area:         o.string("area"),
		Gender:       o.string("gender"),
		StartDate:    o.date("start_date"),
	}
	if t := o.date("left_date"); !t.IsZero() {
		s.LeftDate = &t
	}
	at := o.time("time")
	if o.err != nil {
		return nil, o.err
	}
	if err := s.Validate(); err != nil {
		return nil, sanitize(err)
	}
	if at.IsZero() {
		at = s.StartDate
	} else if err := lantern.ValidateTime("time", at); err != nil {
		return nil, err
	}
	s.UpdatedAt = at
	return &Record{Kind: KindStaff, Time: at, StaffID: s.ID, Staff: s}, nil
}

func birthYearRange() error {
	return lantern.FieldErrorf("birth_year", "birth_year is outside 1900-2199")
}

func (d *Decoder) decodePerson(o *object) (*Record, error) {
	p := &lantern.Person{
		ID:        o.string("id"),
		Gender:    o.string("gender"),
		BirthYear: int(o.int("birth_year", birthYearRange)),
		Area:      o.string("area"),
		Flags:     o.list("flags"),
	}
	phones := o.list("phones")
	hashes := o.list("phone_hashes")
	at := o.time("time")
	if o.err != nil {
		return nil, o.err
	}
	if p.BirthYear < 0 || p.BirthYear > 9999 {
		return nil, birthYearRange()
	}
	if len(phones) > lantern.MaxPhoneHashes {
		return nil, lantern.FieldErrorf("phones", "more than %d phone numbers", lantern.MaxPhoneHashes)
	}
	for i, h := range hashes {
		if !isPhoneHash(h) {
			return nil, lantern.FieldErrorf("phone_hashes", "phone_hashes[%d] is not a phone hash (%d base64url characters)", i, PhoneHashLen)
		}
	}
	for i, ph := range phones {
		h, err := d.hashNumber("phones", fmt.Sprintf("phones[%d]", i), ph)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	p.PhoneHashes = hashes
	if err := p.Validate(); err != nil {
		return nil, sanitize(err)
	}
	if len(p.Flags) == 0 {
		p.Flags = nil
	}
	if err := lantern.ValidateTime("time", at); err != nil {
		return nil, err
	}
	p.UpdatedAt = at
	return &Record{Kind: KindPerson, Time: at, Person: p}, nil
}

func decodeIncident(o *object) (*Record, error) {
	inc := &lantern.Incident{
		ID:       o.string("id"),
		Type:     o.string("type"),
		Status:   o.string("status"),
		OpenedAt: o.time("opened_at"),
		ClosedAt: o.optTime("closed_at"),
		Area:     o.string("area"),
		StatusAt: o.time("time"),
	}
	if o.err != nil {
		return nil, o.err
	}
	if !inc.StatusAt.IsZero() {
		if err := lantern.ValidateTime("time", inc.StatusAt); err != nil {
			return nil, err
		}
	}
	// Validate fills a zero StatusAt from opened_at or closed_at; its
	// status_at is this format's time.
	if err := inc.Validate(); err != nil {
		return nil, renameField(sanitize(err), "status_at", "time")
	}
	inc.UpdatedAt = inc.StatusAt
	return &Record{Kind: KindIncident, Time: inc.StatusAt, Incident: inc}, nil
}

func decodeInvolvement(o *object) (*Record, error) {
	v := &lantern.Involvement{
		IncidentID: o.string("incident_id"),
		PersonID:   o.string("person_id"),
		Part:       o.string("part"),
		At:         o.time("at"),
	}
	if o.err != nil {
		return nil, o.err
	}
	if err := v.Validate(); err != nil {
		return nil, sanitize(err)
	}
	return &Record{Kind: KindInvolvement, Time: v.At, Involvement: v}, nil
}

func decodeAssignment(o *object) (*Record, error) {
	a := &lantern.Assignment{
		IncidentID: o.string("incident_id"),
		StaffID:    o.string("staff_id"),
		Kind:       o.string("kind"),
		At:         o.time("at"),
		Until:      o.optTime("until"),
	}
	if o.err != nil {
		return nil, o.err
	}
	if err := a.Validate(); err != nil {
		return nil, sanitize(err)
	}
	return &Record{Kind: KindAssignment, Time: a.At, StaffID: a.StaffID, Assignment: a}, nil
}

func decodeShift(o *object) (*Record, error) {
	s := &lantern.Shift{
		StaffID: o.string("staff_id"),
		Kind:    o.string("kind"),
		Start:   o.time("start"),
		End:     o.time("end"),
	}
	if o.err != nil {
		return nil, o.err
	}
	if err := s.Validate(); err != nil {
		return nil, sanitize(err)
	}
	return &Record{Kind: KindShift, Time: s.Start, StaffID: s.StaffID, Shift: s}, nil
}
