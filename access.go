package lantern

import (
	"context"
	"slices"
	"time"
)

// UserRole is what a user of Lantern does in the force. It is not the
// member of staff's policing role (Staff.Role), which decides peer groups.
type UserRole string

// The roles of Lantern's users (see docs/security.md for what each may do).
const (
	UserAnalyst       UserRole = "analyst"       // triages alerts, reads intelligence
	UserInvestigator  UserRole = "investigator"  // runs cases
	UserHeadOfPSD     UserRole = "head_of_psd"   // the appropriate authority
	UserAuditor       UserRole = "auditor"       // checks who in the unit looked at what
	UserAdministrator UserRole = "administrator" // runs the system; reads no content
	UserPartner       UserRole = "partner"       // an organisation that supports vulnerable people
	UserInspector     UserRole = "inspector"     // figures only, never case content
)

// UserRoles lists every role, in the order pages show them.
var UserRoles = []UserRole{UserAnalyst, UserInvestigator, UserHeadOfPSD, UserAuditor, UserAdministrator, UserPartner, UserInspector}

// UnitRole reports whether r is a role in the counter-corruption unit itself,
// whose users must use a second factor.
func (r UserRole) UnitRole() bool {
	switch r {
	case UserAnalyst, UserInvestigator, UserHeadOfPSD, UserAuditor:
		return true
	}
	return false
}

// Valid reports whether r is one of UserRoles.
func (r UserRole) Valid() bool { return slices.Contains(UserRoles, r) }

// Principal is the signed-in user a request acts for.
type Principal struct {
	UserID string   // the user's id in Lantern
	Name   string   // display name
	Role   UserRole // what they may do
	// StaffID is the user's own staff id in the force, or "" when they are
	// not on the force's staff (a partner, an inspector). Nothing about this
	// member of staff is ever shown to them.
	StaffID string
	// LockedOut is set when there is an open case against StaffID; such a
	// user can do nothing but sign out.
	LockedOut bool
	// SessionID identifies the session, for audit and for signing out.
	SessionID string
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok && p.UserID != ""
}

// Action is something a user asks to do. Every action is checked by
// Authorize and recorded on the audit trail.
type Action string

// The actions of the workspace.
const (
	ActViewAlerts  Action = "alerts.view"   // the queue, an alert, the risk ranking
	ActChangeAlert Action = "alerts.change" // triage, dismiss, escalate
	ActViewStaff   Action = "staff.view"    // a staff profile and its timeline
	ActViewPerson  Action = "person.view"   // who accessed a person's records
	ActViewRules   Action = "rules.view"    // the rule library, hit counts, fixtures
	ActReloadRules Action = "rules.reload"  // load a changed rule library
	ActViewIntake  Action = "intake.view"   // sources, rates, quarantine
	ActViewAudit   Action = "audit.view"    // search and verify the audit trail
	ActManageUsers Action = "users.manage"  // add, disable, reset users
	// ActRestrictStaff records or ends an open case against a member of
	// staff, which locks them out of the workspace.
	ActRestrictStaff Action = "staff.restrict"
	// Reports from the confidential reporting channel. Reading one also
	// needs the user's own report key, which only the unit's analysts,
	// investigators and head of PSD hold.
	ActViewReports  Action = "reports.view"   // the list of reports, a report, its files
	ActChangeReport Action = "reports.change" // ask the reporter a question, move a report
	// ActRequestIdentity asks for a confidential reporter's identity;
	// ActDecideIdentity approves or refuses such a request.
	ActRequestIdentity Action = "identity.request"
	ActDecideIdentity  Action = "identity.decide"
	// ActPartnerReferrals is the partner referral portal: submit a
	// referral, follow one's own organisation's referrals and exchange
	// messages with the unit about them.
	ActPartnerReferrals Action = "referrals.partner"
	// The unit's side of referrals: read every organisation's, and answer,
	// acknowledge, assess and close them with feedback for the partner.
	ActViewReferrals  Action = "referrals.view"
	ActChangeReferral Action = "referrals.change"
	// The intelligence log: ActViewIntel lists and reads items,
	// ActChangeIntel grades and shares them, and ActLinkIntel confirms
	// which member of staff an item concerns (analysts only).
	ActViewIntel   Action = "intel.view"
	ActChangeIntel Action = "intel.change"
	ActLinkIntel   Action = "intel.link"
)

// Actions lists every action.
var Actions = []Action{ActViewAlerts, ActChangeAlert, ActViewStaff, ActViewPerson, ActViewRules, ActReloadRules,
	ActViewIntake, ActViewAudit, ActManageUsers, ActRestrictStaff, ActViewReports, ActChangeReport, ActRequestIdentity, ActDecideIdentity, ActPartnerReferrals,
	ActViewReferrals, ActChangeReferral, ActViewIntel, ActChangeIntel, ActLinkIntel}

