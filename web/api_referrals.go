package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lantern"
)

// The workspace API for partner referrals: the same service as the pages,
// as JSON. /api/v1/workspace/referrals is the partner's side (their own
// organisation's referrals), /api/v1/workspace/partner-referrals the
// unit's.

// referralListReply is the body of a list of referrals.
type referralListReply struct {
	Referrals []*lantern.Referral `json:"referrals"`
	Total     int                 `json:"total"`
}

// referralReply is one referral with its messages and files.
type referralReply struct {
	Referral *lantern.Referral             `json:"referral"`
	Messages []*lantern.ReferralMessage    `json:"messages"`
	Files    []*lantern.ReferralAttachment `json:"files"`
}

// referralFilter reads a list's filter from the query string; partner is
// the unit's only (a partner's list is always their own organisation's).
func referralFilter(q url.Values, unit bool) (lantern.ReferralFilter, error) {
	f := lantern.ReferralFilter{Status: q.Get("status"), Limit: 200}
	if f.Status != "" && lantern.ValidateOneOf("status", f.Status, lantern.ReferralStates...) != nil {
		return f, lantern.FieldErrorf("status", "status must be one of %s", strings.Join(lantern.ReferralStates, ", "))
	}
	if unit {
		f.Partner = q.Get("partner")
	} else if q.Has("partner") {
		return f, lantern.FieldErrorf("partner", "A partner's list is always their own organisation's; leave out partner")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return f, lantern.FieldErrorf("limit", "limit must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, lantern.FieldErrorf("offset", "offset must be a whole number, 0 or more")
		}
		f.Offset = n
	}
	return f, nil
}

// apiReferralCall runs one API call on referrals after the role's check.
// With id, the referral id in the path is read first (a malformed one is
// not found).
func (s *Server) apiReferralCall(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action, status int,
	call func(rs Referrals, id int64) (any, error)) {
	object := "referrals"
	if r.PathValue("id") != "" {
		object = "referral:" + r.PathValue("id")
	}
	rs, err := s.referralsFor(r.Context(), p, a, object)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = referralID(r); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	out, err := call(rs, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

func (s *Server) apiReferralList(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action) {
	s.apiReferralCall(w, r, p, a, http.StatusOK, func(rs Referrals, _ int64) (any, error) {
		f, err := referralFilter(r.URL.Query(), a != lantern.ActPartnerReferrals)
		if err != nil {
			return nil, err
		}
		list, total, err := rs.List(r.Context(), f)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []*lantern.Referral{}
		}
		return referralListReply{Referrals: list, Total: total}, nil
	})
}

func (s *Server) apiReferralGet(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action) {
	s.apiReferralCall(w, r, p, a, http.StatusOK, func(rs Referrals, _ int64) (any, error) {
		_, v, err := loadReferral(r, rs)
		if err != nil {
			return nil, err
		}
		if v.Messages == nil {
			v.Messages = []*lantern.ReferralMessage{}
		}
		if v.Files == nil {
			v.Files = []*lantern.ReferralAttachment{}
		}
		return referralReply(v), nil
	})
}

func (s *Server) apiReferralMessage(w http.ResponseWriter, r *http.Request, p lantern.Principal, a lantern.Action) {
	s.apiReferralCall(w, r, p, a, http.StatusCreated, func(rs Referrals, id int64) (any, error) {
		// Reading the referral first answers another organisation's as
		// missing before the body is looked at.
		if _, _, err := rs.Get(r.Context(), id); err != nil {
			return nil, err
		}
		var req struct {
			Body string `json:"body"`
		}
		if err := decodeJSON(w, r, &req, "body"); err != nil {
			return nil, err
		}
		return rs.Message(r.Context(), id, req.Body)
	})
}

// apiPartnerReferrals lists the partner's own organisation's referrals:
// GET /api/v1/workspace/referrals.
func (s *Server) apiPartnerReferrals(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralList(w, r, p, lantern.ActPartnerReferrals)
}

// apiPartnerReferralCreate sends a referral: POST
// /api/v1/workspace/referrals with the referral as JSON. Files follow with
// POST …/{id}/files.
func (s *Server) apiPartnerReferralCreate(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralCall(w, r, p, lantern.ActPartnerReferrals, http.StatusCreated, func(rs Referrals, _ int64) (any, error) {
		var req struct {
			Concern       string                 `json:"concern"`
			Officer       lantern.OfficerDetails `json:"officer"`
			VictimConsent string                 `json:"victim_consent"`
			Safeguarding  string                 `json:"safeguarding"`
		}
		if err := decodeJSON(w, r, &req, "concern, officer, victim_consent and safeguarding"); err != nil {
			return nil, err
		}
		return rs.Submit(r.Context(), lantern.Referral{Concern: req.Concern, Officer: req.Officer, VictimConsent: req.VictimConsent, Safeguarding: req.Safeguarding})
	})
}

// apiPartnerReferral returns one of the partner's referrals with its
// messages and files: GET /api/v1/workspace/referrals/{id}.
func (s *Server) apiPartnerReferral(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralGet(w, r, p, lantern.ActPartnerReferrals)
}

// apiPartnerReferralMessage sends the unit a message: POST
// /api/v1/workspace/referrals/{id}/messages with {"body":"…"}.
func (s *Server) apiPartnerReferralMessage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralMessage(w, r, p, lantern.ActPartnerReferrals)
}

