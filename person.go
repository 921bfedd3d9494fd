package lantern

import (
	"context"
	"slices"
	"time"
)

// Vulnerability flags that force records carry against a person. A force may
// use others: any token is accepted, and rules decide which ones matter.
const (
	FlagDomesticAbuseVictim  = "domestic_abuse_victim"
	FlagSexualOffenceVictim  = "sexual_offence_victim"
	FlagChild                = "child"
	FlagMentalHealth         = "mental_health"
	FlagSexWorker            = "sex_worker"
	FlagMissingPerson        = "missing_person"
	FlagModernSlavery        = "modern_slavery"
	FlagSubstanceMisuse      = "substance_misuse"
	FlagStalkingVictim       = "stalking_victim"
	FlagHonourBasedAbuseRisk = "honour_based_abuse_risk"
)

// MaxPhoneHashes bounds the numbers held against one person.
const MaxPhoneHashes = 32

// Person is someone in the force's records: a victim, witness, suspect or
// member of the public. Lantern holds no names or numbers in clear: contact
// numbers are kept only as keyed hashes (see PhoneHashes), so that work-device
// metadata can be matched without exposing them.
type Person struct {
	ID          string    `json:"id"`
	Gender      string    `json:"gender"`
	BirthYear   int       `json:"birth_year,omitempty"` // 0 when unknown
	Area        string    `json:"area,omitempty"`
	Flags       []string  `json:"flags,omitempty"`        // vulnerability flags, sorted, unique
	PhoneHashes []string  `json:"phone_hashes,omitempty"` // keyed hashes of E.164 numbers, sorted, unique
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault. It sorts
// and de-duplicates Flags and PhoneHashes in place.
func (p *Person) Validate() error {
	if err := ValidateID("id", p.ID); err != nil {
		return err
	}
	if err := ValidateOneOf("gender", p.Gender, genders...); err != nil {
		return err
	}
	if p.BirthYear != 0 && (p.BirthYear < 1900 || p.BirthYear > 2199) {
		return FieldErrorf("birth_year", "birth_year %d is outside 1900-2199", p.BirthYear)
	}
	if p.Area != "" {
		if err := ValidateID("area", p.Area); err != nil {
			return err
		}
	}
	for _, f := range p.Flags {
		if err := ValidateToken("flags", f); err != nil {
			return err
		}
	}
	if len(p.PhoneHashes) > MaxPhoneHashes {
		return FieldErrorf("phone_hashes", "more than %d phone numbers", MaxPhoneHashes)
	}
	for _, h := range p.PhoneHashes {
		if err := ValidateID("phone_hashes", h); err != nil {
			return err
		}
	}
	slices.Sort(p.Flags)
	p.Flags = slices.Compact(p.Flags)
	slices.Sort(p.PhoneHashes)
	p.PhoneHashes = slices.Compact(p.PhoneHashes)
	return nil
}

// HasFlag reports whether p carries the vulnerability flag f.
func (p *Person) HasFlag(f string) bool {
	_, ok := slices.BinarySearch(p.Flags, f)
	return ok
}

// AgeAt returns p's age in whole years at t, assuming a mid-year birthday, or
// -1 when the birth year is unknown.
func (p *Person) AgeAt(t time.Time) int {
	if p.BirthYear == 0 {
		return -1
	}
	age := t.Year() - p.BirthYear
	if t.YearDay() < 183 {
		age--
	}
	return max(age, 0)
}

// PersonFilter selects people. Nil fields match everything.
type PersonFilter struct {
	ID        *string
	Flag      *string // people carrying this vulnerability flag
	PhoneHash *string // people holding this number
	Offset    int
	Limit     int // 0 means no limit
}

// PersonService reads and writes people held in force records.
type PersonService interface {
	// FindPersonByID returns one person, or ENOTFOUND.
	FindPersonByID(ctx context.Context, id string) (*Person, error)
	// FindPersons returns the people matching filter ordered by ID, and the
	// total number that match ignoring Offset and Limit.
	FindPersons(ctx context.Context, filter PersonFilter) ([]*Person, int, error)
	// UpsertPersons validates and inserts or replaces people by ID, flags and
	// phone hashes included, in one transaction; EINVALID writes nothing.
	UpsertPersons(ctx context.Context, persons ...*Person) error
}
