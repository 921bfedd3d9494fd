package lantern

import (
	"context"
	"slices"
	"strings"
	"time"
)

// States of a partner's referral. See ReferralTransitionAllowed.
const (
	ReferralSubmitted    = "submitted"    // sent by the partner
	ReferralAcknowledged = "acknowledged" // the unit has it
	ReferralAssessing    = "assessing"    // the unit is assessing it
	ReferralActioned     = "actioned"     // it became intelligence or part of a case; final
	ReferralNoAction     = "no_action"    // no further action; final
	ReferralWithdrawn    = "withdrawn"    // withdrawn by the partner before assessment; final
)

// ReferralStates lists the referral states in the order a page shows them.
var ReferralStates = []string{ReferralSubmitted, ReferralAcknowledged, ReferralAssessing, ReferralActioned, ReferralNoAction, ReferralWithdrawn}

var referralTransitions = map[string][]string{
	ReferralSubmitted:    {ReferralAcknowledged, ReferralWithdrawn},
	ReferralAcknowledged: {ReferralAssessing, ReferralWithdrawn},
	ReferralAssessing:    {ReferralActioned, ReferralNoAction},
}

// ReferralTransitionAllowed reports whether a referral in state from may
// move to state to. Only a partner withdraws; only the unit makes the rest.
func ReferralTransitionAllowed(from, to string) bool {
	return slices.Contains(referralTransitions[from], to)
}

// ReferralStateFinal reports whether no move leaves state.
func ReferralStateFinal(state string) bool { return len(referralTransitions[state]) == 0 }

// Victim consent to the concern being passed to the police.
const (
	ConsentGiven    = "given"
	ConsentRefused  = "refused"
	ConsentNotAsked = "not_asked"
)

// Safeguarding status of the victim.
const (
	SafeguardingInPlace  = "in_place"  // a safeguarding plan is in place
	SafeguardingNeeded   = "needed"    // safeguarding is needed and not yet in place
	SafeguardingNotKnown = "not_known" // the partner does not know
)

// Bounds on a referral's text.
const (
	MaxConcernBytes = 20_000
	MaxOfficerBytes = 500
)

// OfficerDetails is what a partner knows of the officer a concern is about.
// Every field is optional: partners often know only a first name or a car.
type OfficerDetails struct {
	Name         string `json:"name,omitempty"`
	CollarNumber string `json:"collar_number,omitempty"`
	Force        string `json:"force,omitempty"`
	Vehicle      string `json:"vehicle,omitempty"` // make, colour, registration
	Description  string `json:"description,omitempty"`
}

