package lantern

import (
	"context"
	"time"
)

// Kinds of roster entry. Rest days are the absence of any entry.
const (
	ShiftDuty     = "duty"
	ShiftLeave    = "leave"
	ShiftSick     = "sick"
	ShiftTraining = "training"
	ShiftCourt    = "court"
)

// MaxShiftLength bounds one duty, training or court shift. Leave and sickness
// may span many days.
const MaxShiftLength = 24 * time.Hour

// Shift is one entry on a member of staff's roster: a duty period, or a period
// of leave or sickness during which they are not working.
type Shift struct {
	StaffID string    `json:"staff_id"`
	Kind    string    `json:"kind"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (s *Shift) Validate() error {
	if err := ValidateID("staff_id", s.StaffID); err != nil {
		return err
	}
	if err := ValidateOneOf("kind", s.Kind, ShiftDuty, ShiftLeave, ShiftSick, ShiftTraining, ShiftCourt); err != nil {
		return err
	}
	if err := ValidateTime("start", s.Start); err != nil {
		return err
	}
	if err := ValidateTime("end", s.End); err != nil {
		return err
	}
	if !s.End.After(s.Start) {
		return FieldErrorf("end", "end is not after start")
	}
	if s.Working() && s.End.Sub(s.Start) > MaxShiftLength {
		return FieldErrorf("end", "a %s shift is longer than %s", s.Kind, MaxShiftLength)
	}
	return nil
}

// Working reports whether the entry is time at work (duty, training, court)
// rather than time away (leave, sickness).
func (s *Shift) Working() bool {
	return s.Kind == ShiftDuty || s.Kind == ShiftTraining || s.Kind == ShiftCourt
}

// Covers reports whether t falls within the shift, start inclusive.
func (s *Shift) Covers(t time.Time) bool {
	return !t.Before(s.Start) && t.Before(s.End)
}

// ShiftFilter selects roster entries. Zero fields match everything; a shift
// matches a time range when it overlaps it.
type ShiftFilter struct {
	StaffID *string
	From    time.Time
	To      time.Time
	Offset  int
	Limit   int // 0 means no limit
}

// RosterService reads and writes duty rosters.
type RosterService interface {
	// FindShifts returns roster entries matching filter ordered by staff and
	// start, and the total number that match.
	FindShifts(ctx context.Context, filter ShiftFilter) ([]*Shift, int, error)
	// AddShifts records roster entries; an entry with the same staff, kind and
	// start replaces the earlier one. ENOTFOUND if a member of staff is unknown.
	AddShifts(ctx context.Context, shifts ...*Shift) error
	// OnDuty reports whether the member of staff was working at t.
	OnDuty(ctx context.Context, staffID string, t time.Time) (bool, error)
}
