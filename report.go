package lantern

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Kinds of report. An anonymous reporter gives no identity at all; a
// confidential one gives it, and it is disclosed inside the unit only when
// the head of PSD approves an analyst's request.
const (
	ReportAnonymous    = "anonymous"
	ReportConfidential = "confidential"
)

// States of a report in the unit's hands. See ReportTransitionAllowed.
const (
	ReportReceived = "received"  // nobody in the unit has opened it
	ReportInReview = "in_review" // the unit is looking at it
	ReportActioned = "actioned"  // it became intelligence
	ReportClosed   = "closed"    // no further action, with a reason
)

// ReportStates lists the report states in the order a page shows them.
var ReportStates = []string{ReportReceived, ReportInReview, ReportActioned, ReportClosed}

var reportTransitions = map[string][]string{
	ReportReceived: {ReportInReview},
	ReportInReview: {ReportActioned, ReportClosed},
	ReportActioned: {ReportClosed},
	ReportClosed:   {ReportInReview}, // reopened
}

// ReportTransitionAllowed reports whether a report in state from may move to
// state to.
func ReportTransitionAllowed(from, to string) bool {
	return slices.Contains(reportTransitions[from], to)
}

// ReportStateNeedsReason reports whether moving a report to state needs a
// reason: closing does, so that the unit can later say why nothing was done.
func ReportStateNeedsReason(state string) bool { return state == ReportClosed }

// Bounds on what a reporter writes.
const (
	MaxAnswerBytes  = 10_000 // one structured answer
	MaxMessageBytes = 10_000 // one message in a thread
	MaxNameBytes    = 200    // a reporter's name or contact details
)

// ReportAnswers are a reporter's answers to the structured questions. Only
// What is required; the others help the unit find and judge the concern.
type ReportAnswers struct {
	Who      string `json:"who"`      // who the concern is about: name, collar number, role, station, vehicle
	What     string `json:"what"`     // what happened
	When     string `json:"when"`     // when, as exactly as the reporter can say
	Where    string `json:"where"`    // where
	Position string `json:"position"` // how they used their position: police systems, a case, promises, threats
	Others   string `json:"others"`   // who else knows, and any other evidence
}

// Validate returns an EINVALID *Error naming the first answer at fault.
func (a *ReportAnswers) Validate() error {
	if strings.TrimSpace(a.What) == "" {
		return FieldErrorf("what", "Tell us what happened")
	}
	for _, f := range []struct{ name, v string }{
		{"who", a.Who}, {"what", a.What}, {"when", a.When}, {"where", a.Where}, {"position", a.Position}, {"others", a.Others},
	} {
		if len(f.v) > MaxAnswerBytes {
			return FieldErrorf(f.name, "This answer must be %d characters or fewer", MaxAnswerBytes)
		}
		if !validText(f.v) {
			return FieldErrorf(f.name, "This answer contains characters that cannot be read")
		}
	}
	return nil
}