// Referral is a concern about an officer passed on by a partner
// organisation that supports vulnerable people.
type Referral struct {
	ID            int64          `json:"id"`           // set by the store
	Partner       string         `json:"partner"`      // the partner organisation's id
	SubmittedBy   string         `json:"submitted_by"` // the partner user
	Concern       string         `json:"concern"`
	Officer       OfficerDetails `json:"officer"`
	VictimConsent string         `json:"victim_consent"`
	Safeguarding  string         `json:"safeguarding"`
	Status        string         `json:"status"`
	StatusBy      string         `json:"status_by,omitempty"`
	StatusAt      *time.Time     `json:"status_at,omitempty"`
	// Feedback is what the unit tells the partner about the outcome, within
	// what the law allows.
	Feedback    string    `json:"feedback,omitempty"`
	SubmittedAt time.Time `json:"submitted_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (r *Referral) Validate() error {
	if err := ValidateID("partner", r.Partner); err != nil {
		return err
	}
	if err := ValidateID("submitted_by", r.SubmittedBy); err != nil {
		return err
	}
	if strings.TrimSpace(r.Concern) == "" {
		return FieldErrorf("concern", "Describe the concern")
	}
	if len(r.Concern) > MaxConcernBytes || !validText(r.Concern) {
		return FieldErrorf("concern", "The concern must be text of %d characters or fewer", MaxConcernBytes)
	}
	o := r.Officer
	for _, f := range []struct{ name, v string }{
		{"officer_name", o.Name}, {"collar_number", o.CollarNumber}, {"force", o.Force},
		{"vehicle", o.Vehicle}, {"description", o.Description},
	} {
		if len(f.v) > MaxOfficerBytes || !validText(f.v) {
			return FieldErrorf(f.name, "This must be text of %d characters or fewer", MaxOfficerBytes)
		}
	}
	if o == (OfficerDetails{}) {
		return FieldErrorf("officer_name", "Give at least one detail of the officer: a name, collar number, force, vehicle or description")
	}
	if err := ValidateOneOf("victim_consent", r.VictimConsent, ConsentGiven, ConsentRefused, ConsentNotAsked); err != nil {
		return err
	}
	if err := ValidateOneOf("safeguarding", r.Safeguarding, SafeguardingInPlace, SafeguardingNeeded, SafeguardingNotKnown); err != nil {
		return err
	}
	if err := ValidateOneOf("status", r.Status, ReferralStates...); err != nil {
		return err
	}
	if len(r.Feedback) > MaxMessageBytes || !validText(r.Feedback) {
		return FieldErrorf("feedback", "feedback must be text of %d characters or fewer", MaxMessageBytes)
	}
	return ValidateTime("submitted_at", r.SubmittedAt)
}

// ReferralStatusUpdate is a change of a referral's state. Feedback, when
// set, replaces what the partner is told.
type ReferralStatusUpdate struct {
	Status   string
	Feedback string
	By       string
	At       time.Time
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (u *ReferralStatusUpdate) Validate() error {
	if err := ValidateOneOf("status", u.Status, ReferralStates...); err != nil {
		return err
	}
	if len(u.Feedback) > MaxMessageBytes || !validText(u.Feedback) {
		return FieldErrorf("feedback", "feedback must be text of %d characters or fewer", MaxMessageBytes)
	}
	if err := ValidateID("by", u.By); err != nil {
		return err
	}
	return ValidateTime("at", u.At)
}

// ReferralFilter selects referrals. A partner's own view sets Partner.
type ReferralFilter struct {
	Partner string
	Status  string
	Limit   int // 0 means no limit
	Offset  int
}

// ReferralMessage is one message between the unit and a partner about a
// referral.
type ReferralMessage struct {
	ID         int64     `json:"id"` // set by the store
	ReferralID int64     `json:"referral_id"`
	From       string    `json:"from"` // FromUnit, or FromPartner
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	Body       string    `json:"body"`
}

// FromPartner marks a referral message written by the partner.
const FromPartner = "partner"

// Validate returns an EINVALID *Error naming the first field at fault.
func (m *ReferralMessage) Validate() error {
	if m.ReferralID <= 0 {
		return FieldErrorf("referral_id", "referral_id is required")
	}
	if err := ValidateOneOf("from", m.From, FromUnit, FromPartner); err != nil {
		return err
	}
	if err := ValidateID("by", m.By); err != nil {
		return err
	}
	if strings.TrimSpace(m.Body) == "" {
		return FieldErrorf("body", "Enter a message")
	}
	if len(m.Body) > MaxMessageBytes || !validText(m.Body) {
		return FieldErrorf("body", "The message must be text of %d characters or fewer", MaxMessageBytes)
	}
	return ValidateTime("at", m.At)
}

// ReferralService stores partners' referrals and the messages about them.
type ReferralService interface {
	// CreateReferral stores r (its status submitted) and sets its ID.
	// Files, when given, are stored with it in the same transaction (their
	// ReferralID set), so a referral is never stored without the files sent
	// with it.
	CreateReferral(ctx context.Context, r *Referral, files ...*ReferralAttachment) error
	// Referral returns one referral; ENOTFOUND.
	Referral(ctx context.Context, id int64) (*Referral, error)
	// FindReferrals lists referrals newest first, then by ID descending, and
	// the number matching f whatever its paging.
	FindReferrals(ctx context.Context, f ReferralFilter) ([]*Referral, int, error)
	// SetReferralStatus moves a referral following ReferralTransitionAllowed:
	// ECONFLICT naming both states for a refused move; ENOTFOUND.
	SetReferralStatus(ctx context.Context, id int64, u ReferralStatusUpdate) (*Referral, error)
	// AddReferralMessage appends m and sets its ID; ENOTFOUND.
	AddReferralMessage(ctx context.Context, m *ReferralMessage) error
	// ReferralMessages returns a referral's messages in ID order.
	ReferralMessages(ctx context.Context, referralID int64) ([]*ReferralMessage, error)
	ReferralAttachmentService
}

// ReferralAttachment is a file a partner sent with a referral: the
// original, kept as evidence, and where Lantern can strip its metadata, a
// sanitised copy for sharing, the two linked by their SHA-256 in the
// embedded AttachmentMeta.
type ReferralAttachment struct {
	ID             int64     `json:"id"` // set by the store
	ReferralID     int64     `json:"referral_id"`
	By             string    `json:"by"` // the partner user who sent it
	At             time.Time `json:"at"`
	AttachmentMeta           // name, type, sizes and hashes of both copies
	Original       []byte    `json:"-"` // nil when listed
	Sanitised      []byte    `json:"-"` // nil when there is none, or when listed
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (a *ReferralAttachment) Validate() error {
	if a.ReferralID <= 0 {
		return FieldErrorf("referral_id", "referral_id is required")
	}
	if err := ValidateID("by", a.By); err != nil {
		return err
	}
	if err := ValidateTime("at", a.At); err != nil {
		return err
	}
	if strings.TrimSpace(a.Name) == "" || len(a.Name) > 255 || !validText(a.Name) {
		return FieldErrorf("name", "name must be text of 255 characters or fewer")
	}
	if a.ContentType == "" || len(a.ContentType) > 100 || !validText(a.ContentType) {
		return FieldErrorf("content_type", "content_type is required")
	}
	if len(a.Original) == 0 || int64(len(a.Original)) != a.Size {
		return FieldErrorf("original", "original must hold size bytes")
	}
	if !isSHA256Hex(a.SHA256) {
		return FieldErrorf("sha256", "sha256 must be 64 lower-case hex digits")
	}
	if a.Sanitised == nil {
		if a.SanitisedType != "" || a.SanitisedSHA256 != "" || a.SanitisedSize != 0 {
			return FieldErrorf("sanitised", "a description of a sanitised copy needs the copy")
		}
		return nil
	}
	if int64(len(a.Sanitised)) != a.SanitisedSize || !isSHA256Hex(a.SanitisedSHA256) {
		return FieldErrorf("sanitised", "sanitised must hold sanitised_size bytes with its sha256")
	}
	if a.SanitisedType == "" || len(a.SanitisedType) > 100 || !validText(a.SanitisedType) {
		return FieldErrorf("sanitised_type", "sanitised_type is required with a sanitised copy")
	}
	return nil
}

// ValidateNewReferralFiles checks the files of a referral not yet stored,
// whose ID they cannot carry yet.
func ValidateNewReferralFiles(files []*ReferralAttachment) error {
	for _, a := range files {
		c := *a
		c.ReferralID = 1
		if err := c.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ReferralAttachmentService stores the files sent with referrals.
type ReferralAttachmentService interface {
	// AddReferralAttachments stores files, all or none, and sets their IDs;
	// ENOTFOUND for an
	// unknown referral, EINVALID for an attachment that fails its checks.
	AddReferralAttachments(ctx context.Context, files ...*ReferralAttachment) error
	// ReferralAttachments lists a referral's attachments in ID order,
	// without their contents.
	ReferralAttachments(ctx context.Context, referralID int64) ([]*ReferralAttachment, error)
	// ReferralAttachment returns one attachment with its contents;
	// ENOTFOUND.
	ReferralAttachment(ctx context.Context, id int64) (*ReferralAttachment, error)
}
