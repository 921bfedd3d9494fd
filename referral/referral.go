// Package referral is the partner referral portal's core: partner
// organisations submit referrals about officers, see the status of their own
// and the unit's messages, and nothing else; the unit acknowledges,
// assesses, answers and records intelligence from them. Every operation acts
// for the principal in its context and is written to the audit trail.
package referral

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"lantern"
	"lantern/report"
)

// Store is what the service keeps referrals and intelligence in.
type Store interface {
	lantern.ReferralService
	lantern.IntelService
}

// Config is what a Service needs.
type Config struct {
	Store Store
	Audit lantern.AuditService
	// PartnerOf returns the organisation a partner user belongs to; nil
	// treats each partner user as an organisation of their own.
	PartnerOf func(ctx context.Context, userID string) (string, error)
	Now       func() time.Time
	// Limits bound the files a partner attaches; zero means
	// report.DefaultLimits.
	Limits report.Limits
	// Notifier is told, with nothing about it, that a partner sent a new
	// referral or message; nil tells no one.
	Notifier report.Notifier
}

// Service is the referral portal's core.
type Service struct{ cfg Config }

// NewService returns a Service; Store and Audit are required.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Audit == nil {
		return nil, errors.New("referral: Store and Audit are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (report.Limits{}) {
		cfg.Limits = report.DefaultLimits
	}
	if cfg.PartnerOf == nil {
		cfg.PartnerOf = func(_ context.Context, id string) (string, error) { return id, nil }
	}
	return &Service{cfg: cfg}, nil
}

// errNotFound answers a partner asking for a referral that is not theirs
// exactly as for one that does not exist.
var errNotFound = lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")

// who returns the principal in ctx and, for a partner, their organisation.
// It returns EUNAUTHORIZED without a principal and EFORBIDDEN for a role
// that has no part in referrals or a locked-out user.
func (s *Service) who(ctx context.Context) (lantern.Principal, string, error) {
	p, ok := lantern.PrincipalFrom(ctx)
	switch {
	case !ok:
		return p, "", lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in first.")
	case p.LockedOut:
		return p, "", lantern.Errorf(lantern.EFORBIDDEN, "Your access is suspended.")
	case p.Role == lantern.UserPartner:
		org, err := s.cfg.PartnerOf(ctx, p.UserID)
		if err != nil {
			return p, "", err
		}
		return p, org, lantern.ValidateID("partner", org)
	case lantern.ReportRecipientRole(p.Role):
		return p, "", nil
	}
	return p, "", lantern.Errorf(lantern.EFORBIDDEN, "Your role has no part in referrals.")
}

func (s *Service) record(ctx context.Context, p lantern.Principal, action string, id int64, outcome string) error {
	_, err := s.cfg.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: action,
		Object: "referral:" + strconv.FormatInt(id, 10), Outcome: outcome})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// forPartner hides from a partner who in the unit handled their referral.
func forPartner(r *lantern.Referral) *lantern.Referral {
	c := *r
	c.StatusBy = ""
	return &c
}

// Submit records a partner's referral with the files attached to it. Only
// partners submit; EINVALID for a referral or a file that fails its checks
// (the message names the file and the reason), and then nothing is stored.
func (s *Service) Submit(ctx context.Context, r lantern.Referral, files ...report.Upload) (*lantern.Referral, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role != lantern.UserPartner {
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only partner organisations submit referrals.")
	}
	r.ID, r.Partner, r.SubmittedBy, r.SubmittedAt, r.Status = 0, org, p.UserID, s.cfg.Now(), lantern.ReferralSubmitted
	if err := r.Validate(); err != nil {
		return nil, err
	}
	preps, err := s.prepareAll(files)
	if err != nil {
		return nil, err
	}
	// The referral and its files are stored together, or not at all.
	if err := s.cfg.Store.CreateReferral(ctx, &r, s.attachments(0, p.UserID, preps)...); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "referral.submit", r.ID, lantern.AuditAllowed); err != nil {
		return nil, err
	}
	if len(preps) > 0 {
		if err := s.recordDetail(ctx, p, "referral.attach", "referral:"+strconv.FormatInt(r.ID, 10), lantern.AuditAllowed, strconv.Itoa(len(preps))+" files"); err != nil {
			return nil, err
		}
	}
	s.arrived(ctx)
	return forPartner(&r), nil
}

// arrived tells the unit that something new came from a partner.
func (s *Service) arrived(ctx context.Context) {
	if s.cfg.Notifier != nil {
		s.cfg.Notifier.Arrived(context.WithoutCancel(ctx))
	}
}

