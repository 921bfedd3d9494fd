package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lantern"
	"lantern/intel"
)

// Intel is the unit's intelligence log. intel.Service is the
// implementation: it checks that the user works in the unit, never shows an
// item about the user's own staff record, and writes every use to the audit
// trail. The server checks the role's Action first.
type Intel interface {
	List(ctx context.Context, f lantern.IntelFilter) ([]*lantern.IntelItem, int, error)
	Get(ctx context.Context, id int64) (*lantern.IntelItem, error)
	Grade(ctx context.Context, id int64, g lantern.Grade) (*lantern.IntelItem, error)
	Share(ctx context.Context, id int64, sanitised, with string) (*lantern.IntelItem, error)
	Candidates(ctx context.Context, id int64, who intel.Identifiers) ([]*lantern.Staff, error)
	LinkStaff(ctx context.Context, id int64, staffID string) (*lantern.IntelItem, error)
	// Proposals returns the staff an item's source appears to identify,
	// for an analyst to confirm (analysts only).
	Proposals(ctx context.Context, id int64) ([]intel.StaffProposal, error)
}

// intelLog checks that p may take action a on object and returns the
// intelligence log. A refusal is written to the audit trail.
func (s *Server) intelLog(ctx context.Context, p lantern.Principal, a lantern.Action, object string) (Intel, error) {
	svc := s.services.Load()
	if err := lantern.Authorize(p, a, ""); err != nil {
		if svc.Audit != nil {
			_, _ = svc.Audit.AppendAudit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: string(a), Object: object,
				Outcome: lantern.AuditDenied, Detail: lantern.ErrorMessage(err)})
		}
		return nil, err
	}
	if svc.Intel == nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "The intelligence log is not running.")
	}
	return svc.Intel, nil
}

// intelID reads an item's id from the path; a malformed one is not found.
func intelID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
	}
	return n, nil
}

// intelFilter reads the list's filter from the query string.
func intelFilter(q url.Values) (lantern.IntelFilter, error) {
	f := lantern.IntelFilter{State: q.Get("state"), Limit: 200}
	if f.State != "" && lantern.ValidateOneOf("state", f.State, lantern.IntelStates...) != nil {
		return f, lantern.FieldErrorf("state", "Choose ungraded, graded or shared")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return f, lantern.FieldErrorf("limit", "Show must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, lantern.FieldErrorf("offset", "Offset must be a whole number, 0 or more")
		}
		f.Offset = n
	}
	return f, nil
}

// intelListData is the intelligence log page's own data.
type intelListData struct {
	Items  []*lantern.IntelItem
	Total  int
	State  string
	States []string
}

// handleIntelPage lists the intelligence log: GET /intel.
func (s *Server) handleIntelPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	il, err := s.intelLog(r.Context(), p, lantern.ActViewIntel, "intel")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, err := intelFilter(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := il.List(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "intel_list.html", s.newPage(r, &p, "Intelligence log", intelListData{Items: list, Total: total, State: f.State, States: lantern.IntelStates}))
}

// gradeChoice is one option of the grading form, with what it means.
type gradeChoice struct{ Value, Label, Hint string }

// The 3x5x2 grades as the grading form explains them.
var (
	sourceChoices = []gradeChoice{
		{"1", "1: Reliable", "The source has a history of reliable information, or is a trained officer, a document or a system record."},
		{"2", "2: Untested", "The source has no history with the unit, or what they gave before was mixed. Most reports from the public start here."},
		{"3", "3: Not reliable", "There are doubts about the source: information from them has proved wrong, or they may have a motive to mislead."},
	}
	intelChoices = []gradeChoice{
		{"A", "A: Known directly to the source", "The source saw or heard it themselves."},
		{"B", "B: Known indirectly, corroborated", "The source was told it, and something else independent confirms it."},
		{"C", "C: Known indirectly", "The source was told it, and nothing yet confirms it."},
		{"D", "D: Not known", "How the source came to know it is not known."},
		{"E", "E: Suspected to be false", "There is reason to believe it is untrue or malicious. Record it all the same."},
	}
	handlingChoices = []gradeChoice{
		{"P", "P: Lawful sharing permitted", "May be shared with those who need it for a policing purpose, without further conditions."},
		{"C", "C: Sharing permitted with conditions", "May be shared only on the conditions you write below, for example not outside the force, or only with the unit's agreement."},
	}
)

