package referral

import (
	"context"
	"fmt"
	"strconv"

	"lantern"
	"lantern/report"
)

// MaxFilesPerReferral bounds the files one referral gathers over time.
const MaxFilesPerReferral = 20

// errFileNotFound answers a request for a file that is not the referral's,
// or that the user may not have.
var errFileNotFound = lantern.Errorf(lantern.ENOTFOUND, "Attachment not found.")

// Limits returns the attachment limits in force.
func (s *Service) Limits() report.Limits { return s.cfg.Limits }

// prepareAll checks every upload before anything is stored, so a refused
// file leaves nothing half-sent.
func (s *Service) prepareAll(files []report.Upload) ([]*report.Prepared, error) {
	if len(files) > s.cfg.Limits.MaxFiles {
		return nil, lantern.FieldErrorf("file", "Attach %d files or fewer at a time", s.cfg.Limits.MaxFiles)
	}
	var out []*report.Prepared
	for _, f := range files {
		p, err := report.Prepare(f, s.cfg.Limits)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// store saves prepared files with referral id, for user by.
func (s *Service) attachments(id int64, by string, preps []*report.Prepared) []*lantern.ReferralAttachment {
	out := make([]*lantern.ReferralAttachment, len(preps))
	now := s.cfg.Now()
	for i, p := range preps {
		out[i] = &lantern.ReferralAttachment{ReferralID: id, By: by, At: now, AttachmentMeta: p.Meta, Original: p.Original, Sanitised: p.Sanitised}
	}
	return out
}

// described drops the contents of stored files, for the caller.
func described(files []*lantern.ReferralAttachment) []*lantern.ReferralAttachment {
	for _, a := range files {
		a.Original, a.Sanitised = nil, nil
	}
	return files
}

// AddFiles attaches more files to a partner's own organisation's referral
// while it is not in a final state. EINVALID naming the file and the reason
// for a file that fails the checks (nothing is stored then); ECONFLICT once
// the referral is final or has MaxFilesPerReferral files; ENOTFOUND for
// another organisation's referral.
func (s *Service) AddFiles(ctx context.Context, id int64, files []report.Upload) ([]*lantern.ReferralAttachment, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role != lantern.UserPartner {
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only the partner organisation that made a referral adds files to it.")
	}
	r, err := s.get(ctx, p, org, id)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, lantern.FieldErrorf("file", "Choose a file to attach")
	}
	if lantern.ReferralStateFinal(r.Status) {
		return nil, lantern.Errorf(lantern.ECONFLICT, "Files cannot be added to a referral that is closed.")
	}
	preps, err := s.prepareAll(files)
	if err != nil {
		return nil, err
	}
	have, err := s.cfg.Store.ReferralAttachments(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(have)+len(preps) > MaxFilesPerReferral {
		return nil, lantern.Errorf(lantern.ECONFLICT, "A referral can have at most %d files; it has %d.", MaxFilesPerReferral, len(have))
	}
	out := s.attachments(id, p.UserID, preps)
	if err := s.cfg.Store.AddReferralAttachments(ctx, out...); err != nil {
		return nil, fmt.Errorf("store referral attachments: %w", err)
	}
	if err := s.recordDetail(ctx, p, "referral.attach", "referral:"+strconv.FormatInt(id, 10), lantern.AuditAllowed, strconv.Itoa(len(out))+" files"); err != nil {
		return nil, err
	}
	return described(out), nil
}

// Files lists a referral's files, without their contents, to the partner
// organisation that made it and to the unit.
func (s *Service) Files(ctx context.Context, id int64) ([]*lantern.ReferralAttachment, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, p, org, id); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.ReferralAttachments(ctx, id)
	if err != nil {
		return nil, err
	}
	return list, s.record(ctx, p, "referral.files", id, lantern.AuditAllowed)
}

// File returns one of a referral's files with the copy asked for: a
// partner has the originals their organisation sent; the unit has the
// original or, with sanitised, the copy without metadata (ENOTFOUND when
// there is none, as for a PDF). Another organisation's referral and a file
// of another referral are not found. Every download is on the audit trail.
func (s *Service) File(ctx context.Context, id, fileID int64, sanitised bool) (*lantern.ReferralAttachment, []byte, error) {
	p, org, err := s.who(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.get(ctx, p, org, id); err != nil {
		return nil, nil, err
	}
	object := "referral_attachment:" + strconv.FormatInt(fileID, 10)
	ref := "referral:" + strconv.FormatInt(id, 10)
	if p.Role == lantern.UserPartner && sanitised {
		s.recordDetail(ctx, p, "referral.attachment.sanitised", object, lantern.AuditDenied, ref)
		return nil, nil, errFileNotFound
	}
	a, err := s.cfg.Store.ReferralAttachment(ctx, fileID)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND || err == nil && a.ReferralID != id {
		s.recordDetail(ctx, p, "referral.attachment", object, lantern.AuditDenied, ref)
		return nil, nil, errFileNotFound
	} else if err != nil {
		return nil, nil, err
	}
	part, data := "original", a.Original
	if sanitised {
		part, data = "sanitised", a.Sanitised
		if data == nil {
			return nil, nil, lantern.Errorf(lantern.ENOTFOUND, "This file has no sanitised copy: %s", a.NotSanitised)
		}
	}
	if err := s.recordDetail(ctx, p, "referral.attachment."+part, object, lantern.AuditAllowed, ref); err != nil {
		return nil, nil, err
	}
	a.Original, a.Sanitised = nil, nil
	return a, data, nil
}

func (s *Service) recordDetail(ctx context.Context, p lantern.Principal, action, object, outcome, detail string) error {
	_, err := s.cfg.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: action,
		Object: object, Outcome: outcome, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