// List returns a partner's own organisation's referrals, or for the unit
// every referral matching f.
func (s *Service) List(ctx context.Context, f lantern.ReferralFilter) ([]*lantern.Referral, int, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, 0, err
	}
	if p.Role == lantern.UserPartner {
		f.Partner = org
	}
	list, n, err := s.cfg.Store.FindReferrals(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if p.Role == lantern.UserPartner {
		for i := range list {
			list[i] = forPartner(list[i])
		}
	}
	return list, n, s.record(ctx, p, "referral.list", 0, lantern.AuditAllowed)
}

// get returns a referral p may see: ENOTFOUND for a partner's request for
// another organisation's.
func (s *Service) get(ctx context.Context, p lantern.Principal, org string, id int64) (*lantern.Referral, error) {
	r, err := s.cfg.Store.Referral(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Role == lantern.UserPartner && r.Partner != org {
		s.record(ctx, p, "referral.view", id, lantern.AuditDenied)
		return nil, errNotFound
	}
	return r, nil
}

// Get returns one referral and its messages.
func (s *Service) Get(ctx context.Context, id int64) (*lantern.Referral, []*lantern.ReferralMessage, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.get(ctx, p, org, id)
	if err != nil {
		return nil, nil, err
	}
	msgs, err := s.cfg.Store.ReferralMessages(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, p, "referral.view", id, lantern.AuditAllowed); err != nil {
		return nil, nil, err
	}
	if p.Role == lantern.UserPartner {
		r = forPartner(r)
		for i, m := range msgs {
			if m.From == lantern.FromUnit {
				c := *m
				c.By = ""
				msgs[i] = &c
			}
		}
	}
	return r, msgs, nil
}

// Message adds a message to a referral: from the partner on their own, or
// from the unit.
func (s *Service) Message(ctx context.Context, id int64, body string) (*lantern.ReferralMessage, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, p, org, id); err != nil {
		return nil, err
	}
	m := &lantern.ReferralMessage{ReferralID: id, From: lantern.FromUnit, By: p.UserID, At: s.cfg.Now(), Body: body}
	if p.Role == lantern.UserPartner {
		m.From = lantern.FromPartner
	}
	if err := s.cfg.Store.AddReferralMessage(ctx, m); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "referral.message", id, lantern.AuditAllowed); err != nil {
		return nil, err
	}
	if m.From == lantern.FromPartner {
		s.arrived(ctx)
	}
	return m, nil
}

// SetStatus moves a referral. Partners may only withdraw their own before
// assessment; the unit makes every other move, with feedback for the
// partner where it chooses.
func (s *Service) SetStatus(ctx context.Context, id int64, status, feedback string) (*lantern.Referral, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, p, org, id); err != nil {
		return nil, err
	}
	if (p.Role == lantern.UserPartner) != (status == lantern.ReferralWithdrawn) {
		s.record(ctx, p, "referral.status", id, lantern.AuditDenied)
		if p.Role == lantern.UserPartner {
			return nil, lantern.Errorf(lantern.EFORBIDDEN, "A partner may only withdraw a referral.")
		}
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only the partner who made a referral may withdraw it.")
	}
	if p.Role == lantern.UserPartner {
		feedback = ""
	}
	r, err := s.cfg.Store.SetReferralStatus(ctx, id, lantern.ReferralStatusUpdate{Status: status, Feedback: feedback, By: p.UserID, At: s.cfg.Now()})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "referral.status", id, lantern.AuditAllowed); err != nil {
		return nil, err
	}
	if p.Role == lantern.UserPartner {
		r = forPartner(r)
	}
	return r, nil
}

// CreateIntel records an ungraded intelligence item from a referral, in
// the unit's words. Unit only.
func (s *Service) CreateIntel(ctx context.Context, id int64, summary string) (*lantern.IntelItem, error) {
	p, _, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role == lantern.UserPartner {
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only the unit records intelligence.")
	}
	if _, err := s.cfg.Store.Referral(ctx, id); err != nil {
		return nil, err
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:" + strconv.FormatInt(id, 10), Summary: summary,
		State: lantern.IntelUngraded, CreatedBy: p.UserID, CreatedAt: s.cfg.Now()}
	if err := s.cfg.Store.CreateIntelItem(ctx, it); err != nil {
		return nil, err
	}
	return it, s.record(ctx, p, "intel.create", id, lantern.AuditAllowed)
}

// OrganisationOf is a Config.PartnerOf that reads the partner user's
// organisation from their account: every partner user of one organisation
// sees its referrals. A partner account with no organisation counts as an
// organisation of its own, named by its user id.
func OrganisationOf(users lantern.UserService) func(ctx context.Context, userID string) (string, error) {
	return func(ctx context.Context, userID string) (string, error) {
		u, err := users.FindUserByID(ctx, userID)
		if err != nil {
			return "", err
		}
		if u.Organisation == "" {
			return u.ID, nil
		}
		return u.Organisation, nil
	}
}
