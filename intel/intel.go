// Package intel is the unit's intelligence log: items graded on the 3x5x2
// model, shared only once graded and with sanitised text, and linked to a
// member of staff only on an analyst's confirmation. Every operation acts
// for the principal in its context and is written to the audit trail.
package intel

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lantern"
)

// Config is what a Service needs.
type Config struct {
	Store lantern.IntelService
	Audit lantern.AuditService
	// Staff are the force's staff records, against which an item's
	// identifiers are resolved; nil leaves Candidates unavailable.
	Staff lantern.StaffService
	// Proposers propose the members of staff an item's source appears to
	// identify, keyed by the item's Source (lantern.IntelFromReferral, …);
	// each is given the item's SourceRef. A source with no proposer has
	// no proposals.
	Proposers map[string]func(ctx context.Context, sourceRef string) ([]Proposal, error)
	// Named give, for sources that name a member of staff outright by
	// their staff id (a screening result), the member of staff an item's
	// source names, keyed by the item's Source. Such an item is kept from
	// that member of staff as if it were linked to them, before an analyst
	// links it.
	Named map[string]func(ctx context.Context, sourceRef string) (staffID string, err error)
	Now   func() time.Time
}

// Service is the intelligence log's core.
type Service struct{ cfg Config }

// NewService returns a Service; Store and Audit are required.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Audit == nil {
		return nil, errors.New("intel: Store and Audit are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// unit returns the principal in ctx if they work in the unit's intelligence
// roles (analyst, investigator, head of PSD).
func unit(ctx context.Context) (lantern.Principal, error) {
	p, ok := lantern.PrincipalFrom(ctx)
	switch {
	case !ok:
		return p, lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in first.")
	case p.LockedOut:
		return p, lantern.Errorf(lantern.EFORBIDDEN, "Your access is suspended.")
	case !lantern.ReportRecipientRole(p.Role):
		return p, lantern.Errorf(lantern.EFORBIDDEN, "Your role may not use the intelligence log.")
	}
	return p, nil
}

func (s *Service) record(ctx context.Context, p lantern.Principal, action string, id int64, outcome, detail string) error {
	_, err := s.cfg.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: action,
		Object: "intel:" + strconv.FormatInt(id, 10), Outcome: outcome, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// aboutUser reports whether it concerns p's own staff record: linked to it,
// or, before any link, from a source that names it (Config.Named).
func (s *Service) aboutUser(ctx context.Context, p lantern.Principal, it *lantern.IntelItem) (bool, error) {
	if p.StaffID == "" {
		return false, nil
	}
	if it.StaffID != "" {
		return it.StaffID == p.StaffID, nil
	}
	named := s.cfg.Named[it.Source]
	if named == nil {
		return false, nil
	}
	id, err := named(ctx, it.SourceRef)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return id == p.StaffID, nil
}

// errAboutYou refuses an item linked to the principal's own staff record.
var errAboutYou = lantern.Errorf(lantern.EFORBIDDEN, "You cannot see material about yourself.")

// Get returns an item. An item linked to the user's own staff record is
// refused.
func (s *Service) Get(ctx context.Context, id int64) (*lantern.IntelItem, error) {
	p, err := unit(ctx)
	if err != nil {
		return nil, err
	}
	it, err := s.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if about, err := s.aboutUser(ctx, p, it); err != nil {
		return nil, err
	} else if about {
		s.record(ctx, p, "intel.view", id, lantern.AuditDenied, "about the user")
		return nil, errAboutYou
	}
	return it, s.record(ctx, p, "intel.view", id, lantern.AuditAllowed, "")
}

// List returns items matching f, leaving out any linked to the user's own
// staff record; asking for those by StaffID is refused.
func (s *Service) List(ctx context.Context, f lantern.IntelFilter) ([]*lantern.IntelItem, int, error) {
	p, err := unit(ctx)
	if err != nil {
		return nil, 0, err
	}
	if p.StaffID != "" && f.StaffID == p.StaffID {
		return nil, 0, errAboutYou
	}
	list, n, err := s.cfg.Store.FindIntelItems(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := list[:0]
	for _, it := range list {
		about, err := s.aboutUser(ctx, p, it)
		if err != nil {
			return nil, 0, err
		}
		if !about {
			out = append(out, it)
		} else {
			n--
		}
	}
	return out, n, s.record(ctx, p, "intel.list", 0, lantern.AuditAllowed, "")
}

// Grade grades or regrades an item (ECONFLICT once shared).
func (s *Service) Grade(ctx context.Context, id int64, g lantern.Grade) (*lantern.IntelItem, error) {
	p, err := s.allowed(ctx, id)
	if err != nil {
		return nil, err
	}
	it, err := s.cfg.Store.GradeIntelItem(ctx, id, lantern.Grading{Grade: g, By: p.UserID, At: s.cfg.Now()})
	if err != nil {
		return nil, err
	}
	return it, s.record(ctx, p, "intel.grade", id, lantern.AuditAllowed, g.String())
}

// Share records an item's dissemination with its sanitised text: ECONFLICT
// unless graded, EINVALID without sanitised text.
func (s *Service) Share(ctx context.Context, id int64, sanitised, with string) (*lantern.IntelItem, error) {
	p, err := s.allowed(ctx, id)
	if err != nil {
		return nil, err
	}
	it, err := s.cfg.Store.ShareIntelItem(ctx, id, lantern.Sharing{Sanitised: sanitised, With: with, By: p.UserID, At: s.cfg.Now()})
	if err != nil {
		s.record(ctx, p, "intel.share", id, lantern.AuditFailed, lantern.ErrorMessage(err))
		return nil, err
	}
	return it, s.record(ctx, p, "intel.share", id, lantern.AuditAllowed, "with "+with)
}

// LinkStaff records an analyst's confirmation that an item concerns a
// member of staff. Only analysts confirm identifications, and never about
// themselves.
func (s *Service) LinkStaff(ctx context.Context, id int64, staffID string) (*lantern.IntelItem, error) {
	p, err := s.allowed(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Role != lantern.UserAnalyst {
		s.record(ctx, p, "intel.link", id, lantern.AuditDenied, "not an analyst")
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only an analyst confirms who an item is about.")
	}
	if p.StaffID != "" && staffID == p.StaffID {
		return nil, errAboutYou
	}
	it, err := s.cfg.Store.LinkIntelStaff(ctx, id, lantern.StaffLink{StaffID: staffID, By: p.UserID, At: s.cfg.Now()})
	if err != nil {
		return nil, err
	}
	return it, s.record(ctx, p, "intel.link", id, lantern.AuditAllowed, "staff:"+staffID)
}

// allowed checks the principal and that the item is not about them.
func (s *Service) allowed(ctx context.Context, id int64) (lantern.Principal, error) {
	p, err := unit(ctx)
	if err != nil {
		return p, err
	}
	it, err := s.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return p, err
	}
	if about, err := s.aboutUser(ctx, p, it); err != nil {
		return p, err
	} else if about {
		return p, errAboutYou
	}
	return p, nil
}

// MaxCandidates bounds the staff records Candidates proposes.
const MaxCandidates = 20

// Identifiers are what is known of the member of staff an item concerns.
type Identifiers struct {
	Name         string // part or all of their name, any case
	CollarNumber string // their collar (shoulder) number, exactly
}

// Candidates resolves identifiers against the staff records, for an analyst
// to choose from and confirm with LinkStaff: the staff whose name contains
// every word of Name and, when given, whose collar number is CollarNumber,
// by staff id, at most MaxCandidates. The user's own staff record is never
// among them. The search is on the audit trail, without the identifiers.
func (s *Service) Candidates(ctx context.Context, id int64, who Identifiers) ([]*lantern.Staff, error) {
	p, err := s.allowed(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Role != lantern.UserAnalyst {
		s.record(ctx, p, "intel.resolve", id, lantern.AuditDenied, "not an analyst")
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only an analyst confirms who an item is about.")
	}
	if s.cfg.Staff == nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "The staff records are not available.")
	}
	words := strings.Fields(strings.ToLower(who.Name))
	collar := strings.TrimSpace(who.CollarNumber)
	if len(words) == 0 && collar == "" {
		return nil, lantern.FieldErrorf("name", "Enter a name or a collar number")
	}
	if len(who.Name) > 200 || len(collar) > 50 {
		return nil, lantern.FieldErrorf("name", "Enter a name of 200 characters or fewer and a collar number of 50 or fewer")
	}
	all, _, err := s.cfg.Staff.FindStaff(ctx, lantern.StaffFilter{})
	if err != nil {
		return nil, err
	}
	var out []*lantern.Staff
	for _, st := range all {
		if p.StaffID != "" && st.ID == p.StaffID {
			continue
		}
		if collar != "" && !strings.EqualFold(st.CollarNumber, collar) {
			continue
		}
		name, match := strings.ToLower(st.Name), true
		for _, w := range words {
			match = match && strings.Contains(name, w)
		}
		if match {
			out = append(out, st)
			if len(out) == MaxCandidates {
				break
			}
		}
	}
	return out, s.record(ctx, p, "intel.resolve", id, lantern.AuditAllowed, strconv.Itoa(len(out))+" candidates")
}
