package web

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lantern"
	"lantern/intel"
	"lantern/report"
)

// Referrals is the partner referral portal's core. referral.Service is the
// implementation: it confines a partner to their own organisation's
// referrals, answering another's exactly as one that does not exist, and
// writes every use to the audit trail.
type Referrals interface {
	Submit(ctx context.Context, r lantern.Referral, files ...report.Upload) (*lantern.Referral, error)
	List(ctx context.Context, f lantern.ReferralFilter) ([]*lantern.Referral, int, error)
	Get(ctx context.Context, id int64) (*lantern.Referral, []*lantern.ReferralMessage, error)
	Message(ctx context.Context, id int64, body string) (*lantern.ReferralMessage, error)
	SetStatus(ctx context.Context, id int64, status, feedback string) (*lantern.Referral, error)
	// CreateIntel records an ungraded intelligence item from a referral,
	// in the unit's words (the unit only).
	CreateIntel(ctx context.Context, id int64, summary string) (*lantern.IntelItem, error)
	// AddFiles attaches more files to a partner's open referral; Files
	// lists a referral's files; File returns one with the copy asked for
	// (the sanitised one for the unit only). Limits bounds the files.
	AddFiles(ctx context.Context, id int64, files []report.Upload) ([]*lantern.ReferralAttachment, error)
	Files(ctx context.Context, id int64) ([]*lantern.ReferralAttachment, error)
	File(ctx context.Context, id, fileID int64, sanitised bool) (*lantern.ReferralAttachment, []byte, error)
	Limits() report.Limits
}

// referrals checks that p may use the partner portal and returns the
// referral service. A refusal is written to the audit trail.
func (s *Server) referrals(ctx context.Context, p lantern.Principal, object string) (Referrals, error) {
	return s.referralsFor(ctx, p, lantern.ActPartnerReferrals, object)
}

// referralsFor checks that p may take action a on referrals and returns the
// referral service. A refusal is written to the audit trail.
func (s *Server) referralsFor(ctx context.Context, p lantern.Principal, a lantern.Action, object string) (Referrals, error) {
	svc := s.services.Load()
	if err := lantern.Authorize(p, a, ""); err != nil {
		if svc.Audit != nil {
			_, _ = svc.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: string(a),
				Object: object, Outcome: lantern.AuditDenied, Detail: lantern.ErrorMessage(err)})
		}
		return nil, err
	}
	if svc.Referrals == nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "The referral portal is not running.")
	}
	return svc.Referrals, nil
}

// referralStatusNames is how the portal names a referral's status.
var referralStatusNames = map[string]string{
	lantern.ReferralSubmitted:    "Sent",
	lantern.ReferralAcknowledged: "Received by the unit",
	lantern.ReferralAssessing:    "Being assessed",
	lantern.ReferralActioned:     "Acted on",
	lantern.ReferralNoAction:     "No further action",
	lantern.ReferralWithdrawn:    "Withdrawn",
}

// handleReferralsPage lists the partner's own organisation's referrals:
// GET /referrals.
func (s *Server) handleReferralsPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referrals(r.Context(), p, "referrals")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := rs.List(r.Context(), lantern.ReferralFilter{Limit: 200})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "referrals.html", s.newPage(r, &p, "Your referrals", struct {
		Referrals []*lantern.Referral
		Total     int
		Done      bool
	}{list, total, r.URL.Query().Get("done") == "sent"}))
}

// referralForm is the new-referral form as the partner filled it in.
type referralForm struct {
	Concern, Name, CollarNumber, Force, Vehicle, Description, Consent, Safeguarding string
	// Files describes the files the form takes.
	Files fileLimits
}

// fileLimits describes the files a form takes, for its hint.
type fileLimits struct {
	MaxFiles, MaxMB int
	Types           string
}

func limitsOf(rs Referrals) fileLimits {
	l := rs.Limits()
	return fileLimits{MaxFiles: l.MaxFiles, MaxMB: int(l.MaxFileBytes >> 20), Types: report.AcceptedTypes}
}

func (s *Server) renderReferralForm(w http.ResponseWriter, r *http.Request, p lantern.Principal, status int, f referralForm, errs []formError) {
	if svc := s.services.Load(); svc != nil && svc.Referrals != nil {
		f.Files = limitsOf(svc.Referrals)
	}
	page := s.newPage(r, &p, "Make a referral", f)
	page.Errors = errs
	s.render(w, status, "referral_new.html", page)
}

// handleReferralForm shows the new-referral form: GET /referrals/new.
func (s *Server) handleReferralForm(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	if _, err := s.referrals(r.Context(), p, "referrals"); err != nil {
		s.Error(w, r, err)
		return
	}
	s.renderReferralForm(w, r, p, http.StatusOK, referralForm{}, nil)
}

