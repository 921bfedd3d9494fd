package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lantern"
	"lantern/report"
)

// Reports is the unit's side of the confidential reporting channel.
// report.Service is the implementation: it checks that the user is a member
// of the unit whose report key is unlocked, and writes every use to the
// audit trail. The server checks the role's Action first.
type Reports interface {
	ListReports(ctx context.Context, f lantern.ReportFilter) ([]*lantern.ReportRecord, int, error)
	Open(ctx context.Context, reportID string) (*report.Thread, error)
	Ask(ctx context.Context, reportID, text string) error
	AttachmentFile(ctx context.Context, reportID, attachmentID string, sanitised bool) (*report.File, []byte, error)
	SetStatus(ctx context.Context, reportID, status, reason string) (*lantern.ReportRecord, error)
	RequestDisclosure(ctx context.Context, reportID, reason string) (*lantern.DisclosureRequest, error)
	DecideDisclosure(ctx context.Context, requestID int64, approve bool, note string) (*lantern.DisclosureRequest, error)
	Identity(ctx context.Context, reportID string) (*lantern.ReporterIdentity, error)
	Disclosures(ctx context.Context, reportID string) ([]*lantern.DisclosureRequest, error)
	CreateIntel(ctx context.Context, reportID, summary string) (*lantern.IntelItem, error)
}

// reports checks that p may take action a on object and returns the
// reports service. A refusal is written to the audit trail.
func (s *Server) reports(ctx context.Context, p lantern.Principal, a lantern.Action, object string) (Reports, error) {
	svc := s.services.Load()
	if err := lantern.Authorize(p, a, ""); err != nil {
		if svc.Audit != nil {
			_, _ = svc.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: string(a), Object: object,
				Outcome: lantern.AuditDenied, Detail: lantern.ErrorMessage(err)})
		}
		return nil, err
	}
	if svc.Reports == nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "The reporting channel is not running.")
	}
	return svc.Reports, nil
}

// reportStatuses are the states a page offers to move a report to, with
// how the page names them.
var reportStatusNames = map[string]string{
	lantern.ReportReceived: "Received",
	lantern.ReportInReview: "In review",
	lantern.ReportActioned: "Actioned",
	lantern.ReportClosed:   "Closed",
}

// reportListData is the reports list's own data.
type reportListData struct {
	Reports []*lantern.ReportRecord
	Total   int
	Status  string
	States  []string
}

