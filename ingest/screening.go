package ingest

import "lantern"

// decodeScreening decodes a line of integrity screening results. The
// record's ID is the source's id for the result.
func decodeScreening(line []byte) (*Record, error) {
	o, err := parseObject(line, KindScreening)
	if err != nil {
		return nil, err
	}
	s := &lantern.ScreeningResult{
		ID:        o.string("id"),
		StaffID:   o.string("staff_id"),
		CheckedAt: o.time("checked_at"),
		Check:     o.string("check"),
		Result:    o.string("result"),
		Detail:    o.string("detail"),
		Reference: o.string("reference"),
	}
	if o.err != nil {
		return nil, o.err
	}
	if err := s.Validate(); err != nil {
		return nil, sanitize(err)
	}
	return &Record{Kind: KindScreening, ID: s.ID, Time: s.CheckedAt, StaffID: s.StaffID, Screening: s}, nil
}