// referralFields maps the store's field names to the form's ids.
var referralFields = map[string]string{
	"concern": "concern", "officer_name": "officer-name", "collar_number": "collar-number", "force": "force",
	"vehicle": "vehicle", "description": "description", "victim_consent": "consent", "safeguarding": "safeguarding",
	"officer": "officer-name", "file": "files",
}

// handleReferralSubmit sends a referral: POST /referrals/new.
func (s *Server) handleReferralSubmit(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referrals(r.Context(), p, "referrals")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f := referralForm{Concern: r.PostFormValue("concern"), Name: strings.TrimSpace(r.PostFormValue("officer_name")),
		CollarNumber: strings.TrimSpace(r.PostFormValue("collar_number")), Force: strings.TrimSpace(r.PostFormValue("force")),
		Vehicle: strings.TrimSpace(r.PostFormValue("vehicle")), Description: r.PostFormValue("description"),
		Consent: r.PostFormValue("victim_consent"), Safeguarding: r.PostFormValue("safeguarding")}
	var errs []formError
	if strings.TrimSpace(f.Concern) == "" {
		errs = append(errs, formError{Field: "concern", Message: "Describe the concern"})
	}
	if f.Name == "" && f.CollarNumber == "" && f.Force == "" && f.Vehicle == "" && strings.TrimSpace(f.Description) == "" {
		errs = append(errs, formError{Field: "officer-name", Message: "Tell us at least one thing about the officer"})
	}
	if f.Consent == "" {
		errs = append(errs, formError{Field: "consent", Message: "Say whether the victim consents to the referral"})
	}
	if f.Safeguarding == "" {
		errs = append(errs, formError{Field: "safeguarding", Message: "Say whether safeguarding is in place"})
	}
	files, ferr := uploads(r)
	if ferr != nil {
		field := referralFields[lantern.ErrorField(ferr)]
		if field == "" {
			field = "files"
		}
		errs = append(errs, formError{Field: field, Message: lantern.ErrorMessage(ferr)})
	}
	if errs == nil {
		ref, err := rs.Submit(r.Context(), lantern.Referral{Concern: f.Concern, VictimConsent: f.Consent, Safeguarding: f.Safeguarding,
			Officer: lantern.OfficerDetails{Name: f.Name, CollarNumber: f.CollarNumber, Force: f.Force, Vehicle: f.Vehicle, Description: f.Description}}, files...)
		switch lantern.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/referrals/"+strconv.FormatInt(ref.ID, 10)+"?done=sent", http.StatusSeeOther)
			return
		case lantern.EINVALID:
			field := referralFields[lantern.ErrorField(err)]
			if field == "" {
				field = "concern"
			}
			errs = append(errs, formError{Field: field, Message: lantern.ErrorMessage(err)})
		default:
			s.Error(w, r, err)
			return
		}
	}
	s.renderReferralForm(w, r, p, http.StatusBadRequest, f, errs)
}

// referralData is a referral page's own data.
// referralView is one referral as both the partner's and the unit's page
// show it.
type referralView struct {
	Referral *lantern.Referral
	Messages []*lantern.ReferralMessage
	Files    []*lantern.ReferralAttachment
}

// loadReferral reads the referral in the path with its messages and files,
// as the service lets the user see them.
func loadReferral(r *http.Request, rs Referrals) (int64, referralView, error) {
	var v referralView
	id, err := referralID(r)
	if err != nil {
		return 0, v, err
	}
	if v.Referral, v.Messages, err = rs.Get(r.Context(), id); err != nil {
		return 0, v, err
	}
	v.Files, err = rs.Files(r.Context(), id)
	return id, v, err
}

type referralData struct {
	referralView
	Limits  fileLimits
	Done    string
	Message string // as typed, when the form comes back with an error
}

// referralID reads a referral id from the path; anything else is not
// found.
func referralID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
	}
	return id, nil
}

func (s *Server) renderReferral(w http.ResponseWriter, r *http.Request, p lantern.Principal, rs Referrals, status int, d referralData, errs []formError) {
	id, v, err := loadReferral(r, rs)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.referralView = v
	d.Limits = limitsOf(rs)
	page := s.newPage(r, &p, "Referral "+strconv.FormatInt(id, 10), d)
	page.Errors = errs
	s.render(w, status, "referral.html", page)
}

