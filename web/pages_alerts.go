package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lantern"
	"lantern/workspace"
)

// workspaceOf returns the attached workspace. The page wrapper has checked
// that it is there.
func (s *Server) workspaceOf() workspace.Workspace { return s.services.Load().Workspace }

// queueForm is the queue's filter form as the user filled it in.
type queueForm struct {
	Rule, Role, Team, State, Since, Until, Limit string
}

// queueData is the queue page's own data.
type queueData struct {
	Form   queueForm
	Queue  workspace.Queue
	States []string
	Query  string // the filter as a query string, for links
}

// parseDay reads a date from a form (2006-01-02, in Europe/London) or an
// RFC 3339 time from the API.
func parseDay(v string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", v, london); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	return t.UTC(), err
}

// queueFilter reads the queue's filter from the query string; errs names
// each field at fault.
func queueFilter(q url.Values) (workspace.QueueFilter, queueForm, []formError) {
	form := queueForm{Rule: strings.TrimSpace(q.Get("rule")), Role: strings.TrimSpace(q.Get("role")),
		Team: strings.TrimSpace(q.Get("team")), State: q.Get("state"), Since: q.Get("since"), Until: q.Get("until"), Limit: q.Get("limit")}
	f := workspace.QueueFilter{Rule: form.Rule, StaffRole: form.Role, Team: form.Team, State: form.State}
	var errs []formError
	if f.State != "" && lantern.ValidateOneOf("state", f.State, lantern.AlertStates...) != nil {
		errs = append(errs, formError{Field: "state", Message: "Choose a state from the list"})
		f.State = ""
	}
	for _, d := range []struct {
		name, label, v string
		dst            *time.Time
	}{{"since", "From", form.Since, &f.Since}, {"until", "To", form.Until, &f.Until}} {
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
	if !f.Until.IsZero() && len(form.Until) == len("2006-01-02") {
		f.Until = f.Until.AddDate(0, 0, 1) // the whole of the last day
	}
	if form.Limit != "" {
		n, err := strconv.Atoi(form.Limit)
		if err != nil || n < 1 || n > maxListLimit {
			errs = append(errs, formError{Field: "limit", Message: "Show must be a whole number from 1 to 1000"})
		} else {
			f.Limit = n
		}
	}
	return f, form, errs
}

// handleQueue shows the alert queue: GET /alerts. An htmx request (the
// filter form, enhanced) gets only the results.
func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	f, form, errs := queueFilter(r.URL.Query())
	q, err := s.workspaceOf().Queue(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vals := url.Values{}
	for k, v := range map[string]string{"rule": form.Rule, "role": form.Role, "team": form.Team, "state": form.State, "since": form.Since, "until": form.Until} {
		if v != "" {
			vals.Set(k, v)
		}
	}
	page := s.newPage(r, &p, "Alert queue", queueData{Form: form, Queue: q, States: lantern.AlertStates, Query: vals.Encode()})
	page.Errors = errs
	status := http.StatusOK
	if errs != nil {
		status = http.StatusBadRequest
	}
	if isHTMX(r) {
		s.renderBlock(w, status, "queue.html", "queue-results", page)
		return
	}
	s.render(w, status, "queue.html", page)
}

// alertData is the alert page's own data.
type alertData struct {
	Detail workspace.AlertDetail
	Reason string // the reason as typed, when the form comes back with an error
	Done   string // the state just set, for the confirmation
}

// handleAlertPage shows one alert: GET /alerts/{id}.
func (s *Server) handleAlertPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	d, err := s.workspaceOf().Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "alert.html", s.newPage(r, &p, "Alert: "+d.Alert.Rule, alertData{Detail: d, Done: r.URL.Query().Get("done")}))
}

// alertActions maps the action in a page's address to the state it sets.
var alertActions = map[string]string{
	"triage":   lantern.AlertTriaged,
	"dismiss":  lantern.AlertDismissed,
	"escalate": lantern.AlertEscalated,
	"reopen":   lantern.AlertTriaged,
}

// handleAlertAction triages, dismisses or escalates an alert from its page:
// POST /alerts/{id}/{action}. Without JavaScript the browser is sent back
// to the alert; htmx gets the refreshed actions panel.
func (s *Server) handleAlertAction(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id := r.PathValue("id")
	state, ok := alertActions[r.PathValue("action")]
	if !ok {
		s.notFound(w, r)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	ws := s.workspaceOf()
	var errs []formError
	if lantern.AlertStateNeedsReason(state) && reason == "" {
		msg := "Enter why you are dismissing this alert"
		if state == lantern.AlertEscalated {
			msg = "Enter a note to pass on with the escalation"
		}
		errs = append(errs, formError{Field: "reason", Message: msg})
	} else if len(reason) > lantern.MaxStateReasonBytes {
		errs = append(errs, formError{Field: "reason", Message: "The reason must be 4,000 characters or fewer"})
	}
	if errs == nil {
		_, err := ws.ChangeAlert(r.Context(), id, lantern.AlertStateUpdate{State: state, Reason: reason, By: p.UserID, At: time.Now().UTC()})
		switch lantern.ErrorCode(err) {
		case "":
		case lantern.EINVALID, lantern.ECONFLICT:
			errs = append(errs, formError{Field: "reason", Message: lantern.ErrorMessage(err)})
		default:
			s.Error(w, r, err)
			return
		}
	}
	if errs == nil && !isHTMX(r) {
		http.Redirect(w, r, "/alerts/"+url.PathEscape(id)+"?done="+url.QueryEscape(state), http.StatusSeeOther)
		return
	}
	d, err := ws.Alert(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	data := alertData{Detail: d, Reason: reason}
	status := http.StatusOK
	if errs != nil {
		status = http.StatusBadRequest
	} else {
		data.Done, data.Reason = state, ""
	}
	page := s.newPage(r, &p, "Alert: "+d.Alert.Rule, data)
	page.Errors = errs
	if isHTMX(r) {
		s.renderBlock(w, status, "alert.html", "alert-actions", page)
		return
	}
	s.render(w, status, "alert.html", page)
}