// permissions is the policy: the actions each role may take. Nothing else
// is allowed.
var permissions = map[UserRole][]Action{
	UserAnalyst: {ActViewAlerts, ActChangeAlert, ActViewStaff, ActViewPerson, ActViewRules, ActViewIntake,
		ActViewReports, ActChangeReport, ActRequestIdentity, ActViewReferrals, ActChangeReferral, ActViewIntel, ActChangeIntel, ActLinkIntel},
	UserInvestigator: {ActViewAlerts, ActChangeAlert, ActViewStaff, ActViewPerson, ActViewRules,
		ActViewReports, ActChangeReport, ActRequestIdentity, ActViewReferrals, ActChangeReferral, ActViewIntel, ActChangeIntel},
	UserHeadOfPSD: {ActViewAlerts, ActChangeAlert, ActViewStaff, ActViewPerson, ActViewRules, ActViewIntake, ActRestrictStaff,
		ActViewReports, ActChangeReport, ActDecideIdentity, ActViewReferrals, ActChangeReferral, ActViewIntel, ActChangeIntel},
	UserAuditor:       {ActViewAudit},
	UserAdministrator: {ActViewRules, ActReloadRules, ActViewIntake, ActManageUsers},
	UserPartner:       {ActPartnerReferrals},
	UserInspector:     nil,
}

// concernsStaff lists the actions whose result is about a member of staff,
// and so must never be shown to that member of staff. Searching the audit
// trail for who looked at a member of staff would tell them they are being
// looked at; restricting oneself, or lifting one's own restriction, would
// defeat the restriction.
var concernsStaff = []Action{ActViewAlerts, ActChangeAlert, ActViewStaff, ActViewAudit, ActRestrictStaff}

// Authorize decides whether p may take action a. about is the staff id the
// action concerns (the subject of an alert or a profile), or "" when it
// concerns no one in particular. It returns nil, or an EUNAUTHORIZED or
// EFORBIDDEN error saying why not.
func Authorize(p Principal, a Action, about string) error {
	if p.UserID == "" {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if p.LockedOut {
		return Errorf(EFORBIDDEN, "Your access to the workspace is suspended.")
	}
	if !slices.Contains(permissions[p.Role], a) {
		return Errorf(EFORBIDDEN, "Your role may not do this.")
	}
	if about != "" && p.StaffID != "" && about == p.StaffID && slices.Contains(concernsStaff, a) {
		return Errorf(EFORBIDDEN, "You cannot see material about yourself.")
	}
	return nil
}

// Allowed reports whether the role may take the action at all, for pages
// deciding which links to show. Authorize remains the check.
func (r UserRole) Allowed(a Action) bool { return slices.Contains(permissions[r], a) }

// AuditEntry is one entry on the tamper-evident trail of the system's own
// use: who did what to which object, and whether they were allowed.
type AuditEntry struct {
	Seq     int64     `json:"seq"`     // position on the trail, from 1, set on append
	Time    time.Time `json:"time"`    // when, set on append when zero
	UserID  string    `json:"user_id"` // who; "system" or "cli:<name>" for non-interactive use
	Role    UserRole  `json:"role,omitempty"`
	Action  string    `json:"action"`           // an Action, or another verb such as "signin"
	Object  string    `json:"object,omitempty"` // "alert:42", "staff:S1", "person:P7", "user:u3"
	Outcome string    `json:"outcome"`          // "allowed", "denied" or "failed"
	Detail  string    `json:"detail,omitempty"` // a short note; never a secret or a report's content
	// PrevHash and Hash chain the trail: Hash covers PrevHash and every
	// field above. Both are hex SHA-256, set on append.
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Audit outcomes.
const (
	AuditAllowed = "allowed"
	AuditDenied  = "denied"
	AuditFailed  = "failed"
)

// AuditQuery selects entries from the trail; zero fields match everything.
type AuditQuery struct {
	UserID   string
	Action   string
	Object   string
	Since    time.Time
	Until    time.Time
	AfterSeq int64 // entries with Seq > AfterSeq, for paging and verification
	Limit    int   // 0 means a default page
}

// AuditService keeps the audit trail. Appends are serialised so the chain
// has one order.
type AuditService interface {
	// AppendAudit adds e to the end of the trail, setting Seq, Time when
	// zero, PrevHash and Hash, and returns the stored entry.
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// AuditEntries returns entries matching q in Seq order.
	AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
