package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"lantern"
	"lantern/workspace"
)

// homeData is the home page's own data.
type homeData struct {
	Role string
}

// handleHome routes each role to what it may use: GET /.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.render(w, http.StatusOK, "home.html", s.newPage(r, &p, "Home", homeData{Role: string(p.Role)}))
}

// rulesData is the rules page's own data.
type rulesData struct {
	Rules     []workspace.RuleSummary
	CanReload bool
	Reloaded  int      // rules loaded by a reload just done
	Problems  []string // why a reload did not load
}

// handleRulesPage lists the active rules: GET /rules.
func (s *Server) handleRulesPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.renderRules(w, r, p, http.StatusOK, rulesData{})
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, p lantern.Principal, status int, d rulesData) {
	rules, err := s.workspaceOf().Rules(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.Rules = rules
	d.CanReload = p.Role.Allowed(lantern.ActReloadRules) && !p.LockedOut
	s.render(w, status, "rules.html", s.newPage(r, &p, "Rules", d))
}

// reloadRules loads the rule library again for p: it checks the policy,
// records the attempt on the audit trail, and reports the rules loaded or,
// for a library that does not load, each problem (the running rules stay).
func (s *Server) reloadRules(ctx context.Context, p lantern.Principal) (int, []string, error) {
	svc := s.services.Load()
	if svc.Audit == nil {
		return 0, nil, lantern.Errorf(lantern.EUNAVAILABLE, "The audit trail is not available, so nothing can be changed.")
	}
	entry := lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: string(lantern.ActReloadRules), Object: "rules"}
	if err := lantern.Authorize(p, lantern.ActReloadRules, ""); err != nil {
		entry.Outcome = lantern.AuditDenied
		if _, aerr := svc.Audit.AppendAudit(ctx, entry); aerr != nil {
			return 0, nil, aerr
		}
		return 0, nil, err
	}
	if svc.Rules == nil {
		return 0, nil, lantern.Errorf(lantern.EUNAVAILABLE, "Detection is not running, so there are no rules to reload.")
	}
	set, err := svc.Rules.Reload()
	entry.Outcome = lantern.AuditAllowed
	var problems []string
	if err != nil {
		entry.Outcome, entry.Detail = lantern.AuditFailed, "the rule library did not load"
		var many interface{ Unwrap() []error }
		if errors.As(err, &many) {
			for _, e := range many.Unwrap() {
				problems = append(problems, e.Error())
			}
		} else {
			problems = []string{err.Error()}
		}
	}
	if _, aerr := svc.Audit.AppendAudit(ctx, entry); aerr != nil {
		return 0, nil, aerr
	}
	if err != nil {
		return 0, problems, nil
	}
	return len(set.Rules()), nil, nil
}

// handleRulesReloadPage reloads the rule library for an administrator: POST
// /rules/reload.
func (s *Server) handleRulesReloadPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	n, problems, err := s.reloadRules(r.Context(), p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if problems != nil {
		status = http.StatusUnprocessableEntity
	}
	s.renderRules(w, r, p, status, rulesData{Reloaded: n, Problems: problems})
}

// handleIntakePage shows sources, rates and quarantine: GET /intake.
func (s *Server) handleIntakePage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	in, err := s.workspaceOf().Intake(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "intake.html", s.newPage(r, &p, "Intake", in))
}

// auditForm is the audit search form as filled in.
type auditForm struct {
	User, Action, Object, Since, Until string
}

// auditData is the audit page's own data.
type auditData struct {
	Form      auditForm
	Searched  bool
	Entries   []lantern.AuditEntry
	Status    *AuditStatus
	StatusErr string
}

// auditQuery reads the audit search from the query string.
func auditQuery(r *http.Request) (lantern.AuditQuery, auditForm, []formError) {
	q := r.URL.Query()
	form := auditForm{User: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), Since: q.Get("since"), Until: q.Get("until")}
	aq := lantern.AuditQuery{UserID: form.User, Action: form.Action, Object: form.Object, Limit: 200}
	var errs []formError
	for _, d := range []struct {
		name, label, v string
		dst            *time.Time
	}{{"since", "From", form.Since, &aq.Since}, {"until", "To", form.Until, &aq.Until}} {
		if d.v == "" {
			continue
		}
		t, err := parseDay(d.v)
		if err != nil {
			errs = append(errs, formError{Field: d.name, Message: d.label + " must be a real date, such as 2026-03-01"})
			continue
		}
		*d.dst = t
	}
	if !aq.Until.IsZero() && len(form.Until) == len("2006-01-02") {
		aq.Until = aq.Until.AddDate(0, 0, 1)
	}
	return aq, form, errs
}

// handleAuditPage searches the audit trail and shows whether its chain is
// whole: GET /audit.
func (s *Server) handleAuditPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	aq, form, errs := auditQuery(r)
	entries, err := s.workspaceOf().AuditSearch(r.Context(), aq)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d := auditData{Form: form, Entries: entries, Searched: form != auditForm{}}
	if r.URL.Query().Get("verify") == "true" {
		st, err := s.verifyAudit(r.Context())
		if err != nil {
			d.StatusErr = lantern.ErrorMessage(err)
		} else {
			d.Status = &st
		}
	}
	page := s.newPage(r, &p, "Audit trail", d)
	page.Errors = errs
	status := http.StatusOK
	if errs != nil {
		status = http.StatusBadRequest
	}
	s.render(w, status, "audit.html", page)
}

// AuditStatus is the result of checking the audit trail's hash chain.
type AuditStatus struct {
	Checked int64  `json:"checked"`          // entries checked and found sound
	OK      bool   `json:"ok"`               // the chain is whole
	Broken  int64  `json:"broken,omitempty"` // the first entry that does not chain, when not OK
	Detail  string `json:"detail,omitempty"` // what is wrong with it
}

// verifyAudit checks the whole trail's chain. The caller has already been
// authorised to search the trail.
func (s *Server) verifyAudit(ctx context.Context) (AuditStatus, error) {
	svc := s.services.Load()
	if svc.Audit == nil {
		return AuditStatus{}, lantern.Errorf(lantern.EUNAVAILABLE, "The audit trail is not available.")
	}
	v, err := lantern.VerifyAudit(ctx, svc.Audit, 0)
	if err != nil {
		return AuditStatus{}, err
	}
	return AuditStatus{Checked: v.Checked, OK: v.OK(), Broken: v.BrokenSeq, Detail: v.Detail}, nil
}
