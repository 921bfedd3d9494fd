package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"filippo.io/age"

	"lantern"
)

// The unit-side operations below act for the principal in ctx (see
// lantern.WithPrincipal), who must be an analyst, investigator or head of
// PSD, and, to read anything sealed, must have signed in with their password
// in this process so that their key is unlocked. Each is written to the
// audit trail before it returns anything: the entry names the report, never
// its content. Without an audit trail they return EUNAVAILABLE.

// principal returns the unit member ctx acts for.
func (s *Service) principal(ctx context.Context) (lantern.Principal, error) {
	p, _ := lantern.PrincipalFrom(ctx)
	if err := unitMember(p); err != nil {
		return p, err
	}
	if s.cfg.Audit == nil {
		return p, lantern.Errorf(lantern.EUNAVAILABLE, "The audit trail is not available, so reports cannot be used.")
	}
	return p, nil
}

// record appends an audit entry for p; an operation whose entry cannot be
// written does not go ahead.
func (s *Service) record(ctx context.Context, p lantern.Principal, action, object, outcome, detail string) error {
	_, err := s.cfg.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: action, Object: object, Outcome: outcome, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// ListReports lists reports, metadata only (kind, state, times): nothing
// sealed is opened, so no key is needed.
func (s *Service) ListReports(ctx context.Context, f lantern.ReportFilter) ([]*lantern.ReportRecord, int, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := s.record(ctx, p, "report.list", "reports", lantern.AuditAllowed, f.Status); err != nil {
		return nil, 0, err
	}
	return s.cfg.Store.FindReports(ctx, f)
}

// contentKey unwraps the report's content key with p's unlocked key.
func (s *Service) contentKey(ctx context.Context, p lantern.Principal, rec *lantern.ReportRecord) (key, error) {
	id, err := s.cfg.Keyring.identity(p)
	if err != nil {
		return key{}, err
	}
	return s.unwrapFor(ctx, id, rec.ID, p.UserID, lantern.KeyContent)
}

func (s *Service) unwrapFor(ctx context.Context, id age.Identity, reportID, userID, purpose string) (key, error) {
	rk, err := s.cfg.Store.ReportKey(ctx, reportID, userID, purpose)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return key{}, lantern.Errorf(lantern.EFORBIDDEN, "This report's key was not wrapped for you: ask a colleague to grant it, or the head of PSD to recover it.")
	} else if err != nil {
		return key{}, err
	}
	k, err := unwrapKey(rk.Wrapped, id)
	if err != nil {
		return key{}, lantern.Errorf(lantern.EFORBIDDEN, "Your key does not open this report: it may have been replaced since the report arrived.")
	}
	return k, nil
}

// Open opens a report for the unit: answers, thread and files. A report
// not yet opened moves to in review.
func (s *Service) Open(ctx context.Context, reportID string) (*Thread, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.cfg.Store.Report(ctx, reportID)
	if err != nil {
		return nil, err
	}
	ck, err := s.contentKey(ctx, p, rec)
	if err != nil {
		s.record(ctx, p, "report.open", "report:"+reportID, lantern.AuditDenied, lantern.ErrorMessage(err))
		return nil, err
	}
	if err := s.record(ctx, p, "report.open", "report:"+reportID, lantern.AuditAllowed, ""); err != nil {
		return nil, err
	}
	if rec.Status == lantern.ReportReceived {
		if next, err := s.cfg.Store.SetReportStatus(ctx, reportID, lantern.ReportStatusUpdate{Status: lantern.ReportInReview, By: p.UserID, At: s.cfg.Now()}); err == nil {
			rec.Status = next.Status
		}
	}
	return s.thread(ctx, rec, ck)
}

// Ask adds a question from the unit to a report's thread, for the reporter
// to read when they return with their receipt.
func (s *Service) Ask(ctx context.Context, reportID, text string) error {
	p, err := s.principal(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return lantern.FieldErrorf("question", "Enter a question")
	}
	if len(text) > lantern.MaxMessageBytes || !validUTF8(text) {
		return lantern.FieldErrorf("question", "The question must be %d characters or fewer", lantern.MaxMessageBytes)
	}
	rec, err := s.cfg.Store.Report(ctx, reportID)
	if err != nil {
		return err
	}
	ck, err := s.contentKey(ctx, p, rec)
	if err != nil {
		return err
	}
	body, err := sealJSON(ck, label(reportID, "message"), messageBody{Text: text})
	if err != nil {
		return err
	}
	if err := s.record(ctx, p, "report.ask", "report:"+reportID, lantern.AuditAllowed, ""); err != nil {
		return err
	}
	return s.cfg.Store.AddReportMessage(ctx, &lantern.ReportMessage{ReportID: reportID, From: lantern.FromUnit, By: p.UserID, At: s.cfg.Now(), Body: body})
}