// reportFilter reads the list's filter from the query string.
func reportFilter(q url.Values) (lantern.ReportFilter, error) {
	f := lantern.ReportFilter{Status: q.Get("status"), Limit: 200}
	if f.Status != "" && lantern.ValidateOneOf("status", f.Status, lantern.ReportStates...) != nil {
		return f, lantern.FieldErrorf("status", "Choose a status from the list")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return f, lantern.FieldErrorf("limit", "Show must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	return f, nil
}

// handleReportsPage lists reports, metadata only: GET /reports.
func (s *Server) handleReportsPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "reports")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, err := reportFilter(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := rs.ListReports(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "reports.html", s.newPage(r, &p, "Reports", reportListData{Reports: list, Total: total, Status: f.Status, States: lantern.ReportStates}))
}

// reportData is the report page's own data.
type reportData struct {
	Thread      *report.Thread
	Disclosures []*lantern.DisclosureRequest
	NextStates  []string
	Pending     bool   // a disclosure request awaits a decision
	Approved    bool   // the user's own request was approved
	Done        string // what was just done, for the confirmation
	Question    string // as typed, when the form comes back with an error
	Reason      string
	Summary     string
}

// reportPage opens a report for its page; the report service records it.
func (s *Server) reportPage(ctx context.Context, rs Reports, p lantern.Principal, id string) (*reportData, error) {
	t, err := rs.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &reportData{Thread: t}
	for _, st := range lantern.ReportStates {
		if lantern.ReportTransitionAllowed(t.Status, st) {
			d.NextStates = append(d.NextStates, st)
		}
	}
	if t.Kind == lantern.ReportConfidential {
		if d.Disclosures, err = rs.Disclosures(ctx, id); err != nil {
			return nil, err
		}
		for _, q := range d.Disclosures {
			d.Pending = d.Pending || q.State == lantern.DisclosureRequested
			d.Approved = d.Approved || q.State == lantern.DisclosureApproved && q.RequestedBy == p.UserID
		}
	}
	return d, nil
}

// handleReportPage shows one report: answers, files, thread and the
// unit's actions: GET /reports/{id}.
func (s *Server) handleReportPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d, err := s.reportPage(r.Context(), rs, p, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.Done = doneMessages[r.URL.Query().Get("done")]
	s.render(w, http.StatusOK, "report.html", s.newPage(r, &p, "Report received "+d.Thread.ReceivedAt.In(london).Format("2 Jan 2006"), d))
}

// doneMessages are the confirmations a report page shows after an action.
var doneMessages = map[string]string{
	"asked":     "Your question has been added. The reporter will see it when they return with their receipt.",
	"status":    "The report's status has been changed.",
	"requested": "Your request has been sent to the head of Professional Standards.",
	"approved":  "The request was approved. The requester can now see the reporter's identity.",
	"refused":   "The request was refused.",
	"intel":     "An ungraded intelligence item was recorded from this report.",
}

// reportAction is one form on a report's page.
type reportAction struct {
	need  lantern.Action
	field string // the field an error belongs to
	do    func(ctx context.Context, rs Reports, r *http.Request, id string) (done string, err error)
}

var reportActions = map[string]reportAction{
	"ask": {lantern.ActChangeReport, "question", func(ctx context.Context, rs Reports, r *http.Request, id string) (string, error) {
		return "asked", rs.Ask(ctx, id, r.PostFormValue("question"))
	}},
	"status": {lantern.ActChangeReport, "status", func(ctx context.Context, rs Reports, r *http.Request, id string) (string, error) {
		st := r.PostFormValue("status")
		if st == "" {
			return "", lantern.FieldErrorf("status", "Choose a status")
		}
		if lantern.ReportStateNeedsReason(st) && strings.TrimSpace(r.PostFormValue("reason")) == "" {
			return "", lantern.FieldErrorf("reason", "Enter why the report is being closed")
		}
		_, err := rs.SetStatus(ctx, id, st, strings.TrimSpace(r.PostFormValue("reason")))
		return "status", err
	}},
	"intel": {lantern.ActChangeReport, "summary", func(ctx context.Context, rs Reports, r *http.Request, id string) (string, error) {
		_, err := rs.CreateIntel(ctx, id, r.PostFormValue("summary"))
		return "intel", err
	}},
	"disclosure": {lantern.ActRequestIdentity, "disclosure-reason", func(ctx context.Context, rs Reports, r *http.Request, id string) (string, error) {
		reason := strings.TrimSpace(r.PostFormValue("disclosure_reason"))
		if reason == "" {
			return "", lantern.FieldErrorf("disclosure-reason", "Enter why you need to know who the reporter is")
		}
		_, err := rs.RequestDisclosure(ctx, id, reason)
		return "requested", err
	}},
	"decide": {lantern.ActDecideIdentity, "decision", func(ctx context.Context, rs Reports, r *http.Request, id string) (string, error) {
		req, err := strconv.ParseInt(r.PostFormValue("request"), 10, 64)
		if err != nil {
			return "", lantern.FieldErrorf("decision", "Choose a request to decide")
		}
		var approve bool
		switch r.PostFormValue("decision") {
		case "approve":
			approve = true
		case "refuse":
		default:
			return "", lantern.FieldErrorf("decision", "Choose whether to approve or refuse the request")
		}
		d, err := rs.DecideDisclosure(ctx, req, approve, strings.TrimSpace(r.PostFormValue("note")))
		if err == nil && d.ReportID != id {
			return "", lantern.Errorf(lantern.ENOTFOUND, "That request is not about this report.")
		}
		if approve {
			return "approved", err
		}
		return "refused", err
	}},
}

// handleReportAction takes one of a report's forms: POST
// /reports/{id}/{action}. A mistake in the form shows the page again with
// the error; success sends the browser back to the report.
func (s *Server) handleReportAction(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	act, ok := reportActions[r.PathValue("action")]
	if !ok {
		s.notFound(w, r)
		return
	}
	rs, err := s.reports(r.Context(), p, act.need, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	done, err := act.do(r.Context(), rs, r, id)
	var errs []formError
	switch lantern.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/reports/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
		return
	case lantern.EINVALID, lantern.ECONFLICT:
		field := act.field
		if fe := lantern.ErrorField(err); fe != "" && fe != "by" && fe != "at" {
			field = map[string]string{"reason": "reason", "question": "question", "status": "status", "summary": "summary"}[fe]
			if field == "" {
				field = act.field
			}
		}
		errs = append(errs, formError{Field: field, Message: lantern.ErrorMessage(err)})
	default:
		s.Error(w, r, err)
		return
	}
	d, err := s.reportPage(r.Context(), rs, p, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.Question, d.Reason, d.Summary = r.PostFormValue("question"), r.PostFormValue("disclosure_reason"), r.PostFormValue("summary")
	page := s.newPage(r, &p, "Report received "+d.Thread.ReceivedAt.In(london).Format("2 Jan 2006"), d)
	page.Errors = errs
	s.render(w, http.StatusBadRequest, "report.html", page)
}

// handleReportIdentity shows a confidential reporter's identity to the
// head of PSD or to a user whose request was approved: GET
// /reports/{id}/identity. Every look is on the audit trail.
func (s *Server) handleReportIdentity(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	who, err := rs.Identity(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "report_identity.html", s.newPage(r, &p, "Who made this report", struct {
		ID       string
		Identity *lantern.ReporterIdentity
	}{id, who}))
}

// handleReportFile sends an attachment's sanitised copy, the one for
// sharing, as a download: GET /reports/{id}/files/{file}.
func (s *Server) handleReportFile(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, data, err := rs.AttachmentFile(r.Context(), id, r.PathValue("file"), true)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sendFile(w, f.Name, data)
}

// The workspace API for reports: the same service, as JSON.

// reportListReply is the body of GET /api/v1/workspace/reports.
type reportListReply struct {
	Reports []*lantern.ReportRecord `json:"reports"`
	Total   int                     `json:"total"`
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "reports")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, err := reportFilter(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := rs.ListReports(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if list == nil {
		list = []*lantern.ReportRecord{}
	}
	writeJSON(w, http.StatusOK, reportListReply{Reports: list, Total: total})
}

// reportReply is the body of GET /api/v1/workspace/reports/{id}.
type reportReply struct {
	ID          string                       `json:"id"`
	Kind        string                       `json:"kind"`
	Status      string                       `json:"status"`
	ReceivedAt  string                       `json:"received_at"`
	Answers     lantern.ReportAnswers        `json:"answers"`
	Messages    []messageReply               `json:"messages"`
	Files       []fileReply                  `json:"files"`
	Disclosures []*lantern.DisclosureRequest `json:"disclosures"`
}

type messageReply struct {
	ID   int64  `json:"id"`
	From string `json:"from"`
	By   string `json:"by,omitempty"`
	At   string `json:"at"`
	Text string `json:"text"`
}

type fileReply struct {
	ID string `json:"id"`
	At string `json:"at"`
	lantern.AttachmentMeta
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d, err := s.reportPage(r.Context(), rs, p, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	t := d.Thread
	out := reportReply{ID: t.ID, Kind: t.Kind, Status: t.Status, ReceivedAt: machineTime(t.ReceivedAt), Answers: t.Answers,
		Messages: []messageReply{}, Files: []fileReply{}, Disclosures: d.Disclosures}
	if out.Disclosures == nil {
		out.Disclosures = []*lantern.DisclosureRequest{}
	}
	for _, m := range t.Messages {
		out.Messages = append(out.Messages, messageReply{ID: m.ID, From: m.From, By: m.By, At: machineTime(m.At), Text: m.Text})
	}
	for _, f := range t.Files {
		out.Files = append(out.Files, fileReply{ID: f.ID, At: machineTime(f.At), AttachmentMeta: f.AttachmentMeta})
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeJSON reads a small JSON object into v, refusing unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, what string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return lantern.Errorf(lantern.EINVALID, "The body must be a JSON object with %s.", what)
	}
	return nil
}

// apiReportQuestion asks the reporter a question: POST
// /api/v1/workspace/reports/{id}/questions with {"text":"…"}.
func (s *Server) apiReportQuestion(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActChangeReport, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &req, "text"); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := rs.Ask(r.Context(), id, req.Text); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiReportIntel records an ungraded intelligence item from a report, in
// the unit's words: POST /api/v1/workspace/reports/{id}/intel with
// {"summary":"…"}.
func (s *Server) apiReportIntel(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActChangeReport, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Summary string `json:"summary"`
	}
	if err := decodeJSON(w, r, &req, "summary"); err != nil {
		s.Error(w, r, err)
		return
	}
	it, err := rs.CreateIntel(r.Context(), id, req.Summary)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, it)
}

// apiReportStatus moves a report: POST /api/v1/workspace/reports/{id}/status
// with {"status":"closed","reason":"…"}.
func (s *Server) apiReportStatus(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActChangeReport, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &req, "status and reason"); err != nil {
		s.Error(w, r, err)
		return
	}
	rec, err := rs.SetStatus(r.Context(), id, req.Status, req.Reason)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// apiReportDisclosure asks for a confidential reporter's identity: POST
// /api/v1/workspace/reports/{id}/disclosures with {"reason":"…"}.
func (s *Server) apiReportDisclosure(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActRequestIdentity, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &req, "reason"); err != nil {
		s.Error(w, r, err)
		return
	}
	d, err := rs.RequestDisclosure(r.Context(), id, req.Reason)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// apiDisclosureDecision decides a request: POST
// /api/v1/workspace/disclosures/{id}/decision with {"approve":true,"note":"…"}.
func (s *Server) apiDisclosureDecision(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rid := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActDecideIdentity, "disclosure:"+rid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := strconv.ParseInt(rid, 10, 64)
	if err != nil {
		s.Error(w, r, lantern.Errorf(lantern.ENOTFOUND, "Request not found."))
		return
	}
	var req struct {
		Approve *bool  `json:"approve"`
		Note    string `json:"note"`
	}
	if err := decodeJSON(w, r, &req, "approve and note"); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Approve == nil {
		s.Error(w, r, lantern.FieldErrorf("approve", "Say whether the request is approved (true) or refused (false)."))
		return
	}
	d, err := rs.DecideDisclosure(r.Context(), n, *req.Approve, req.Note)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiReportIdentity returns a confidential reporter's identity: GET
// /api/v1/workspace/reports/{id}/identity.
func (s *Server) apiReportIdentity(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	rs, err := s.reports(r.Context(), p, lantern.ActViewReports, "report:"+id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	who, err := rs.Identity(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, who)
}

// machineTime is a time for the API, in UTC.
func machineTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
