package lantern

import (
	"context"
	"strings"
	"time"
)

// Grade is an intelligence item's grade on the national 3x5x2 model.
type Grade struct {
	// Source is the source evaluation: 1 reliable, 2 untested, 3 not
	// reliable.
	Source int `json:"source"`
	// Intelligence is the intelligence assessment: A known directly to the
	// source, B known indirectly but corroborated, C known indirectly, D not
	// known, E suspected to be false.
	Intelligence string `json:"intelligence"`
	// Handling is the handling code: P lawful sharing permitted, C lawful
	// sharing permitted with conditions.
	Handling string `json:"handling"`
	// Conditions are the conditions on sharing; required with handling C
	// and empty with P.
	Conditions string `json:"conditions,omitempty"`
}

// Handling codes.
const (
	HandlingP = "P"
	HandlingC = "C"
)

// String gives the grade as it is written, for example "2/B/P".
func (g Grade) String() string {
	return string(rune('0'+g.Source)) + "/" + g.Intelligence + "/" + g.Handling
}

// Validate returns an EINVALID *Error naming the first part at fault.
func (g *Grade) Validate() error {
	if g.Source < 1 || g.Source > 3 {
		return FieldErrorf("source", "Source evaluation must be 1, 2 or 3")
	}
	if err := ValidateOneOf("intelligence", g.Intelligence, "A", "B", "C", "D", "E"); err != nil {
		return FieldErrorf("intelligence", "Intelligence assessment must be A, B, C, D or E")
	}
	if err := ValidateOneOf("handling", g.Handling, HandlingP, HandlingC); err != nil {
		return FieldErrorf("handling", "Handling code must be P or C")
	}
	if g.Handling == HandlingC && strings.TrimSpace(g.Conditions) == "" {
		return FieldErrorf("conditions", "Handling code C needs the conditions on sharing")
	}
	if g.Handling == HandlingP && g.Conditions != "" {
		return FieldErrorf("conditions", "Handling code P carries no conditions")
	}
	if len(g.Conditions) > MaxStateReasonBytes || !validText(g.Conditions) {
		return FieldErrorf("conditions", "conditions must be text of %d characters or fewer", MaxStateReasonBytes)
	}
	return nil
}

// Sources of intelligence.
const (
	IntelFromReport    = "report"
	IntelFromReferral  = "referral"
	IntelFromAlert     = "alert"
	IntelFromScreening = "screening"
	IntelFromComplaint = "complaint"
)

// States of an intelligence item. See IntelTransitionAllowed.
const (
	IntelUngraded = "ungraded" // recorded, not yet graded: cannot be shared
	IntelGraded   = "graded"   // graded; may be regraded
	IntelShared   = "shared"   // disseminated with its sanitised text; final
)

// IntelStates lists the item states in order.
var IntelStates = []string{IntelUngraded, IntelGraded, IntelShared}

// IntelTransitionAllowed reports whether an item in state from may move to
// state to. Grading moves an ungraded or graded item to graded; sharing
// moves a graded one to shared, after which its grade is fixed: a new
// assessment is a new item.
func IntelTransitionAllowed(from, to string) bool {
	switch to {
	case IntelGraded:
		return from == IntelUngraded || from == IntelGraded
	case IntelShared:
		return from == IntelGraded
	}
	return false
}

// Bounds on an item's text.
const MaxIntelTextBytes = 20_000