// AttachmentFile returns one attachment's description and its original, or
// with sanitised its sanitised copy (ENOTFOUND when there is none).
func (s *Service) AttachmentFile(ctx context.Context, reportID, attachmentID string, sanitised bool) (*File, []byte, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.cfg.Store.Attachment(ctx, attachmentID)
	if err != nil {
		return nil, nil, err
	}
	if a.ReportID != reportID {
		return nil, nil, lantern.Errorf(lantern.ENOTFOUND, "Attachment not found.")
	}
	rec, err := s.cfg.Store.Report(ctx, reportID)
	if err != nil {
		return nil, nil, err
	}
	ck, err := s.contentKey(ctx, p, rec)
	if err != nil {
		return nil, nil, err
	}
	f := &File{ID: a.ID, At: a.At}
	if err := openJSON(ck, label(reportID, "attachment/"+a.ID+"/meta"), a.Meta, &f.AttachmentMeta); err != nil {
		return nil, nil, err
	}
	part, sealed := "original", a.Original
	if sanitised {
		if a.Sanitised == nil {
			return nil, nil, lantern.Errorf(lantern.ENOTFOUND, "This file has no sanitised copy: %s", f.NotSanitised)
		}
		part, sealed = "sanitised", a.Sanitised
	}
	data, err := open(ck, label(reportID, "attachment/"+a.ID+"/"+part), sealed)
	if err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, p, "report.attachment."+part, "attachment:"+a.ID, lantern.AuditAllowed, "report:"+reportID); err != nil {
		return nil, nil, err
	}
	return f, data, nil
}

// SetStatus moves a report (closing needs a reason).
func (s *Service) SetStatus(ctx context.Context, reportID, status, reason string) (*lantern.ReportRecord, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.cfg.Store.SetReportStatus(ctx, reportID, lantern.ReportStatusUpdate{Status: status, Reason: reason, By: p.UserID, At: s.cfg.Now()})
	outcome := lantern.AuditAllowed
	if err != nil {
		outcome = lantern.AuditFailed
	}
	if aerr := s.record(ctx, p, "report.status", "report:"+reportID, outcome, status); err == nil && aerr != nil {
		return nil, aerr
	}
	return rec, err
}

// RequestDisclosure asks for a confidential reporter's identity. Analysts
// and investigators may ask; the head of PSD decides.
func (s *Service) RequestDisclosure(ctx context.Context, reportID, reason string) (*lantern.DisclosureRequest, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role == lantern.UserHeadOfPSD {
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "The head of PSD decides requests and does not make them.")
	}
	d := &lantern.DisclosureRequest{ReportID: reportID, RequestedBy: p.UserID, Reason: reason, RequestedAt: s.cfg.Now()}
	err = s.cfg.Store.RequestDisclosure(ctx, d)
	outcome, object := lantern.AuditAllowed, "report:"+reportID
	if err != nil {
		outcome = lantern.AuditFailed
	}
	if aerr := s.record(ctx, p, "report.disclosure.request", object, outcome, ""); err == nil && aerr != nil {
		return nil, aerr
	}
	return d, err
}