// intelData is an item's page's own data.
type intelData struct {
	Item       *lantern.IntelItem
	Sources    []gradeChoice
	Intels     []gradeChoice
	Handlings  []gradeChoice
	Form       url.Values // as typed, when the page comes back with an error
	Searched   bool
	Candidates []*lantern.Staff
	// Proposals are the staff the item's source points to, for an
	// analyst to confirm with one click; ProposalNote says why there are
	// none when the source has details to match and they could not be.
	Proposals    []intel.StaffProposal
	ProposalNote string
	Done         string
}

func (s *Server) intelPage(r *http.Request, it *lantern.IntelItem) *intelData {
	d := &intelData{Item: it, Sources: sourceChoices, Intels: intelChoices, Handlings: handlingChoices, Form: url.Values{}}
	if g := it.Grade; g != nil {
		d.Form.Set("source", strconv.Itoa(g.Source))
		d.Form.Set("intelligence", g.Intelligence)
		d.Form.Set("handling", g.Handling)
		d.Form.Set("conditions", g.Conditions)
	}
	d.Form.Set("sanitised", it.Sanitised)
	d.Done = intelDone[r.URL.Query().Get("done")]
	return d
}

// intelDone are the confirmations an item's page shows after an action.
var intelDone = map[string]string{
	"graded": "The item has been graded.",
	"shared": "The item's sanitised text has been recorded as shared.",
	"linked": "The item is now linked to the member of staff, and shows on their profile.",
}

// handleIntelItemPage shows one item with its forms: GET /intel/{id}.
// With name or collar in the query, it also proposes the staff records
// those identifiers resolve to, for the analyst to confirm one.
func (s *Server) handleIntelItemPage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	id, err := intelID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	il, err := s.intelLog(r.Context(), p, lantern.ActViewIntel, "intel:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	it, err := il.Get(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d := s.intelPage(r, it)
	s.proposals(r.Context(), p, il, it, d)
	q := r.URL.Query()
	page := s.newPage(r, &p, "Intelligence item "+strconv.FormatInt(id, 10), d)
	status := http.StatusOK
	if q.Has("name") || q.Has("collar") {
		d.Form.Set("name", q.Get("name"))
		d.Form.Set("collar", q.Get("collar"))
		if err := lantern.Authorize(p, lantern.ActLinkIntel, ""); err != nil {
			s.Error(w, r, err)
			return
		}
		d.Candidates, err = il.Candidates(r.Context(), id, intel.Identifiers{Name: q.Get("name"), CollarNumber: q.Get("collar")})
		switch lantern.ErrorCode(err) {
		case "":
			d.Searched = true
		case lantern.EINVALID:
			page.Errors = append(page.Errors, formError{Field: "name", Message: lantern.ErrorMessage(err)})
			status = http.StatusBadRequest
		default:
			s.Error(w, r, err)
			return
		}
	}
	s.render(w, status, "intel.html", page)
}

// proposals fills in the staff an unlinked item's source points to, for an
// analyst. A source that could not be matched is noted, not an error: the
// analyst can still search by hand.
func (s *Server) proposals(ctx context.Context, p lantern.Principal, il Intel, it *lantern.IntelItem, d *intelData) {
	if it.StaffID != "" || lantern.Authorize(p, lantern.ActLinkIntel, "") != nil {
		return
	}
	var err error
	d.Proposals, err = il.Proposals(ctx, it.ID)
	if err != nil {
		d.Proposals, d.ProposalNote = nil, "No staff could be proposed from the source: "+lantern.ErrorMessage(err)
	}
}

// intelAction is one form on an item's page.
type intelAction struct {
	need  lantern.Action
	field string // the field an error belongs to by default
	do    func(ctx context.Context, il Intel, r *http.Request, id int64) (done string, err error)
}

// formGrade reads a grade from a form or JSON request's fields.
func formGrade(source, intelligence, handling, conditions string) (lantern.Grade, error) {
	g := lantern.Grade{Intelligence: intelligence, Handling: handling, Conditions: strings.TrimSpace(conditions)}
	if source == "" {
		return g, lantern.FieldErrorf("source", "Choose how reliable the source is")
	}
	n, err := strconv.Atoi(source)
	if err != nil {
		return g, lantern.FieldErrorf("source", "Source evaluation must be 1, 2 or 3")
	}
	g.Source = n
	if intelligence == "" {
		return g, lantern.FieldErrorf("intelligence", "Choose how the source knows the intelligence")
	}
	if handling == "" {
		return g, lantern.FieldErrorf("handling", "Choose how the item may be shared")
	}
	if g.Handling == lantern.HandlingP {
		g.Conditions = ""
	}
	return g, nil
}