// IntelItem is one entry in the unit's intelligence log.
//
// Summary is the unit's own account of the intelligence, for the unit only;
// Sanitised is the version for dissemination, with sources and victims
// protected. An item is linked to a member of staff only when an analyst
// confirms the identification (StaffID with LinkedBy and LinkedAt).
type IntelItem struct {
	ID        int64  `json:"id"` // set by the store
	Source    string `json:"source"`
	SourceRef string `json:"source_ref"` // the report, referral or alert it came from, e.g. "report:…"
	Summary   string `json:"summary"`
	Sanitised string `json:"sanitised,omitempty"`
	State     string `json:"state"`

	Grade    *Grade     `json:"grade,omitempty"`
	GradedBy string     `json:"graded_by,omitempty"`
	GradedAt *time.Time `json:"graded_at,omitempty"`

	SharedWith string     `json:"shared_with,omitempty"`
	SharedBy   string     `json:"shared_by,omitempty"`
	SharedAt   *time.Time `json:"shared_at,omitempty"`

	StaffID  string     `json:"staff_id,omitempty"`
	LinkedBy string     `json:"linked_by,omitempty"`
	LinkedAt *time.Time `json:"linked_at,omitempty"`

	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Unreadable, when set, says why Summary and Sanitised are empty: the
	// item's text is sealed and the reader's session holds no key that
	// opens it (for example "Sign in again with your password to read
	// this item").
	Unreadable string `json:"unreadable,omitempty"`
	// Sealed is the item's text as stored, encrypted at rest: when set,
	// Summary and Sanitised are empty in the store. Never in JSON.
	Sealed *SealedIntelText `json:"-"`
}

// SealedIntelText is an intelligence item's text encrypted under a key of
// the item's own, and that key wrapped for each unit member who may read
// it. The report package seals and opens it; stores keep it as it is.
type SealedIntelText struct {
	Summary   []byte // the sealed summary
	Sanitised []byte // the sealed sanitised text; nil when there is none
	// Keys are the item key's wraps to store with a new item (ItemID is
	// then set by the store); empty when read back.
	Keys []IntelKey
}

// IntelKey is an intelligence item's key wrapped for one recipient (a unit
// member or the escrow), like a report's content key.
type IntelKey struct {
	ItemID      int64
	RecipientID string
	Wrapped     []byte
	CreatedAt   time.Time
}

// Validate returns EINVALID for a key without a recipient or wrapped bytes.
func (k *IntelKey) Validate() error {
	if err := ValidateID("recipient_id", k.RecipientID); err != nil {
		return err
	}
	if len(k.Wrapped) == 0 {
		return FieldErrorf("wrapped", "wrapped key is required")
	}
	return ValidateTime("created_at", k.CreatedAt)
}

// IntelKeyService stores the wrapped keys of sealed intelligence items.
// Removing a key recipient (ReportService.DeleteKeyRecipient) removes
// their intelligence keys too.
type IntelKeyService interface {
	// IntelKey returns the item's key wrapped for recipientID; ENOTFOUND.
	IntelKey(ctx context.Context, itemID int64, recipientID string) (*IntelKey, error)
	// PutIntelKeys stores or replaces wrapped keys; ENOTFOUND for an item
	// that does not exist, EINVALID for a malformed key.
	PutIntelKeys(ctx context.Context, keys []IntelKey) error
	// RecipientIntelKeys returns every item key wrapped for recipientID,
	// by item ID.
	RecipientIntelKeys(ctx context.Context, recipientID string) ([]IntelKey, error)
	// SealIntelItem replaces the clear text of an item recorded before
	// items were sealed with sealed, and stores sealed.Keys, in one
	// transaction; the clear text is overwritten, not only hidden.
	// ENOTFOUND; ECONFLICT when the item is sealed already; EINVALID
	// without a sealed summary, with sealed sanitised text the item
	// lacks in clear or without it when it has, or a malformed key.
	SealIntelItem(ctx context.Context, id int64, sealed *SealedIntelText) error
}

// ValidateIntelText returns EINVALID naming field unless v is text of at
// most MaxIntelTextBytes.
func ValidateIntelText(field, v string) error {
	if len(v) > MaxIntelTextBytes || !validText(v) {
		return FieldErrorf(field, "This must be text of %d characters or fewer", MaxIntelTextBytes)
	}
	return nil
}