// DecideDisclosure approves or refuses a request. Approving wraps the
// report's identity key for the requester, with the head of PSD's own
// unlocked key: the gate is the cryptography, not only this check.
func (s *Service) DecideDisclosure(ctx context.Context, requestID int64, approve bool, note string) (*lantern.DisclosureRequest, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := headOfPSD(p); err != nil {
		s.record(ctx, p, "report.disclosure.decide", "disclosure:"+strconv.FormatInt(requestID, 10), lantern.AuditDenied, "")
		return nil, err
	}
	var wrapped []lantern.ReportKey
	var pending *lantern.DisclosureRequest
	if approve {
		if pending, wrapped, err = s.wrapIdentityFor(ctx, p, requestID); err != nil {
			return nil, err
		}
	}
	d, err := s.cfg.Store.DecideDisclosure(ctx, requestID, lantern.DisclosureDecision{Approve: approve, Note: note, By: p.UserID, At: s.cfg.Now()})
	action := "report.disclosure.refuse"
	if approve {
		action = "report.disclosure.approve"
	}
	object := "disclosure:" + strconv.FormatInt(requestID, 10)
	if err != nil {
		s.record(ctx, p, action, object, lantern.AuditFailed, "")
		return nil, err
	}
	if err := s.record(ctx, p, action, object, lantern.AuditAllowed, "report:"+d.ReportID+" for user:"+d.RequestedBy); err != nil {
		return nil, err
	}
	if approve && pending != nil {
		if err := s.cfg.Store.PutReportKeys(ctx, wrapped); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// wrapIdentityFor finds a pending request and wraps its report's identity
// key for the requester.
func (s *Service) wrapIdentityFor(ctx context.Context, p lantern.Principal, requestID int64) (*lantern.DisclosureRequest, []lantern.ReportKey, error) {
	d, err := s.cfg.Store.DisclosureRequest(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	if d.State != lantern.DisclosureRequested {
		return nil, nil, lantern.Errorf(lantern.ECONFLICT, "This request has already been %s.", d.State)
	}
	id, err := s.cfg.Keyring.identity(p)
	if err != nil {
		return nil, nil, err
	}
	ik, err := s.unwrapFor(ctx, id, d.ReportID, p.UserID, lantern.KeyIdentity)
	if err != nil {
		return nil, nil, err
	}
	to, err := s.cfg.Store.KeyRecipient(ctx, d.RequestedBy)
	if err != nil {
		return nil, nil, err
	}
	pub, err := age.ParseHybridRecipient(to.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	w, err := wrapKey(ik, pub)
	if err != nil {
		return nil, nil, err
	}
	return d, []lantern.ReportKey{{ReportID: d.ReportID, RecipientID: d.RequestedBy, Purpose: lantern.KeyIdentity, Wrapped: w, CreatedAt: s.cfg.Now()}}, nil
}

// Identity returns a confidential reporter's identity to a user whose
// request was approved, or to the head of PSD. Every look is audited.
func (s *Service) Identity(ctx context.Context, reportID string) (*lantern.ReporterIdentity, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	object := "report:" + reportID
	if p.Role != lantern.UserHeadOfPSD {
		list, err := s.cfg.Store.DisclosureRequests(ctx, reportID)
		if err != nil {
			return nil, err
		}
		approved := false
		for _, d := range list {
			approved = approved || d.RequestedBy == p.UserID && d.State == lantern.DisclosureApproved
		}
		if !approved {
			s.record(ctx, p, "report.identity.view", object, lantern.AuditDenied, "no approved request")
			return nil, lantern.Errorf(lantern.EFORBIDDEN, "The reporter's identity is disclosed only on a request the head of PSD has approved.")
		}
	}
	rec, err := s.cfg.Store.Report(ctx, reportID)
	if err != nil {
		return nil, err
	}
	if rec.Identity == nil {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "This report is anonymous.")
	}
	id, err := s.cfg.Keyring.identity(p)
	if err != nil {
		return nil, err
	}
	ik, err := s.unwrapFor(ctx, id, reportID, p.UserID, lantern.KeyIdentity)
	if err != nil {
		return nil, err
	}
	var who lantern.ReporterIdentity
	if err := openJSON(ik, label(reportID, "identity"), rec.Identity, &who); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "report.identity.view", object, lantern.AuditAllowed, ""); err != nil {
		return nil, err
	}
	return &who, nil
}

// CreateIntel records an intelligence item from a report, in the unit's own
// words (summary), ungraded, and marks the report actioned.
func (s *Service) CreateIntel(ctx context.Context, reportID, summary string) (*lantern.IntelItem, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.cfg.Store.Report(ctx, reportID)
	if err != nil {
		return nil, err
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:" + reportID, Summary: summary, State: lantern.IntelUngraded, CreatedBy: p.UserID, CreatedAt: s.cfg.Now()}
	if err := it.Validate(); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "intel.create", "report:"+reportID, lantern.AuditAllowed, ""); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.CreateIntelItem(ctx, it); err != nil {
		return nil, err
	}
	if rec.Status == lantern.ReportInReview {
		if _, err := s.cfg.Store.SetReportStatus(ctx, reportID, lantern.ReportStatusUpdate{Status: lantern.ReportActioned, By: p.UserID, At: s.cfg.Now()}); err != nil {
			return it, err
		}
	}
	return it, nil
}

// Disclosures lists the requests to disclose a report's reporter, oldest
// first, for the report's page: who asked, why, and what was decided.
func (s *Service) Disclosures(ctx context.Context, reportID string) ([]*lantern.DisclosureRequest, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.DisclosureRequests(ctx, reportID)
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "report.disclosure.list", "report:"+reportID, lantern.AuditAllowed, ""); err != nil {
		return nil, err
	}
	return list, nil
}