// apiPartnerReferralWithdraw withdraws a referral before assessment: POST
// /api/v1/workspace/referrals/{id}/withdraw.
func (s *Server) apiPartnerReferralWithdraw(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralCall(w, r, p, lantern.ActPartnerReferrals, http.StatusOK, func(rs Referrals, id int64) (any, error) {
		return rs.SetStatus(r.Context(), id, lantern.ReferralWithdrawn, "")
	})
}

// apiPartnerReferralFiles attaches files to an open referral: POST
// /api/v1/workspace/referrals/{id}/files, a multipart/form-data body with
// the files in parts named files.
func (s *Server) apiPartnerReferralFiles(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralCall(w, r, p, lantern.ActPartnerReferrals, http.StatusCreated, func(rs Referrals, id int64) (any, error) {
		if _, _, err := rs.Get(r.Context(), id); err != nil {
			return nil, err
		}
		if !isMultipart(r) {
			return nil, lantern.FieldErrorf("files", "Send the files as multipart/form-data, in parts named files")
		}
		files, err := uploads(r)
		if err != nil {
			return nil, err
		}
		added, err := rs.AddFiles(r.Context(), id, files)
		if err != nil {
			return nil, err
		}
		return struct {
			Files []*lantern.ReferralAttachment `json:"files"`
		}{added}, nil
	})
}

// apiUnitReferrals lists every organisation's referrals for the unit,
// filtered by status and partner: GET /api/v1/workspace/partner-referrals.
func (s *Server) apiUnitReferrals(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralList(w, r, p, lantern.ActViewReferrals)
}

// apiUnitReferral returns a referral with its messages and files: GET
// /api/v1/workspace/partner-referrals/{id}.
func (s *Server) apiUnitReferral(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralGet(w, r, p, lantern.ActViewReferrals)
}

// apiUnitReferralStatus moves a referral, with feedback for the partner:
// POST /api/v1/workspace/partner-referrals/{id}/status with
// {"status":"…","feedback":"…"}.
func (s *Server) apiUnitReferralStatus(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralCall(w, r, p, lantern.ActChangeReferral, http.StatusOK, func(rs Referrals, id int64) (any, error) {
		if _, _, err := rs.Get(r.Context(), id); err != nil {
			return nil, err
		}
		var req struct {
			Status   string `json:"status"`
			Feedback string `json:"feedback"`
		}
		if err := decodeJSON(w, r, &req, "status and feedback"); err != nil {
			return nil, err
		}
		if req.Status == "" {
			return nil, lantern.FieldErrorf("status", "status is required")
		}
		return rs.SetStatus(r.Context(), id, req.Status, strings.TrimSpace(req.Feedback))
	})
}

// apiUnitReferralMessage writes to the partner: POST
// /api/v1/workspace/partner-referrals/{id}/messages with {"body":"…"}.
func (s *Server) apiUnitReferralMessage(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralMessage(w, r, p, lantern.ActChangeReferral)
}

// apiUnitReferralIntel records an ungraded intelligence item from a
// referral: POST /api/v1/workspace/partner-referrals/{id}/intel with
// {"summary":"…"}.
func (s *Server) apiUnitReferralIntel(w http.ResponseWriter, r *http.Request, p lantern.Principal) {
	s.apiReferralCall(w, r, p, lantern.ActChangeReferral, http.StatusCreated, func(rs Referrals, id int64) (any, error) {
		var req struct {
			Summary string `json:"summary"`
		}
		if err := decodeJSON(w, r, &req, "summary"); err != nil {
			return nil, err
		}
		return rs.CreateIntel(r.Context(), id, req.Summary)
	})
}