// CheckSealing returns EINVALID unless sealed can replace the clear text
// of it: a sealed summary, sealed sanitised text exactly when it has some,
// well-formed keys. ECONFLICT when it is sealed already. Stores call it in
// SealIntelItem.
func (it *IntelItem) CheckSealing(sealed *SealedIntelText) error {
	if it.Sealed != nil {
		return Errorf(ECONFLICT, "The item's text is sealed already.")
	}
	if sealed == nil || len(sealed.Summary) == 0 {
		return FieldErrorf("summary", "a sealed summary is required")
	}
	if (it.Sanitised != "") != (len(sealed.Sanitised) > 0) {
		return FieldErrorf("sanitised", "the sealed sanitised text must match the item's")
	}
	for i := range sealed.Keys {
		if err := sealed.Keys[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// hasSanitised reports whether the item has sanitised text, in clear or
// sealed.
func (it *IntelItem) hasSanitised() bool {
	return strings.TrimSpace(it.Sanitised) != "" || it.Sealed != nil && len(it.Sealed.Sanitised) > 0
}

// Validate returns an EINVALID *Error naming the first field at fault, and
// checks the item's invariants: a graded or shared item has a valid grade,
// a shared item has sanitised text and a recipient, and a staff link has the
// analyst who confirmed it.
func (it *IntelItem) Validate() error {
	if err := ValidateOneOf("source", it.Source, IntelFromReport, IntelFromReferral, IntelFromAlert, IntelFromScreening, IntelFromComplaint); err != nil {
		return err
	}
	if err := ValidateID("source_ref", it.SourceRef); err != nil {
		return err
	}
	if it.Sealed != nil {
		// Sealed text is checked before it is sealed; in the store the
		// clear fields stay empty.
		if len(it.Sealed.Summary) == 0 || it.Summary != "" || it.Sanitised != "" {
			return FieldErrorf("summary", "a sealed item has its summary sealed and no text in clear")
		}
	} else if strings.TrimSpace(it.Summary) == "" {
		return FieldErrorf("summary", "Enter a summary of the intelligence")
	}
	for _, f := range []struct{ name, v string }{{"summary", it.Summary}, {"sanitised", it.Sanitised}} {
		if err := ValidateIntelText(f.name, f.v); err != nil {
			return err
		}
	}
	if err := ValidateOneOf("state", it.State, IntelStates...); err != nil {
		return err
	}
	if err := ValidateID("created_by", it.CreatedBy); err != nil {
		return err
	}
	if err := ValidateTime("created_at", it.CreatedAt); err != nil {
		return err
	}
	if it.State != IntelUngraded {
		if it.Grade == nil {
			return FieldErrorf("grade", "a %s item must be graded", it.State)
		}
		if err := it.Grade.Validate(); err != nil {
			return err
		}
		if err := ValidateID("graded_by", it.GradedBy); err != nil {
			return err
		}
		if it.GradedAt == nil {
			return FieldErrorf("graded_at", "graded_at is required once graded")
		}
	} else if it.Grade != nil {
		return FieldErrorf("grade", "an ungraded item carries no grade")
	}
	if it.State == IntelShared {
		if !it.hasSanitised() {
			return FieldErrorf("sanitised", "An item needs sanitised text before it can be shared")
		}
		if err := ValidateID("shared_with", it.SharedWith); err != nil {
			return err
		}
		if err := ValidateID("shared_by", it.SharedBy); err != nil {
			return err
		}
		if it.SharedAt == nil {
			return FieldErrorf("shared_at", "shared_at is required once shared")
		}
	}
	if it.StaffID != "" {
		if err := ValidateID("staff_id", it.StaffID); err != nil {
			return err
		}
		if err := ValidateID("linked_by", it.LinkedBy); err != nil {
			return FieldErrorf("linked_by", "a link to a member of staff needs the analyst who confirmed it")
		}
		if it.LinkedAt == nil {
			return FieldErrorf("linked_at", "linked_at is required with staff_id")
		}
	}
	return nil
}

// Grading is an analyst grading (or regrading) an item.
type Grading struct {
	Grade Grade
	By    string
	At    time.Time
}

// Sharing is the dissemination of a graded item: Sanitised replaces the
// item's sanitised text when set, or for a sealed item SealedSanitised
// replaces its sealed sanitised text.
type Sharing struct {
	Sanitised       string
	SealedSanitised []byte
	With            string // who it is shared with: an organisation or team
	By              string
	At              time.Time
}

// StaffLink is an analyst's confirmation that an item concerns a member of
// staff.
type StaffLink struct {
	StaffID string
	By      string
	At      time.Time
}

// IntelFilter selects items; zero fields match all.
type IntelFilter struct {
	StaffID   string
	SourceRef string
	State     string
	Limit     int
	Offset    int
}

// IntelService stores the intelligence log.
type IntelService interface {
	// CreateIntelItem stores a new ungraded item and sets its ID. EINVALID
	// for an item that is not ungraded or has a staff link. An item with
	// Sealed is stored with its sealed text and Sealed.Keys, in one
	// transaction.
	CreateIntelItem(ctx context.Context, it *IntelItem) error
	// IntelItem returns one item; ENOTFOUND.
	IntelItem(ctx context.Context, id int64) (*IntelItem, error)
	// FindIntelItems lists items by ID, newest first, and the number matching.
	FindIntelItems(ctx context.Context, f IntelFilter) ([]*IntelItem, int, error)
	// GradeIntelItem grades an item: ECONFLICT for a shared one.
	GradeIntelItem(ctx context.Context, id int64, g Grading) (*IntelItem, error)
	// ShareIntelItem records dissemination: ECONFLICT unless graded,
	// EINVALID without sanitised text.
	ShareIntelItem(ctx context.Context, id int64, s Sharing) (*IntelItem, error)
	// LinkIntelStaff links an item to a member of staff, confirmed by an
	// analyst; linking again replaces the link.
	LinkIntelStaff(ctx context.Context, id int64, l StaffLink) (*IntelItem, error)
}

// ApplyGrading returns it graded by g, or ECONFLICT when it cannot be
// (re)graded, or EINVALID for a bad grade. Stores call it inside their
// transaction, so both adapters follow one rule.
func (it IntelItem) ApplyGrading(g Grading) (*IntelItem, error) {
	if !IntelTransitionAllowed(it.State, IntelGraded) {
		return nil, Errorf(ECONFLICT, "A %s item cannot be graded again: record a new item.", it.State)
	}
	if err := g.Grade.Validate(); err != nil {
		return nil, err
	}
	if err := ValidateID("by", g.By); err != nil {
		return nil, err
	}
	if err := ValidateTime("at", g.At); err != nil {
		return nil, err
	}
	grade, at := g.Grade, g.At.UTC().Truncate(time.Microsecond)
	it.Grade, it.GradedBy, it.GradedAt, it.State = &grade, g.By, &at, IntelGraded
	return &it, it.Validate()
}

// ApplySharing returns it shared by s: ECONFLICT unless graded, EINVALID
// without sanitised text.
func (it IntelItem) ApplySharing(s Sharing) (*IntelItem, error) {
	if !IntelTransitionAllowed(it.State, IntelShared) {
		if it.State == IntelUngraded {
			return nil, Errorf(ECONFLICT, "An item must be graded before it can be shared.")
		}
		return nil, Errorf(ECONFLICT, "The item has already been shared.")
	}
	switch {
	case it.Sealed != nil && s.Sanitised != "":
		return nil, FieldErrorf("sanitised", "a sealed item's sanitised text must be sealed too")
	case it.Sealed == nil && s.SealedSanitised != nil:
		return nil, FieldErrorf("sanitised", "an item whose summary is in clear cannot take sealed text")
	case s.SealedSanitised != nil:
		sealed := *it.Sealed
		sealed.Sanitised = s.SealedSanitised
		it.Sealed = &sealed
	case s.Sanitised != "":
		it.Sanitised = s.Sanitised
	}
	if err := ValidateTime("at", s.At); err != nil {
		return nil, err
	}
	at := s.At.UTC().Truncate(time.Microsecond)
	it.SharedWith, it.SharedBy, it.SharedAt, it.State = s.With, s.By, &at, IntelShared
	return &it, it.Validate()
}

// ApplyStaffLink returns it linked by l.
func (it IntelItem) ApplyStaffLink(l StaffLink) (*IntelItem, error) {
	if err := ValidateTime("at", l.At); err != nil {
		return nil, err
	}
	at := l.At.UTC().Truncate(time.Microsecond)
	it.StaffID, it.LinkedBy, it.LinkedAt = l.StaffID, l.By, &at
	if l.StaffID == "" {
		return nil, FieldErrorf("staff_id", "staff_id is required")
	}
	return &it, it.Validate()
}

// IntakeStore holds what comes in through the reporting channel and the
// partner portal, and the intelligence log made from it.
type IntakeStore interface {
	ReportService
	ReferralService
	IntelService
	IntelKeyService
}
