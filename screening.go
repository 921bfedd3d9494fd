package lantern

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Integrity screening checks: the national and local databases a member of
// staff is checked against while in post.
const (
	CheckPNC               = "pnc"                // Police National Computer
	CheckPND               = "pnd"                // Police National Database
	CheckFinancial         = "financial"          // credit reference and financial standing
	CheckNFIB              = "nfib"               // National Fraud Intelligence Bureau
	CheckSocialMedia       = "social_media"       // open-source review of social media
	CheckBusinessInterests = "business_interests" // company directorships and business interests
	CheckLocalIntelligence = "local_intelligence" // the force's own intelligence system
	CheckOther             = "other"              // any other check, described in the detail
)

// ScreeningChecks lists the checks a screening result may name.
var ScreeningChecks = []string{CheckPNC, CheckPND, CheckFinancial, CheckNFIB, CheckSocialMedia,
	CheckBusinessInterests, CheckLocalIntelligence, CheckOther}

// checkNames are the checks as people write them.
var checkNames = map[string]string{
	CheckPNC: "PNC", CheckPND: "PND", CheckFinancial: "financial", CheckNFIB: "NFIB",
	CheckSocialMedia: "social media", CheckBusinessInterests: "business interests",
	CheckLocalIntelligence: "local intelligence", CheckOther: "other",
}

// Results of a screening check.
const (
	ScreeningNoTrace       = "no_trace"       // nothing found
	ScreeningTrace         = "trace"          // a record found that concerns the member of staff
	ScreeningPossibleTrace = "possible_trace" // a partial match that needs confirming
)

// ScreeningOutcomes lists the results a screening check may have.
var ScreeningOutcomes = []string{ScreeningNoTrace, ScreeningTrace, ScreeningPossibleTrace}

// MaxScreeningDetail is the longest detail a screening result may carry.
const MaxScreeningDetail = 2000

// ScreeningActor is who the audit trail and the intelligence log name as
// having recorded an item from a screening result: the system, not a user.
const ScreeningActor = "system:screening"

