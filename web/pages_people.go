package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lantern"
	"lantern/workspace"
)

// staffData is the staff profile page's own data.
type staffData struct {
	Profile workspace.StaffProfile
	Chart   riskChart
}

// handleStaffPage shows a member of staff's profile: GET /staff/{id}.
func (s *Server) handleStaffPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	prof, err := s.workspaceOf().StaffProfile(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name := prof.Staff.Name
	if name == "" {
		name = prof.Staff.ID
	}
	s.render(w, http.StatusOK, "staff.html", s.newPage(r, &p, "Staff profile: "+name, staffData{Profile: prof, Chart: newRiskChart(prof.Series)}))
}

// handleLookup sends a "find by id" form to the page for that id: GET
// /staff?id= and GET /people?id=. It is a redirect, so the page itself
// checks and records the access.
func (s *Server) handleLookup(prefix string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
		id := strings.TrimSpace(r.URL.Query().Get("id"))
		if id == "" {
			s.Error(w, r, lantern.FieldErrorf("id", "Enter an id to look up."))
			return
		}
		http.Redirect(w, r, prefix+url.PathEscape(id), http.StatusSeeOther)
	}
}

// personPageSize is how many accesses a person page shows at once.
const personPageSize = workspace.DefaultPersonPage

// personData is the person page's own data.
type personData struct {
	View       workspace.PersonView
	PageNumber int
	Pages      int
}

// personPage reads ?page= (from 1) into an index page.
func personPage(q url.Values) (lantern.IndexPage, int, error) {
	n := 1
	if v := q.Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1_000_000 {
			return lantern.IndexPage{}, 0, lantern.FieldErrorf("page", "page must be a whole number from 1")
		}
	}
	return lantern.IndexPage{Offset: (n - 1) * personPageSize, Limit: personPageSize}, n, nil
}

// handlePersonPage shows who accessed a person's records: GET /people/{id}.
func (s *Server) handlePersonPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	page, n, err := personPage(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.workspaceOf().Person(r.Context(), r.PathValue("id"), page)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	pages := (v.Total + personPageSize - 1) / personPageSize
	s.render(w, http.StatusOK, "person.html", s.newPage(r, &p, "Person "+v.Person.ID, personData{View: v, PageNumber: n, Pages: pages}))
}