// handleReferralPage shows one of the partner's referrals, its status,
// the unit's feedback and the messages: GET /referrals/{id}.
func (s *Server) handleReferralPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referrals(r.Context(), p, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	done := map[string]string{"sent": "Your referral has been sent to the counter-corruption unit.", "message": "Your message has been sent.",
		"files": "Your files have been added to the referral."}[r.URL.Query().Get("done")]
	s.renderReferral(w, r, p, rs, http.StatusOK, referralData{Done: done}, nil)
}

// handleReferralMessage sends the unit a message about a referral: POST
// /referrals/{id}/message.
func (s *Server) handleReferralMessage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referrals(r.Context(), p, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := referralID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	body := r.PostFormValue("message")
	var errs []formError
	if strings.TrimSpace(body) == "" {
		// Check that the referral is theirs before saying anything about the
		// form, so that an empty message tells nothing about another's.
		if _, _, err := rs.Get(r.Context(), id); err != nil {
			s.Error(w, r, err)
			return
		}
		errs = append(errs, formError{Field: "message", Message: "Enter a message"})
	} else {
		_, err := rs.Message(r.Context(), id, body)
		switch lantern.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/referrals/"+url.PathEscape(r.PathValue("id"))+"?done=message", http.StatusSeeOther)
			return
		case lantern.EINVALID:
			errs = append(errs, formError{Field: "message", Message: lantern.ErrorMessage(err)})
		default:
			s.Error(w, r, err)
			return
		}
	}
	s.renderReferral(w, r, p, rs, http.StatusBadRequest, referralData{Message: body}, errs)
}

// The unit's side of referrals.

// unitReferralData is the unit's referral page's own data.
type unitReferralData struct {
	referralView
	// Items are the intelligence items recorded from the referral, each
	// with the staff its officer details point to, for an analyst.
	Items      []referralItem
	NextStates []string
	Done       string
	Message    string
	Feedback   string
	Summary    string
}

// referralItem is an intelligence item recorded from a referral, with the
// staff proposed for it.
type referralItem struct {
	Item      *lantern.IntelItem
	Proposals []intel.StaffProposal
	Note      string // why none could be proposed, when the proposer failed
}

// referralItems returns, for an analyst, the intelligence items recorded
// from referral id, each unlinked one with the staff its officer details
// point to; nothing for anyone else.
func (s *Server) referralItems(ctx context.Context, p lantern.Principal, id int64) []referralItem {
	svc := s.services.Load()
	if svc.Intel == nil || lantern.Authorize(p, lantern.ActLinkIntel, "") != nil {
		return nil
	}
	items, _, err := svc.Intel.List(ctx, lantern.IntelFilter{SourceRef: "referral:" + strconv.FormatInt(id, 10), Limit: 20})
	if err != nil {
		return []referralItem{{Note: "The intelligence items from this referral could not be listed: " + lantern.ErrorMessage(err)}}
	}
	var out []referralItem
	for _, it := range items {
		ri := referralItem{Item: it}
		if it.StaffID == "" {
			if ri.Proposals, err = svc.Intel.Proposals(ctx, it.ID); err != nil {
				ri.Note = "No staff could be proposed: " + lantern.ErrorMessage(err)
			}
		}
		out = append(out, ri)
	}
	return out
}

// handleUnitReferralsPage lists every organisation's referrals for the
// unit: GET /partner-referrals.
func (s *Server) handleUnitReferralsPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referralsFor(r.Context(), p, lantern.ActViewReferrals, "referrals")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := rs.List(r.Context(), lantern.ReferralFilter{Limit: 200})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "unit_referrals.html", s.newPage(r, &p, "Partner referrals", struct {
		Referrals []*lantern.Referral
		Total     int
	}{list, total}))
}

func (s *Server) renderUnitReferral(w http.ResponseWriter, r *http.Request, p lantern.Principal, rs Referrals, status int, d unitReferralData, errs []formError) {
	id, v, err := loadReferral(r, rs)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.referralView = v
	d.Items = s.referralItems(r.Context(), p, id)
	for _, st := range lantern.ReferralStates {
		if st != lantern.ReferralWithdrawn && lantern.ReferralTransitionAllowed(d.Referral.Status, st) {
			d.NextStates = append(d.NextStates, st)
		}
	}
	page := s.newPage(r, &p, "Partner referral "+strconv.FormatInt(id, 10), d)
	page.Errors = errs
	s.render(w, status, "unit_referral.html", page)
}

// handleUnitReferralPage shows a referral to the unit: GET
// /partner-referrals/{id}.
func (s *Server) handleUnitReferralPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referralsFor(r.Context(), p, lantern.ActViewReferrals, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	done := map[string]string{"message": "Your message has been sent to the partner.", "status": "The referral's status has been changed.",
		"intel": "An ungraded intelligence item was recorded from this referral. Grade it on the intelligence log."}[r.URL.Query().Get("done")]
	s.renderUnitReferral(w, r, p, rs, http.StatusOK, unitReferralData{Done: done}, nil)
}

