package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must load on a machine without zoneinfo

	"lantern"
)

// london is where times are shown: every time is stored in UTC.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // tzdata is embedded, so this cannot happen
	}
	return l
}()

// parseTemplates parses every page in templates/ together with the shared
// layout and the partials in templates/partials/, keyed by the page's file
// name. A broken template is an error.
func parseTemplates(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	pages, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template)
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" {
			continue
		}
		files := append([]string{"templates/layout.html", p}, partials...)
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, files...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no page templates embedded")
	}
	return out, nil
}

// navItem is one link in the service navigation.
type navItem struct {
	Href, Text string
	Current    bool
}

// formError is one entry of a page's error summary, linking to its field.
type formError struct {
	Field, Message string
}

// pageData is what every page template gets: the layout's parts and the
// page's own Data.
type pageData struct {
	Title  string
	User   *lantern.Principal
	CSRF   string
	Nav    []navItem
	Errors []formError
	Data   any
}

// newPage fills the layout's parts for a signed-in user (or nobody, when p
// is nil): the navigation shows only what the role may use.
func (s *Server) newPage(r *http.Request, p *lantern.Principal, title string, data any) *pageData {
	d := &pageData{Title: title, Data: data, CSRF: csrfToken(csrfBinding(r))}
	if p == nil {
		return d
	}
	d.User = p
	d.Nav = append(d.Nav, navItem{Href: "/", Text: "Home"})
	if !p.LockedOut {
		for _, n := range []struct {
			act        lantern.Action
			href, text string
		}{
			{lantern.ActViewAlerts, "/alerts", "Alerts"},
			{lantern.ActViewReports, "/reports", "Reports"},
			{lantern.ActViewReferrals, "/partner-referrals", "Referrals"},
			{lantern.ActViewIntel, "/intel", "Intelligence"},
			{lantern.ActPartnerReferrals, "/referrals", "Referrals"},
			{lantern.ActViewRules, "/rules", "Rules"},
			{lantern.ActViewIntake, "/intake", "Intake"},
			{lantern.ActViewAudit, "/audit", "Audit trail"},
		} {
			if p.Role.Allowed(n.act) {
				d.Nav = append(d.Nav, navItem{Href: n.href, Text: n.text})
			}
		}
	}
	for i := range d.Nav {
		h := d.Nav[i].Href
		d.Nav[i].Current = r.URL.Path == h || h != "/" && strings.HasPrefix(r.URL.Path, h+"/")
	}
	return d
}

// funcs are the helpers templates may call.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": s.assets.url,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(london).Format("2 Jan 2006 15:04")
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(london).Format("2 Jan 2006")
		},
		"days": func(from, to time.Time) string {
			a, b := from.In(london).Format("2 Jan 2006"), to.In(london).Format("2 Jan 2006")
			if to.IsZero() || a == b {
				return a
			}
			return a + " to " + b
		},
		"isodate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(london).Format("2006-01-02")
		},
		"machine": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"score":   func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"percent": func(f float64) string {
			if math.IsNaN(f) {
				return "–"
			}
			return strconv.FormatFloat(f*100, 'f', 0, 64) + "%"
		},
		"stateTag": stateTag,
		"reportStatus": func(v string) string {
			if n, ok := reportStatusNames[v]; ok {
				return n
			}
			return v
		},
		"referralFinal": lantern.ReferralStateFinal,
		"referralStatus": func(v string) string {
			if n, ok := referralStatusNames[v]; ok {
				return n
			}
			return v
		},
		"intelState": func(v string) string {
			switch v {
			case lantern.IntelUngraded:
				return "Ungraded"
			case lantern.IntelGraded:
				return "Graded"
			case lantern.IntelShared:
				return "Shared"
			}
			return v
		},
		"intelTag": func(v string) string {
			switch v {
			case lantern.IntelUngraded:
				return "govuk-tag--yellow"
			case lantern.IntelGraded:
				return "govuk-tag--blue"
			}
			return "govuk-tag--green"
		},
		"reportTag": func(v string) string {
			switch v {
			case lantern.ReportReceived:
				return "govuk-tag--blue"
			case lantern.ReportInReview:
				return "govuk-tag--yellow"
			case lantern.ReportActioned:
				return "govuk-tag--green"
			}
			return "govuk-tag--grey"
		},
		"purposeTag": func(v string) string {
			switch v {
			case lantern.PurposeYes:
				return "govuk-tag--green"
			case lantern.PurposeNo:
				return "govuk-tag--red"
			}
			return "govuk-tag--grey"
		},
		"purposeText": func(v string) string {
			switch v {
			case lantern.PurposeYes:
				return "Yes"
			case lantern.PurposeNo:
				return "No"
			case "":
				return ""
			}
			return "Unknown"
		},
		"severityTag": func(v string) string {
			switch v {
			case lantern.SeverityCritical:
				return "govuk-tag--red"
			case lantern.SeverityHigh:
				return "govuk-tag--orange"
			case lantern.SeverityMedium:
				return "govuk-tag--yellow"
			}
			return "govuk-tag--grey"
		},
		"roleName": roleName,
		"allowed": func(p *lantern.Principal, a string) bool {
			return p != nil && !p.LockedOut && p.Role.Allowed(lantern.Action(a))
		},
		"path":  func(s string) string { return url.PathEscape(s) },
		"query": url.QueryEscape,
		"add":   func(a, b int) int { return a + b },
		"join":  strings.Join,
	}
}

// stateTag is the GOV.UK tag colour of an alert state.
func stateTag(state string) string {
	switch state {
	case lantern.AlertNew:
		return "govuk-tag--blue"
	case lantern.AlertTriaged:
		return "govuk-tag--yellow"
	case lantern.AlertDismissed:
		return "govuk-tag--grey"
	case lantern.AlertEscalated:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// roleName is how pages name a user role.
func roleName(r lantern.UserRole) string {
	switch r {
	case lantern.UserAnalyst:
		return "Analyst"
	case lantern.UserInvestigator:
		return "Investigator"
	case lantern.UserHeadOfPSD:
		return "Head of Professional Standards"
	case lantern.UserAuditor:
		return "Auditor"
	case lantern.UserAdministrator:
		return "Administrator"
	case lantern.UserPartner:
		return "Partner agency worker"
	case lantern.UserInspector:
		return "Inspector"
	}
	return string(r)
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data *pageData) {
	s.renderBlock(w, status, name, "layout", data)
}

// renderBlock executes one named template of a page: "layout" for the
// whole page, or a fragment that htmx swaps in.
func (s *Server) renderBlock(w http.ResponseWriter, status int, name, block string, data *pageData) {
	t, ok := s.templates[name]
	if !ok {
		s.logger.Error("render: unregistered template", "template", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		s.logger.Error("render failed", "template", name, "block", block, "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// isHTMX reports whether htmx sent the request, wanting a fragment.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }
