package web

import (
	"encoding/json"
	"net/http"
	"time"

	"lantern"
)

// The workspace API answers the same questions as the pages, as JSON, for a
// signed-in browser session: the same workspace service checks and records
// every call. State-changing requests need the X-CSRF-Token header, which
// GET /api/v1/workspace/session returns.

// sessionReply is the body of GET /api/v1/workspace/session.
type sessionReply struct {
	UserID    string           `json:"user_id"`
	Name      string           `json:"name"`
	Role      lantern.UserRole `json:"role"`
	LockedOut bool             `json:"locked_out"`
	Allowed   []lantern.Action `json:"allowed"` // what the role may do at all; each call is still checked
	CSRFToken string           `json:"csrf_token"`
}

func (s *Server) apiSession(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	out := sessionReply{UserID: p.UserID, Name: p.Name, Role: p.Role, LockedOut: p.LockedOut,
		Allowed: []lantern.Action{}, CSRFToken: csrfToken(csrfBinding(r))}
	for _, a := range []lantern.Action{lantern.ActViewAlerts, lantern.ActChangeAlert, lantern.ActViewStaff, lantern.ActViewPerson,
		lantern.ActViewRules, lantern.ActReloadRules, lantern.ActViewIntake, lantern.ActViewAudit, lantern.ActManageUsers,
		lantern.ActViewReports, lantern.ActChangeReport, lantern.ActRequestIdentity, lantern.ActDecideIdentity, lantern.ActPartnerReferrals,
		lantern.ActViewReferrals, lantern.ActChangeReferral} {
		if p.Role.Allowed(a) && !p.LockedOut {
			out.Allowed = append(out.Allowed, a)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// firstError turns a form's errors into one EINVALID error naming the
// field, for the API.
func firstError(errs []formError) error {
	return lantern.FieldErrorf(errs[0].Field, "%s", errs[0].Message)
}

func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	f, _, errs := queueFilter(r.URL.Query())
	if errs != nil {
		s.Error(w, r, firstError(errs))
		return
	}
	q, err := s.workspaceOf().Queue(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (s *Server) apiAlert(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	d, err := s.workspaceOf().Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiAlertState records a decision: POST
// /api/v1/workspace/alerts/{id}/state with {"state":"dismissed","reason":"…"}.
func (s *Server) apiAlertState(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	var req stateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.Error(w, r, lantern.Errorf(lantern.EINVALID, "The body must be a JSON object with state and reason."))
		return
	}
	a, err := s.workspaceOf().ChangeAlert(r.Context(), r.PathValue("id"),
		lantern.AlertStateUpdate{State: req.State, Reason: req.Reason, By: p.UserID, At: time.Now().UTC()})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiStaff(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	prof, err := s.workspaceOf().StaffProfile(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, prof)
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	page, _, err := personPage(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.workspaceOf().Person(r.Context(), r.PathValue("id"), page)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiRules(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	rules, err := s.workspaceOf().Rules(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
}

// apiRulesReload reloads the rule library: 200 with the rules loaded, or
// 422 with each problem when it does not load (the running rules stay).
func (s *Server) apiRulesReload(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	n, problems, err := s.reloadRules(r.Context(), p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if problems != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error":  errorDetail{Code: lantern.EINVALID, Message: "The rule set did not load; the running rules stay in place."},
			"errors": problems,
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": n})
}

func (s *Server) apiIntake(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	in, err := s.workspaceOf().Intake(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// auditReply is the body of GET /api/v1/workspace/audit.
type auditReply struct {
	Entries []lantern.AuditEntry `json:"entries"`
	Status  *AuditStatus         `json:"status,omitempty"`
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	aq, _, errs := auditQuery(r)
	if errs != nil {
		s.Error(w, r, firstError(errs))
		return
	}
	entries, err := s.workspaceOf().AuditSearch(r.Context(), aq)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := auditReply{Entries: entries}
	if out.Entries == nil {
		out.Entries = []lantern.AuditEntry{}
	}
	if r.URL.Query().Get("verify") == "true" {
		st, err := s.verifyAudit(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		out.Status = &st
	}
	writeJSON(w, http.StatusOK, out)
}