// handleUnitReferralAction answers a partner or moves their referral:
// POST /partner-referrals/{id}/message or /status.
func (s *Server) handleUnitReferralAction(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	action := r.PathValue("action")
	if action != "message" && action != "status" && action != "intel" {
		s.notFound(w, r)
		return
	}
	rs, err := s.referralsFor(r.Context(), p, lantern.ActChangeReferral, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := referralID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if _, _, err := rs.Get(r.Context(), id); err != nil {
		s.Error(w, r, err)
		return
	}
	d := unitReferralData{Message: r.PostFormValue("message"), Feedback: r.PostFormValue("feedback"), Summary: r.PostFormValue("summary")}
	var errs []formError
	field := "message"
	switch {
	case action == "message" && strings.TrimSpace(d.Message) == "":
		errs = append(errs, formError{Field: "message", Message: "Enter a message"})
	case action == "message":
		_, err = rs.Message(r.Context(), id, d.Message)
	case action == "intel":
		field = "summary"
		_, err = rs.CreateIntel(r.Context(), id, d.Summary)
	case r.PostFormValue("status") == "":
		field = "status"
		errs = append(errs, formError{Field: "status", Message: "Choose a status"})
	default:
		field = "status"
		_, err = rs.SetStatus(r.Context(), id, r.PostFormValue("status"), strings.TrimSpace(d.Feedback))
	}
	switch lantern.ErrorCode(err) {
	case "":
		if errs == nil {
			http.Redirect(w, r, "/partner-referrals/"+strconv.FormatInt(id, 10)+"?done="+action, http.StatusSeeOther)
			return
		}
	case lantern.EINVALID, lantern.ECONFLICT:
		if lantern.ErrorField(err) == "feedback" {
			field = "feedback"
		}
		errs = append(errs, formError{Field: field, Message: lantern.ErrorMessage(err)})
	default:
		s.Error(w, r, err)
		return
	}
	s.renderUnitReferral(w, r, p, rs, http.StatusBadRequest, d, errs)
}

// handleReferralFiles adds files to one of the partner's open referrals:
// POST /referrals/{id}/files, a multipart form.
func (s *Server) handleReferralFiles(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.referrals(r.Context(), p, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := referralID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// Check that the referral is theirs before saying anything about the
	// files, so that a refusal tells nothing about another's.
	if _, _, err := rs.Get(r.Context(), id); err != nil {
		s.Error(w, r, err)
		return
	}
	files, err := uploads(r)
	if err == nil {
		_, err = rs.AddFiles(r.Context(), id, files)
	}
	switch lantern.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/referrals/"+strconv.FormatInt(id, 10)+"?done=files#files", http.StatusSeeOther)
		return
	case lantern.EINVALID, lantern.ECONFLICT:
		s.renderReferral(w, r, p, rs, http.StatusBadRequest, referralData{}, []formError{{Field: "add-files", Message: lantern.ErrorMessage(err)}})
	default:
		s.Error(w, r, err)
	}
}

// fileID reads an attachment id from the path; anything else is not found.
func fileID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || id < 1 {
		return 0, lantern.Errorf(lantern.ENOTFOUND, "Attachment not found.")
	}
	return id, nil
}

// sendFile sends a file as a download, never shown in the page and never
// cached: a report's or a referral's attachment.
func sendFile(w http.ResponseWriter, name string, data []byte) {
	if name == "" {
		name = "attachment"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// handleReferralFile sends the partner a file their organisation attached
// to a referral, as sent: GET /referrals/{id}/files/{file}.
func (s *Server) handleReferralFile(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.referralFile(w, r, p, lantern.ActPartnerReferrals, false)
}

// handleUnitReferralFile sends the unit a referral's file, the original or
// the sanitised copy: GET /partner-referrals/{id}/files/{file}/{copy}.
func (s *Server) handleUnitReferralFile(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	which := r.PathValue("copy")
	if which != "original" && which != "sanitised" {
		s.notFound(w, r)
		return
	}
	s.referralFile(w, r, p, lantern.ActViewReferrals, which == "sanitised")
}

func (s *Server) referralFile(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action, sanitised bool) {
	rs, err := s.referralsFor(r.Context(), p, a, "referral:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := referralID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	fid, err := fileID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, data, err := rs.File(r.Context(), id, fid, sanitised)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sendFile(w, f.Name, data)
}