// ScreeningResult is the result of one integrity screening check of a member
// of staff against a national or local database. Every result is kept, so
// that the unit can show who was checked and when; a result with a finding
// (anything but no trace) also becomes an intelligence item.
type ScreeningResult struct {
	ID        string    `json:"id"` // the source's identifier for the result
	StaffID   string    `json:"staff_id"`
	CheckedAt time.Time `json:"checked_at"`
	Check     string    `json:"check"`  // one of ScreeningChecks
	Result    string    `json:"result"` // one of ScreeningOutcomes
	Detail    string    `json:"detail,omitempty"`
	Reference string    `json:"reference,omitempty"` // the check's own reference
	// IntelID is the intelligence item recorded from the result, 0 for
	// none; set by the store.
	IntelID int64 `json:"intel_id,omitempty"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (r *ScreeningResult) Validate() error {
	if err := ValidateID("id", r.ID); err != nil {
		return err
	}
	if err := ValidateID("staff_id", r.StaffID); err != nil {
		return err
	}
	if err := ValidateTime("checked_at", r.CheckedAt); err != nil {
		return err
	}
	if err := ValidateOneOf("check", r.Check, ScreeningChecks...); err != nil {
		return err
	}
	if err := ValidateOneOf("result", r.Result, ScreeningOutcomes...); err != nil {
		return err
	}
	if len(r.Detail) > MaxScreeningDetail {
		return FieldErrorf("detail", "detail is longer than %d bytes", MaxScreeningDetail)
	}
	if !validText(r.Detail) {
		return FieldErrorf("detail", "detail contains a control character other than tab or newline")
	}
	if r.Check == CheckOther && strings.TrimSpace(r.Detail) == "" && r.Result != ScreeningNoTrace {
		return FieldErrorf("detail", "detail is required for a finding of an other check: say what was checked and found")
	}
	if r.Reference != "" {
		if err := ValidateID("reference", r.Reference); err != nil {
			return err
		}
	}
	return nil
}

// Finding reports whether the check found something: a trace or a possible
// trace.
func (r *ScreeningResult) Finding() bool { return r.Result != ScreeningNoTrace }

// SourceRef is how the intelligence log refers to the result:
// "screening:<id>".
func (r *ScreeningResult) SourceRef() string { return IntelFromScreening + ":" + r.ID }

// CheckName gives the check as people write it ("PNC", "social media").
func (r *ScreeningResult) CheckName() string {
	if n, ok := checkNames[r.Check]; ok {
		return n
	}
	return r.Check
}

// Described says which check of which day the result is, as in "the PNC
// check of 2026-03-01".
func (r *ScreeningResult) Described() string {
	return "the " + r.CheckName() + " check of " + r.CheckedAt.UTC().Format(time.DateOnly)
}

// IntelSummary is the summary of the intelligence item recorded from a
// finding: the check, its date, the member of staff it names (for the
// analyst to confirm with a link), the result, the detail and the check's
// reference.
func (r *ScreeningResult) IntelSummary() string {
	var b strings.Builder
	what := "A trace"
	if r.Result == ScreeningPossibleTrace {
		what = "A possible trace"
	}
	b.WriteString(what + " on " + r.Described() + " (" + r.CheckedAt.UTC().Format("15:04 UTC") + ")")
	b.WriteString(" naming staff " + r.StaffID + ".")
	if d := strings.TrimSpace(r.Detail); d != "" {
		b.WriteString(" " + d)
	}
	if r.Reference != "" {
		b.WriteString(" (check reference " + r.Reference + ")")
	}
	return b.String()
}

// IntelItem returns the ungraded, unlinked intelligence item a finding
// becomes, recorded at now by ScreeningActor. Both store adapters create
// items through it, so they write the same text.
func (r *ScreeningResult) IntelItem(now time.Time) *IntelItem {
	return &IntelItem{Source: IntelFromScreening, SourceRef: r.SourceRef(), Summary: r.IntelSummary(),
		State: IntelUngraded, CreatedBy: ScreeningActor, CreatedAt: now}
}

// ScreeningAudit returns the intel.create audit entry for item it, recorded
// from r at now by ScreeningActor.
func (r *ScreeningResult) ScreeningAudit(it *IntelItem, now time.Time) AuditEntry {
	return AuditEntry{Time: now, UserID: ScreeningActor, Action: "intel.create", Object: "intel:" + strconv.FormatInt(it.ID, 10),
		Outcome: AuditAllowed, Detail: "from " + r.SourceRef() + " (" + r.Check + " " + r.Result + ")"}
}

// ScreeningFilter selects screening results; zero fields match all. Since is
// inclusive and Until exclusive.
type ScreeningFilter struct {
	StaffID  string
	Check    string
	Findings bool // only results with a finding
	Since    time.Time
	Until    time.Time
	Limit    int
	Offset   int
}

// ScreeningCoverage counts one check's results over a period.
type ScreeningCoverage struct {
	Check    string    `json:"check"`
	Results  int       `json:"results"`
	Staff    int       `json:"staff"` // distinct members of staff checked
	Findings int       `json:"findings"`
	Last     time.Time `json:"last"` // the latest check in the period
}

// SortScreeningCoverage puts cs in the order of ScreeningChecks.
func SortScreeningCoverage(cs []ScreeningCoverage) {
	slices.SortFunc(cs, func(a, b ScreeningCoverage) int {
		return slices.Index(ScreeningChecks, a.Check) - slices.Index(ScreeningChecks, b.Check)
	})
}

// IntelSeal seals a new item's text in place: it sets Sealed and empties
// Summary and Sanitised. It is pure computation over keys fetched before
// it was made, so a store may call it inside a transaction.
type IntelSeal func(it *IntelItem) error

// ScreeningService stores integrity screening results.
type ScreeningService interface {
	// RecordScreeningResults stores the results whose ID is not stored yet
	// (a known ID is left as it was) and, in the same transaction, records
	// each new result with a finding as an ungraded intelligence item
	// (ScreeningResult.IntelItem) with an intel.create entry on the audit
	// trail, setting IntelID. Recording the same results again changes
	// nothing, so replaying the event log creates no second item. It
	// returns the items created; EINVALID for a result that fails
	// Validate, in which case nothing is stored. seal, when not nil, seals
	// each item's text before it is written (see IntelSeal); nil records
	// the text in clear, to be sealed later.
	RecordScreeningResults(ctx context.Context, seal IntelSeal, rs ...*ScreeningResult) ([]*IntelItem, error)
	// ScreeningResult returns one result; ENOTFOUND.
	ScreeningResult(ctx context.Context, id string) (*ScreeningResult, error)
	// FindScreeningResults lists results, latest check first, and the
	// number matching.
	FindScreeningResults(ctx context.Context, f ScreeningFilter) ([]*ScreeningResult, int, error)
	// ScreeningCoverage counts the results checked in [since, until) per
	// check, in the order of ScreeningChecks; checks with no results are
	// left out. A zero until means no end.
	ScreeningCoverage(ctx context.Context, since, until time.Time) ([]ScreeningCoverage, error)
}