// ReporterIdentity is who a confidential reporter is and how to reach them.
type ReporterIdentity struct {
	Name    string `json:"name"`
	Contact string `json:"contact"` // a telephone number, an e-mail address, or how best to reach them
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (id *ReporterIdentity) Validate() error {
	if strings.TrimSpace(id.Name) == "" {
		return FieldErrorf("name", "Enter your name")
	}
	if strings.TrimSpace(id.Contact) == "" {
		return FieldErrorf("contact", "Enter how we can contact you")
	}
	for _, f := range []struct{ name, v string }{{"name", id.Name}, {"contact", id.Contact}} {
		if len(f.v) > MaxNameBytes {
			return FieldErrorf(f.name, "This must be %d characters or fewer", MaxNameBytes)
		}
		if !validText(f.v) {
			return FieldErrorf(f.name, "This contains characters that cannot be read")
		}
	}
	return nil
}

// Report is a report as the reporter gives it, before it is sealed.
type Report struct {
	Kind     string            `json:"kind"`
	Answers  ReportAnswers     `json:"answers"`
	Identity *ReporterIdentity `json:"identity,omitempty"` // confidential reports only
}

// Validate returns an EINVALID *Error naming the first field at fault: a
// confidential report needs an identity and an anonymous one must not carry
// one.
func (r *Report) Validate() error {
	if err := ValidateOneOf("kind", r.Kind, ReportAnonymous, ReportConfidential); err != nil {
		return FieldErrorf("kind", "Choose whether to tell us who you are")
	}
	if err := r.Answers.Validate(); err != nil {
		return err
	}
	switch {
	case r.Kind == ReportConfidential && r.Identity == nil:
		return FieldErrorf("name", "Enter your name")
	case r.Kind == ReportConfidential:
		return r.Identity.Validate()
	case r.Identity != nil:
		return FieldErrorf("kind", "An anonymous report cannot carry a name")
	}
	return nil
}

// ReportRecord is a report as it is stored: metadata the unit needs to
// manage it, in clear, and everything the reporter wrote, sealed.
//
// Nothing readable about the report is in clear: Answers and Identity are
// ciphertext under keys held in ReportKey rows, ReceiptLookup is a keyed slow
// hash of the receipt and ReceiptKey the report's content key wrapped under a
// key derived from the receipt.
type ReportRecord struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`

	StatusReason string     `json:"status_reason,omitempty"`
	StatusBy     string     `json:"status_by,omitempty"`
	StatusAt     *time.Time `json:"status_at,omitempty"`

	ReceivedAt time.Time `json:"received_at"`
	// ReporterAt is when the reporter last wrote (the report or an answer),
	// so the unit can see an answer is waiting.
	ReporterAt time.Time `json:"reporter_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	Answers       []byte `json:"-"` // sealed ReportAnswers
	Identity      []byte `json:"-"` // sealed ReporterIdentity; nil for anonymous reports
	ReceiptLookup []byte `json:"-"` // keyed slow hash of the receipt, for finding the report
	ReceiptKey    []byte `json:"-"` // the content key wrapped under the receipt
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (r *ReportRecord) Validate() error {
	if err := ValidateID("id", r.ID); err != nil {
		return err
	}
	if err := ValidateOneOf("kind", r.Kind, ReportAnonymous, ReportConfidential); err != nil {
		return err
	}
	if err := ValidateOneOf("status", r.Status, ReportStates...); err != nil {
		return err
	}
	if err := ValidateTime("received_at", r.ReceivedAt); err != nil {
		return err
	}
	if len(r.Answers) == 0 {
		return FieldErrorf("answers", "answers are required")
	}
	if (r.Kind == ReportConfidential) != (len(r.Identity) > 0) {
		return FieldErrorf("identity", "a confidential report carries a sealed identity and an anonymous one none")
	}
	if len(r.ReceiptLookup) != 32 {
		return FieldErrorf("receipt_lookup", "receipt_lookup must be 32 bytes")
	}
	if len(r.ReceiptKey) == 0 {
		return FieldErrorf("receipt_key", "receipt_key is required")
	}
	return nil
}

// ReportStatusUpdate is a change of a report's state by the unit.
type ReportStatusUpdate struct {
	Status string
	Reason string
	By     string // the user making the change
	At     time.Time
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (u *ReportStatusUpdate) Validate() error {
	if err := ValidateOneOf("status", u.Status, ReportStates...); err != nil {
		return err
	}
	if ReportStateNeedsReason(u.Status) && strings.TrimSpace(u.Reason) == "" {
		return FieldErrorf("reason", "a reason is required to move a report to %s", u.Status)
	}
	if len(u.Reason) > MaxStateReasonBytes || !validText(u.Reason) {
		return FieldErrorf("reason", "reason must be UTF-8 text of at most %d bytes", MaxStateReasonBytes)
	}
	if err := ValidateID("by", u.By); err != nil {
		return err
	}
	return ValidateTime("at", u.At)
}

// ReportFilter selects reports for the unit's list. Zero fields match all.
type ReportFilter struct {
	Status string
	Limit  int // 0 means no limit
	Offset int
}

// Authors of a message in a report's thread.
const (
	FromUnit     = "unit"
	FromReporter = "reporter"
)

// ReportMessage is one message in a report's thread, sealed under the
// report's content key.
type ReportMessage struct {
	ID       int64     `json:"id"` // set by the store, increasing
	ReportID string    `json:"report_id"`
	From     string    `json:"from"`         // FromUnit or FromReporter
	By       string    `json:"by,omitempty"` // the unit user; "" for the reporter
	At       time.Time `json:"at"`
	Body     []byte    `json:"-"` // sealed text
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (m *ReportMessage) Validate() error {
	if err := ValidateID("report_id", m.ReportID); err != nil {
		return err
	}
	if err := ValidateOneOf("from", m.From, FromUnit, FromReporter); err != nil {
		return err
	}
	if m.From == FromUnit {
		if err := ValidateID("by", m.By); err != nil {
			return err
		}
	} else if m.By != "" {
		return FieldErrorf("by", "a reporter's message names no user")
	}
	if err := ValidateTime("at", m.At); err != nil {
		return err
	}
	if len(m.Body) == 0 {
		return FieldErrorf("body", "body is required")
	}
	return nil
}

// Attachment is a file sent with a report: the original, kept as evidence,
// and where Lantern can strip its metadata, a sanitised copy for sharing.
// Its description (name, type, sizes and the SHA-256 of both copies that
// links them) is sealed in Meta; the copies are sealed too.
type Attachment struct {
	ID        string    `json:"id"`
	ReportID  string    `json:"report_id"`
	At        time.Time `json:"at"`
	Meta      []byte    `json:"-"` // sealed AttachmentMeta
	Original  []byte    `json:"-"` // sealed original; nil when listed
	Sanitised []byte    `json:"-"` // sealed sanitised copy; nil when there is none or when listed
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (a *Attachment) Validate() error {
	if err := ValidateID("id", a.ID); err != nil {
		return err
	}
	if err := ValidateID("report_id", a.ReportID); err != nil {
		return err
	}
	if err := ValidateTime("at", a.At); err != nil {
		return err
	}
	if len(a.Meta) == 0 {
		return FieldErrorf("meta", "meta is required")
	}
	if len(a.Original) == 0 {
		return FieldErrorf("original", "original is required")
	}
	return nil
}

// AttachmentMeta describes an attachment. It is only ever stored sealed.
type AttachmentMeta struct {
	Name          string `json:"name"`           // the file name the reporter gave
	ContentType   string `json:"content_type"`   // sniffed from the content, not the name
	Size          int64  `json:"size"`           // bytes of the original
	SHA256        string `json:"sha256"`         // hex SHA-256 of the original
	SanitisedType string `json:"sanitised_type"` // "" when there is no sanitised copy
	SanitisedSize int64  `json:"sanitised_size"`
	// SanitisedSHA256 is the hex SHA-256 of the sanitised copy, which with
	// SHA256 links the copy to its original.
	SanitisedSHA256 string `json:"sanitised_sha256"`
	// NotSanitised says why there is no sanitised copy.
	NotSanitised string `json:"not_sanitised,omitempty"`
}

// Purposes of a wrapped report key.
const (
	KeyContent  = "content"  // the key of the answers, messages and attachments
	KeyIdentity = "identity" // the key of a confidential reporter's identity
)

// EscrowRecipient is the recipient id of the escrow key held by the head of
// PSD for recovery.
const EscrowRecipient = "escrow"

// ReportKey is one report's key wrapped for one recipient (an age file).
type ReportKey struct {
	ReportID    string    `json:"report_id"`
	RecipientID string    `json:"recipient_id"` // a user id, or EscrowRecipient
	Purpose     string    `json:"purpose"`      // KeyContent or KeyIdentity
	Wrapped     []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (k *ReportKey) Validate() error {
	if err := ValidateID("report_id", k.ReportID); err != nil {
		return err
	}
	if err := ValidateID("recipient_id", k.RecipientID); err != nil {
		return err
	}
	if err := ValidateOneOf("purpose", k.Purpose, KeyContent, KeyIdentity); err != nil {
		return err
	}
	if len(k.Wrapped) == 0 {
		return FieldErrorf("wrapped", "wrapped is required")
	}
	return ValidateTime("created_at", k.CreatedAt)
}

// KeyRecipient is a unit member's (or the escrow's) key pair: the public
// key in clear, the private key only wrapped under their password.
type KeyRecipient struct {
	UserID          string    `json:"user_id"` // or EscrowRecipient
	Role            UserRole  `json:"role"`
	PublicKey       string    `json:"public_key"` // an age recipient
	WrappedIdentity []byte    `json:"-"`          // the age identity, encrypted under a passphrase
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (r *KeyRecipient) Validate() error {
	if err := ValidateID("user_id", r.UserID); err != nil {
		return err
	}
	if r.UserID == EscrowRecipient {
		if r.Role != UserHeadOfPSD {
			return FieldErrorf("role", "the escrow key is held by the head of PSD")
		}
	} else if !ReportRecipientRole(r.Role) {
		return FieldErrorf("role", "role %q may not read reports", r.Role)
	}
	if !strings.HasPrefix(r.PublicKey, "age1") {
		return FieldErrorf("public_key", "public_key must be an age recipient")
	}
	if len(r.WrappedIdentity) == 0 {
		return FieldErrorf("wrapped_identity", "wrapped_identity is required")
	}
	return ValidateTime("created_at", r.CreatedAt)
}

// ReportRecipientRole reports whether users in role r receive report keys:
// analysts, investigators and the head of PSD. Auditors and administrators
// never do.
func ReportRecipientRole(r UserRole) bool {
	return r == UserAnalyst || r == UserInvestigator || r == UserHeadOfPSD
}

// States of a request to disclose a confidential reporter's identity.
const (
	DisclosureRequested = "requested"
	DisclosureApproved  = "approved"
	DisclosureRefused   = "refused"
)

// DisclosureRequest is an analyst's request to learn who a confidential
// reporter is, and the head of PSD's decision on it.
type DisclosureRequest struct {
	ID          int64      `json:"id"` // set by the store
	ReportID    string     `json:"report_id"`
	RequestedBy string     `json:"requested_by"`
	Reason      string     `json:"reason"`
	RequestedAt time.Time  `json:"requested_at"`
	State       string     `json:"state"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Note        string     `json:"note,omitempty"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (d *DisclosureRequest) Validate() error {
	if err := ValidateID("report_id", d.ReportID); err != nil {
		return err
	}
	if err := ValidateID("requested_by", d.RequestedBy); err != nil {
		return err
	}
	if strings.TrimSpace(d.Reason) == "" {
		return FieldErrorf("reason", "say why the reporter's identity is needed")
	}
	if len(d.Reason) > MaxStateReasonBytes || !validText(d.Reason) {
		return FieldErrorf("reason", "reason must be UTF-8 text of at most %d bytes", MaxStateReasonBytes)
	}
	if err := ValidateTime("requested_at", d.RequestedAt); err != nil {
		return err
	}
	if err := ValidateOneOf("state", d.State, DisclosureRequested, DisclosureApproved, DisclosureRefused); err != nil {
		return err
	}
	if d.State == DisclosureRequested {
		return nil
	}
	if err := ValidateID("decided_by", d.DecidedBy); err != nil {
		return err
	}
	if d.DecidedBy == d.RequestedBy {
		return FieldErrorf("decided_by", "a request cannot be decided by the person who made it")
	}
	if d.DecidedAt == nil {
		return FieldErrorf("decided_at", "decided_at is required once decided")
	}
	return ValidateTime("decided_at", *d.DecidedAt)
}

// DisclosureDecision is the head of PSD's answer to a request.
type DisclosureDecision struct {
	Approve bool
	Note    string
	By      string
	At      time.Time
}

// ReportService stores reports, their threads, attachments and wrapped
// keys, the unit's key pairs and requests to disclose identities.
type ReportService interface {
	// CreateReport stores a new report (its status received) and its
	// wrapped keys together. EINVALID for a bad record or key, ECONFLICT
	// for a known ID or receipt.
	CreateReport(ctx context.Context, r *ReportRecord, keys []ReportKey) error
	// Report returns the report with id, sealed fields included; ENOTFOUND.
	Report(ctx context.Context, id string) (*ReportRecord, error)
	// ReportByReceipt returns the report whose ReceiptLookup is lookup;
	// ENOTFOUND.
	ReportByReceipt(ctx context.Context, lookup []byte) (*ReportRecord, error)
	// FindReports lists reports newest first (then by ID), without their
	// sealed fields, and the number matching f whatever its paging.
	FindReports(ctx context.Context, f ReportFilter) ([]*ReportRecord, int, error)
	// SetReportStatus moves a report, following ReportTransitionAllowed:
	// ECONFLICT naming both states for a refused move, EINVALID for a bad
	// update, ENOTFOUND.
	SetReportStatus(ctx context.Context, id string, u ReportStatusUpdate) (*ReportRecord, error)

	// AddReportMessage appends m to its report's thread and sets m.ID; a
	// reporter's message also sets the report's ReporterAt. ENOTFOUND for
	// an unknown report.
	AddReportMessage(ctx context.Context, m *ReportMessage) error
	// ReportMessages returns a report's thread in ID order.
	ReportMessages(ctx context.Context, reportID string) ([]*ReportMessage, error)

	// AddAttachment stores a; ENOTFOUND for an unknown report, ECONFLICT for
	// a known ID.
	AddAttachment(ctx context.Context, a *Attachment) error
	// Attachments lists a report's attachments by At then ID, without the
	// sealed copies (Original and Sanitised nil).
	Attachments(ctx context.Context, reportID string) ([]*Attachment, error)
	// Attachment returns one attachment with its copies; ENOTFOUND.
	Attachment(ctx context.Context, id string) (*Attachment, error)

	// PutReportKeys stores wrapped keys, replacing any for the same report,
	// recipient and purpose. ENOTFOUND for an unknown report.
	PutReportKeys(ctx context.Context, keys []ReportKey) error
	// ReportKey returns one wrapped key; ENOTFOUND.
	ReportKey(ctx context.Context, reportID, recipientID, purpose string) (*ReportKey, error)
	// RecipientKeys returns every key wrapped for recipientID with purpose,
	// by report ID.
	RecipientKeys(ctx context.Context, recipientID, purpose string) ([]ReportKey, error)

	// PutKeyRecipient stores or replaces a key pair.
	PutKeyRecipient(ctx context.Context, r *KeyRecipient) error
	// DeleteKeyRecipient removes a user's key pair and every report key
	// wrapped for them; ENOTFOUND when they have none.
	DeleteKeyRecipient(ctx context.Context, userID string) error
	// KeyRecipient returns one key pair; ENOTFOUND.
	KeyRecipient(ctx context.Context, userID string) (*KeyRecipient, error)
	// KeyRecipients returns every key pair by user id, escrow included.
	KeyRecipients(ctx context.Context) ([]*KeyRecipient, error)

	// RequestDisclosure stores a new request (state requested) and sets
	// d.ID. ENOTFOUND for an unknown report, EINVALID for an anonymous one.
	RequestDisclosure(ctx context.Context, d *DisclosureRequest) error
	// DecideDisclosure approves or refuses a pending request: ECONFLICT when
	// it is already decided, EINVALID when decided by its requester,
	// ENOTFOUND.
	DecideDisclosure(ctx context.Context, id int64, u DisclosureDecision) (*DisclosureRequest, error)
	// DisclosureRequest returns one request; ENOTFOUND.
	DisclosureRequest(ctx context.Context, id int64) (*DisclosureRequest, error)
	// DisclosureRequests returns a report's requests in ID order.
	DisclosureRequests(ctx context.Context, reportID string) ([]*DisclosureRequest, error)
}

// Decide returns d decided by u: ECONFLICT when d is already decided,
// EINVALID when u is made by d's requester or is incomplete. Stores call it
// inside their transaction, so both adapters follow one rule.
func (d DisclosureRequest) Decide(u DisclosureDecision) (*DisclosureRequest, error) {
	if d.State != DisclosureRequested {
		return nil, Errorf(ECONFLICT, "This request has already been %s.", d.State)
	}
	if err := ValidateID("by", u.By); err != nil {
		return nil, err
	}
	if err := ValidateTime("at", u.At); err != nil {
		return nil, err
	}
	if len(u.Note) > MaxStateReasonBytes || !validText(u.Note) {
		return nil, FieldErrorf("note", "note must be UTF-8 text of at most %d bytes", MaxStateReasonBytes)
	}
	d.State = DisclosureRefused
	if u.Approve {
		d.State = DisclosureApproved
	}
	at := u.At.UTC().Truncate(time.Microsecond)
	d.DecidedBy, d.DecidedAt, d.Note = u.By, &at, u.Note
	return &d, d.Validate()
}
