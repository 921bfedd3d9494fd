package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/workspace"
)

// Rules is the running detection's rule set, which the API lists and
// reloads.
type Rules interface {
	// Rules returns the rule set in use.
	Rules() *detect.RuleSet
	// Reload loads the rule set again and puts it in place if it loads; if
	// not, the running rules stay and the error says why (file:line).
	Reload() (*detect.RuleSet, error)
}

// RiskHalfLife is how fast a contribution to a risk score halves.
const RiskHalfLife = 30 * 24 * time.Hour

// Bounds on list requests.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
)

// alertsAPI returns the alert store after authenticating a token with the
// alerts scope, or writes the error and returns false.
func (s *Server) alertsAPI(w http.ResponseWriter, r *http.Request) (*Services, *lantern.Source, bool) {
	svc := s.services.Load()
	if svc == nil || svc.Alerts == nil || svc.Sources == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "Detection is not running yet."))
		return nil, nil, false
	}
	src, err := authenticateSource(r, svc.Sources, lantern.ScopeAlerts)
	if err != nil {
		s.Error(w, r, err)
		return nil, nil, false
	}
	// A system reading alerts is on the audit trail like a person: no trail,
	// no answer.
	if svc.Audit == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "The audit trail is not available."))
		return nil, nil, false
	}
	object := ""
	if id := r.PathValue("id"); id != "" {
		object = "alert:" + id
	}
	if _, err := svc.Audit.AppendAudit(r.Context(), lantern.AuditEntry{UserID: "source:" + src.Name, Action: "api " + r.Pattern,
		Object: object, Outcome: lantern.AuditAllowed}); err != nil {
		s.Error(w, r, err)
		return nil, nil, false
	}
	return svc, src, true
}

// alertsReply is the body of GET /api/v1/alerts.
type alertsReply struct {
	Total  int              `json:"total"`
	Alerts []*lantern.Alert `json:"alerts"`
}

// handleAlerts lists alerts: GET /api/v1/alerts?staff=&rule=&key=&state=new,triaged&signal=false&since=&until=&order=score|latest&limit=&offset=.
func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	f, err := alertFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := svc.Alerts.FindAlerts(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, alertsReply{Total: total, Alerts: list})
}

// alertFilter reads the query of GET /api/v1/alerts.
func alertFilter(r *http.Request) (lantern.AlertFilter, error) {
	q := r.URL.Query()
	f := lantern.AlertFilter{Limit: defaultListLimit, Order: q.Get("order")}
	opt := func(name string) *string {
		if v := q.Get(name); v != "" {
			return &v
		}
		return nil
	}
	f.StaffID, f.Rule, f.Key = opt("staff"), opt("rule"), opt("key")
	if v := q.Get("state"); v != "" {
		f.States = strings.Split(v, ",")
	}
	if v := q.Get("signal"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, lantern.FieldErrorf("signal", "signal must be true or false")
		}
		f.Signal = &b
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, lantern.FieldErrorf(name, "%s must be an RFC 3339 time such as 2024-03-01T00:00:00Z", name)
			}
			*dst = t.UTC()
		}
	}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return f, err
	}
	if f.Offset, err = intParam(q.Get("offset"), "offset", 0, 0, 1<<30); err != nil {
		return f, err
	}
	return f, f.Validate()
}

