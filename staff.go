package lantern

import (
	"context"
	"time"
)

// Staff roles that Lantern's simulator and built-in rules know by name. A force
// may use others: Role is any token, and peer groups are formed by equal Role.
const (
	RoleResponse      = "response"
	RoleNeighbourhood = "neighbourhood"
	RoleDetective     = "detective"
	RoleSafeguarding  = "safeguarding" // domestic abuse / public protection unit
	RoleControlRoom   = "control_room"
	RoleCustody       = "custody"
	RoleAnalyst       = "analyst"
	RolePCSO          = "pcso"
	RolePoliceStaff   = "police_staff"
	RoleSupervisor    = "supervisor"
	RoleFamilyLiaison = "family_liaison"
)

// Staff categories, as forces report them in workforce and misconduct figures.
const (
	CategoryOfficer   = "officer"
	CategoryStaff     = "staff"
	CategorySpecial   = "special"
	CategoryVolunteer = "volunteer"
)

// Genders as recorded for staff and people. Unknown is a value, not an absence.
const (
	GenderFemale  = "female"
	GenderMale    = "male"
	GenderOther   = "other"
	GenderUnknown = "unknown"
)

var genders = []string{GenderFemale, GenderMale, GenderOther, GenderUnknown}

// Staff is a member of the force's workforce: the subject of monitoring.
//
// ID is the force's own staff number and is how every event refers to them.
// Role decides the peer group a member of staff is compared with.
type Staff struct {
	ID           string     `json:"id"`
	CollarNumber string     `json:"collar_number,omitempty"`
	Name         string     `json:"name,omitempty"`
	Category     string     `json:"category"`
	Role         string     `json:"role"`
	Rank         string     `json:"rank,omitempty"`
	Team         string     `json:"team,omitempty"`
	Station      string     `json:"station,omitempty"`
	Area         string     `json:"area,omitempty"`
	Gender       string     `json:"gender"`
	StartDate    time.Time  `json:"start_date"`
	LeftDate     *time.Time `json:"left_date,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (s *Staff) Validate() error {
	if err := ValidateID("id", s.ID); err != nil {
		return err
	}
	if err := ValidateOneOf("category", s.Category, CategoryOfficer, CategoryStaff, CategorySpecial, CategoryVolunteer); err != nil {
		return err
	}
	if err := ValidateToken("role", s.Role); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"collar_number", s.CollarNumber}, {"name", s.Name}, {"rank", s.Rank}, {"team", s.Team}, {"station", s.Station}, {"area", s.Area}} {
		if f.v != "" {
			if err := ValidateID(f.name, f.v); err != nil {
				return err
			}
		}
	}
	if err := ValidateOneOf("gender", s.Gender, genders...); err != nil {
		return err
	}
	if err := ValidateTime("start_date", s.StartDate); err != nil {
		return err
	}
	if s.LeftDate != nil && s.LeftDate.Before(s.StartDate) {
		return FieldErrorf("left_date", "left_date is before start_date")
	}
	return nil
}

// StaffFilter selects staff. Nil fields match everything.
type StaffFilter struct {
	ID     *string
	Role   *string
	Team   *string
	Area   *string
	Offset int
	Limit  int // 0 means no limit
}

// StaffService reads and writes the workforce reference data.
type StaffService interface {
	// FindStaffByID returns one member of staff, or ENOTFOUND.
	FindStaffByID(ctx context.Context, id string) (*Staff, error)
	// FindStaff returns the staff matching filter ordered by ID, and the total
	// number that match ignoring Offset and Limit.
	FindStaff(ctx context.Context, filter StaffFilter) ([]*Staff, int, error)
	// UpsertStaff validates and inserts or replaces staff records by ID in one
	// transaction; it returns EINVALID and writes nothing if any is invalid.
	UpsertStaff(ctx context.Context, staff ...*Staff) error
}