var intelActions = map[string]intelAction{
	"grade": {lantern.ActChangeIntel, "source", func(ctx context.Context, il Intel, r *http.Request, id int64) (string, error) {
		g, err := formGrade(r.PostFormValue("source"), r.PostFormValue("intelligence"), r.PostFormValue("handling"), r.PostFormValue("conditions"))
		if err != nil {
			return "", err
		}
		_, err = il.Grade(ctx, id, g)
		return "graded", err
	}},
	"share": {lantern.ActChangeIntel, "sanitised", func(ctx context.Context, il Intel, r *http.Request, id int64) (string, error) {
		with := strings.TrimSpace(r.PostFormValue("with"))
		if with == "" {
			return "", lantern.FieldErrorf("with", "Enter who the item is shared with")
		}
		_, err := il.Share(ctx, id, strings.TrimSpace(r.PostFormValue("sanitised")), with)
		return "shared", err
	}},
	"link": {lantern.ActLinkIntel, "staff", func(ctx context.Context, il Intel, r *http.Request, id int64) (string, error) {
		staff := r.PostFormValue("staff_id")
		if staff == "" {
			return "", lantern.FieldErrorf("staff", "Choose the member of staff the item is about")
		}
		if r.PostFormValue("confirm") != "yes" {
			return "", lantern.FieldErrorf("staff", "Confirm that you have checked the identification")
		}
		_, err := il.LinkStaff(ctx, id, staff)
		return "linked", err
	}},
}

// intelFields maps the service's field names to the page's.
var intelFields = map[string]string{"source": "source", "intelligence": "intelligence", "handling": "handling", "conditions": "conditions",
	"sanitised": "sanitised", "with": "with", "staff": "staff", "staff_id": "staff", "shared_with": "with"}