func intParam(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, lantern.FieldErrorf(name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// handleAlert returns one alert: GET /api/v1/alerts/{id}.
func (s *Server) handleAlert(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	a, err := svc.Alerts.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// stateRequest is the body of POST /api/v1/alerts/{id}/state.
type stateRequest struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// handleAlertState records a decision on an alert: POST
// /api/v1/alerts/{id}/state with {"state":"dismissed","reason":"…"}. The
// decision is recorded as made by the token's source ("api:NAME").
func (s *Server) handleAlertState(w http.ResponseWriter, r *http.Request) {
	svc, src, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	var req stateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.Error(w, r, lantern.Errorf(lantern.EINVALID, "The body must be a JSON object with state and reason: %v", err))
		return
	}
	a, err := svc.Alerts.SetAlertState(r.Context(), r.PathValue("id"), lantern.AlertStateUpdate{
		State: req.State, Reason: req.Reason, By: "api:" + src.Name, At: time.Now().UTC(),
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// riskReply is the body of GET /api/v1/risk.
type riskReply struct {
	At       time.Time   `json:"at"`
	HalfLife string      `json:"half_life"`
	Staff    []staffRisk `json:"staff"`
}

type staffRisk struct {
	StaffID     string         `json:"staff_id"`
	Score       float64        `json:"score"`
	Explanation string         `json:"explanation"`
	Top         []contribution `json:"top"`
}

type contribution struct {
	AlertID string    `json:"alert_id"`
	Rule    string    `json:"rule"`
	At      time.Time `json:"at"`
	Score   float64   `json:"score"`
	Decayed float64   `json:"decayed"`
}

// StaffRiskJSON is the JSON form of one member of staff's risk, as the API
// and `lantern risk --format jsonl` give it.
func StaffRiskJSON(sr detect.StaffRisk) any { return toStaffRisk(sr) }

func toStaffRisk(sr detect.StaffRisk) staffRisk {
	out := staffRisk{StaffID: sr.StaffID, Score: sr.Score, Explanation: sr.Explanation, Top: []contribution{}}
	for _, c := range sr.Top {
		out.Top = append(out.Top, contribution{AlertID: c.AlertID, Rule: c.Rule, At: c.At, Score: c.Score, Decayed: c.Decayed})
	}
	return out
}

// handleRisk ranks staff by risk: GET /api/v1/risk?limit=K. Scores combine
// every alert and signal the unit has not dismissed and the graded
// intelligence items linked to staff (workspace.RiskScores), decaying in
// event time.
func (s *Server) handleRisk(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", defaultListLimit, 1, 100_000)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	scores, err := workspace.RiskScores(r.Context(), svc.Alerts, svc.IntelLog)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	risk := detect.RiskOf(scores, RiskHalfLife)
	reply := riskReply{At: risk.Now(), HalfLife: RiskHalfLife.String(), Staff: []staffRisk{}}
	for _, sr := range risk.Ranked(limit) {
		reply.Staff = append(reply.Staff, toStaffRisk(sr))
	}
	writeJSON(w, http.StatusOK, reply)
}

// ruleInfo is one rule in GET /api/v1/rules.
type ruleInfo struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Kind          string   `json:"kind"`
	Severity      string   `json:"severity"`
	Signal        bool     `json:"signal"`
	Defined       string   `json:"defined"`
	Alerts        int      `json:"alerts"`
	New           int      `json:"new"`
	Triaged       int      `json:"triaged"`
	Dismissed     int      `json:"dismissed"`
	Escalated     int      `json:"escalated"`
	DismissalRate *float64 `json:"dismissal_rate"` // dismissed / decided; null before any decision
}

// handleRules lists the rules in use with their alert counts: GET /api/v1/rules.
func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	if svc.Rules == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "Detection is not running."))
		return
	}
	counts, err := svc.Alerts.AlertCounts(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	byRule := map[string]lantern.RuleAlertCounts{}
	for _, c := range counts {
		byRule[c.Rule] = c
	}
	out := []ruleInfo{}
	for _, rule := range svc.Rules.Rules().Rules() {
		c := byRule[rule.Name]
		info := ruleInfo{Name: rule.Name, Description: rule.Description, Kind: rule.Kind, Severity: rule.Severity,
			Signal: rule.Signal, Defined: rule.String(), Alerts: c.Total, New: c.New, Triaged: c.Triaged,
			Dismissed: c.Dismissed, Escalated: c.Escalated}
		if c.Dismissed+c.Escalated > 0 {
			rate := c.DismissalRate()
			info.DismissalRate = &rate
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

// handleRulesReload reloads the rule set: POST /api/v1/rules/reload. A rule
// set that does not load leaves the running one in place and the reply
// (422) lists the errors with file and line.
func (s *Server) handleRulesReload(w http.ResponseWriter, r *http.Request) {
	svc, src, ok := s.alertsAPI(w, r)
	if !ok {
		return
	}
	if svc.Rules == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "Detection is not running."))
		return
	}
	set, err := svc.Rules.Reload()
	if err != nil {
		var lines []string
		var many interface{ Unwrap() []error }
		if errors.As(err, &many) {
			for _, e := range many.Unwrap() {
				lines = append(lines, e.Error())
			}
		} else {
			lines = []string{err.Error()}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error":  errorDetail{Code: lantern.EINVALID, Message: "The rule set did not load; the running rules stay in place."},
			"errors": lines,
		})
		return
	}
	s.logger.Info("rules reloaded through the API", "source", src.Name, "rule_count", len(set.Rules()))
	writeJSON(w, http.StatusOK, map[string]any{"rules": len(set.Rules())})
}