// handleIntelAction takes one of an item's forms: POST /intel/{id}/{action}.
func (s *Server) handleIntelAction(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	act, ok := intelActions[r.PathValue("action")]
	if !ok {
		s.notFound(w, r)
		return
	}
	id, err := intelID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	il, err := s.intelLog(r.Context(), p, act.need, "intel:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// Reading the item first refuses one about the user before the form
	// is looked at.
	if _, err := il.Get(r.Context(), id); err != nil {
		s.Error(w, r, err)
		return
	}
	done, err := act.do(r.Context(), il, r, id)
	var errs []formError
	switch lantern.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/intel/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return
	case lantern.EINVALID, lantern.ECONFLICT:
		field := act.field
		if f := intelFields[lantern.ErrorField(err)]; f != "" {
			field = f
		}
		errs = append(errs, formError{Field: field, Message: lantern.ErrorMessage(err)})
	default:
		s.Error(w, r, err)
		return
	}
	it, err := il.Get(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d := s.intelPage(r, it)
	s.proposals(r.Context(), p, il, it, d)
	for _, k := range []string{"source", "intelligence", "handling", "conditions", "sanitised", "with"} {
		if r.PostForm.Has(k) {
			d.Form.Set(k, r.PostFormValue(k))
		}
	}
	if r.PathValue("action") == "link" {
		// Show the same candidates again, to choose and confirm.
		d.Form.Set("name", r.PostFormValue("name"))
		d.Form.Set("collar", r.PostFormValue("collar"))
		if d.Candidates, err = il.Candidates(r.Context(), id, intel.Identifiers{Name: r.PostFormValue("name"), CollarNumber: r.PostFormValue("collar")}); err == nil {
			d.Searched = true
		}
	}
	page := s.newPage(r, &p, "Intelligence item "+strconv.FormatInt(id, 10), d)
	page.Errors = errs
	s.render(w, http.StatusBadRequest, "intel.html", page)
}

// The workspace API for the intelligence log: the same service, as JSON.

type intelListReply struct {
	Items []*lantern.IntelItem `json:"items"`
	Total int                  `json:"total"`
}

func (s *Server) apiIntelList(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	il, err := s.intelLog(r.Context(), p, lantern.ActViewIntel, "intel")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, err := intelFilter(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := il.List(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if list == nil {
		list = []*lantern.IntelItem{}
	}
	writeJSON(w, http.StatusOK, intelListReply{Items: list, Total: total})
}

// apiIntelCall runs one API call on an item after the checks.
func (s *Server) apiIntelCall(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action,
	call func(il Intel, id int64) (any, error)) {
	id, err := intelID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	il, err := s.intelLog(r.Context(), p, a, "intel:"+r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if a != lantern.ActViewIntel {
		// Reading the item first refuses one about the user before the
		// request is looked at.
		if _, err := il.Get(r.Context(), id); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	out, err := call(il, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// apiIntelItem returns an item: GET /api/v1/workspace/intel/{id}.
func (s *Server) apiIntelItem(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActViewIntel, func(il Intel, id int64) (any, error) { return il.Get(r.Context(), id) })
}

// apiIntelGrade grades an item: POST /api/v1/workspace/intel/{id}/grade
// with {"source":2,"intelligence":"B","handling":"C","conditions":"…"}.
func (s *Server) apiIntelGrade(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActChangeIntel, func(il Intel, id int64) (any, error) {
		var g lantern.Grade
		if err := decodeJSON(w, r, &g, "source, intelligence, handling and conditions"); err != nil {
			return nil, err
		}
		return il.Grade(r.Context(), id, g)
	})
}

// apiIntelShare records an item's dissemination: POST
// /api/v1/workspace/intel/{id}/share with {"sanitised":"…","with":"…"}.
func (s *Server) apiIntelShare(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActChangeIntel, func(il Intel, id int64) (any, error) {
		var req struct {
			Sanitised string `json:"sanitised"`
			With      string `json:"with"`
		}
		if err := decodeJSON(w, r, &req, "sanitised and with"); err != nil {
			return nil, err
		}
		if strings.TrimSpace(req.With) == "" {
			return nil, lantern.FieldErrorf("with", "Say who the item is shared with.")
		}
		return il.Share(r.Context(), id, req.Sanitised, strings.TrimSpace(req.With))
	})
}

// staffCandidate is one proposed member of staff, as the API gives it.
type staffCandidate struct {
	ID           string `json:"id"`
	Name         string `json:"name,omitempty"`
	CollarNumber string `json:"collar_number,omitempty"`
	Rank         string `json:"rank,omitempty"`
	Team         string `json:"team,omitempty"`
	Station      string `json:"station,omitempty"`
}

// apiIntelCandidates resolves identifiers to staff records: GET
// /api/v1/workspace/intel/{id}/candidates?name=…&collar=….
func (s *Server) apiIntelCandidates(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActLinkIntel, func(il Intel, id int64) (any, error) {
		q := r.URL.Query()
		list, err := il.Candidates(r.Context(), id, intel.Identifiers{Name: q.Get("name"), CollarNumber: q.Get("collar")})
		if err != nil {
			return nil, err
		}
		out := []staffCandidate{}
		for _, st := range list {
			out = append(out, staffCandidate{ID: st.ID, Name: st.Name, CollarNumber: st.CollarNumber, Rank: st.Rank, Team: st.Team, Station: st.Station})
		}
		return struct {
			Candidates []staffCandidate `json:"candidates"`
		}{out}, nil
	})
}

// apiIntelLink confirms who an item is about: POST
// /api/v1/workspace/intel/{id}/link with {"staff_id":"…","confirm":true}.
func (s *Server) apiIntelLink(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActLinkIntel, func(il Intel, id int64) (any, error) {
		var req struct {
			StaffID string `json:"staff_id"`
			Confirm bool   `json:"confirm"`
		}
		if err := decodeJSON(w, r, &req, "staff_id and confirm"); err != nil {
			return nil, err
		}
		if !req.Confirm {
			return nil, lantern.FieldErrorf("confirm", "Confirm the identification with \"confirm\": true.")
		}
		return il.LinkStaff(r.Context(), id, req.StaffID)
	})
}

// staffProposal is one proposed member of staff, as the API gives it.
type staffProposal struct {
	Staff  staffCandidate `json:"staff"`
	Reason string         `json:"reason"`
}

// apiIntelProposals returns the staff an item's source appears to
// identify, strongest first: GET /api/v1/workspace/intel/{id}/proposals.
func (s *Server) apiIntelProposals(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiIntelCall(w, r, p, lantern.ActLinkIntel, func(il Intel, id int64) (any, error) {
		list, err := il.Proposals(r.Context(), id)
		if err != nil {
			return nil, err
		}
		out := []staffProposal{}
		for _, pr := range list {
			st := pr.Staff
			out = append(out, staffProposal{Staff: staffCandidate{ID: st.ID, Name: st.Name, CollarNumber: st.CollarNumber, Rank: st.Rank, Team: st.Team, Station: st.Station}, Reason: pr.Reason})
		}
		return struct {
			Proposals []staffProposal `json:"proposals"`
		}{out}, nil
	})
}
