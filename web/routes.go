package web

import "net/http"

// routes registers every route the server answers. Each UI or API route is
// listed here, once, with its method.
func (s *Server) routes(mux *http.ServeMux, metrics http.Handler) {
	r := &routeList{mux: mux}
	defer func() { s.patterns = r.patterns }()
	r.handleFunc("GET /healthz", s.handleHealthz)
	r.handleFunc("GET /readyz", s.handleReadyz)
	r.handle("GET /metrics", metrics)
	r.handleFunc("GET /assets/{path...}", s.assets.serve(s))

	// The API for systems, authenticated by source tokens.
	r.handleFunc("POST /api/v1/events", s.handlePostEvents)
	r.handleFunc("GET /api/v1/alerts", s.handleAlerts)
	r.handleFunc("GET /api/v1/alerts/{id}", s.handleAlert)
	r.handleFunc("POST /api/v1/alerts/{id}/state", s.handleAlertState)
	r.handleFunc("GET /api/v1/risk", s.handleRisk)
	r.handleFunc("GET /api/v1/rules", s.handleRules)
	r.handleFunc("POST /api/v1/rules/reload", s.handleRulesReload)

	// The workspace API behind the pages, authenticated by the session.
	r.handleFunc("GET /api/v1/workspace/session", s.page(s.apiSession))
	r.handleFunc("GET /api/v1/workspace/queue", s.page(s.apiQueue))
	r.handleFunc("GET /api/v1/workspace/alerts/{id}", s.page(s.apiAlert))
	r.handleFunc("POST /api/v1/workspace/alerts/{id}/state", s.page(s.apiAlertState))
	r.handleFunc("GET /api/v1/workspace/staff/{id}", s.page(s.apiStaff))
	r.handleFunc("GET /api/v1/workspace/people/{id}", s.page(s.apiPerson))
	r.handleFunc("GET /api/v1/workspace/rules", s.page(s.apiRules))
	r.handleFunc("POST /api/v1/workspace/rules/reload", s.page(s.apiRulesReload))
	r.handleFunc("GET /api/v1/workspace/intake", s.page(s.apiIntake))
	r.handleFunc("GET /api/v1/workspace/audit", s.page(s.apiAudit))
	r.handleFunc("GET /api/v1/workspace/reports", s.page(s.apiReports))
	r.handleFunc("GET /api/v1/workspace/reports/{id}", s.page(s.apiReport))
	r.handleFunc("POST /api/v1/workspace/reports/{id}/questions", s.page(s.apiReportQuestion))
	r.handleFunc("POST /api/v1/workspace/reports/{id}/status", s.page(s.apiReportStatus))
	r.handleFunc("POST /api/v1/workspace/reports/{id}/intel", s.page(s.apiReportIntel))
	r.handleFunc("POST /api/v1/workspace/reports/{id}/disclosures", s.page(s.apiReportDisclosure))
	r.handleFunc("GET /api/v1/workspace/reports/{id}/identity", s.page(s.apiReportIdentity))
	r.handleFunc("POST /api/v1/workspace/disclosures/{id}/decision", s.page(s.apiDisclosureDecision))
	r.handleFunc("GET /api/v1/workspace/intel", s.page(s.apiIntelList))
	r.handleFunc("GET /api/v1/workspace/intel/{id}", s.page(s.apiIntelItem))
	r.handleFunc("POST /api/v1/workspace/intel/{id}/grade", s.page(s.apiIntelGrade))
	r.handleFunc("POST /api/v1/workspace/intel/{id}/share", s.page(s.apiIntelShare))
	r.handleFunc("GET /api/v1/workspace/intel/{id}/candidates", s.page(s.apiIntelCandidates))
	r.handleFunc("POST /api/v1/workspace/intel/{id}/link", s.page(s.apiIntelLink))
	r.handleFunc("GET /api/v1/workspace/intel/{id}/proposals", s.page(s.apiIntelProposals))
	r.handleFunc("GET /api/v1/workspace/referrals", s.page(s.apiPartnerReferrals))
	r.handleFunc("POST /api/v1/workspace/referrals", s.page(s.apiPartnerReferralCreate))
	r.handleFunc("GET /api/v1/workspace/referrals/{id}", s.page(s.apiPartnerReferral))
	r.handleFunc("POST /api/v1/workspace/referrals/{id}/messages", s.page(s.apiPartnerReferralMessage))
	r.handleFunc("POST /api/v1/workspace/referrals/{id}/withdraw", s.page(s.apiPartnerReferralWithdraw))
	r.handleFunc("POST /api/v1/workspace/referrals/{id}/files", s.page(s.apiPartnerReferralFiles))
	r.handleFunc("GET /api/v1/workspace/partner-referrals", s.page(s.apiUnitReferrals))
	r.handleFunc("GET /api/v1/workspace/partner-referrals/{id}", s.page(s.apiUnitReferral))
	r.handleFunc("POST /api/v1/workspace/partner-referrals/{id}/status", s.page(s.apiUnitReferralStatus))
	r.handleFunc("POST /api/v1/workspace/partner-referrals/{id}/messages", s.page(s.apiUnitReferralMessage))
	r.handleFunc("POST /api/v1/workspace/partner-referrals/{id}/intel", s.page(s.apiUnitReferralIntel))

	// Signing in and out.
	r.handleFunc("GET /signin", s.handleSignInForm)
	r.handleFunc("POST /signin", s.handleSignIn)
	r.handleFunc("GET /signin/code", s.handleCodeForm)
	r.handleFunc("POST /signin/code", s.handleCode)
	r.handleFunc("GET /signin/oidc", s.handleOIDCStart)
	r.handleFunc("GET /signin/oidc/callback", s.handleOIDCCallback)
	r.handleFunc("POST /signout", s.handleSignOut)

	// The workspace's pages.
	r.handleFunc("GET /{$}", s.page(s.handleHome))
	r.handleFunc("GET /status", s.handleStatus)
	r.handleFunc("GET /alerts", s.page(s.handleQueue))
	r.handleFunc("GET /alerts/{id}", s.page(s.handleAlertPage))
	r.handleFunc("POST /alerts/{id}/{action}", s.page(s.handleAlertAction))
	r.handleFunc("GET /staff", s.page(s.handleLookup("/staff/")))
	r.handleFunc("GET /staff/{id}", s.page(s.handleStaffPage))
	r.handleFunc("GET /people", s.page(s.handleLookup("/people/")))
	r.handleFunc("GET /people/{id}", s.page(s.handlePersonPage))
	r.handleFunc("GET /rules", s.page(s.handleRulesPage))
	r.handleFunc("POST /rules/reload", s.page(s.handleRulesReloadPage))
	r.handleFunc("GET /intake", s.page(s.handleIntakePage))
	r.handleFunc("GET /audit", s.page(s.handleAuditPage))
	r.handleFunc("GET /reports", s.page(s.handleReportsPage))
	r.handleFunc("GET /reports/{id}", s.page(s.handleReportPage))
	r.handleFunc("GET /reports/{id}/identity", s.page(s.handleReportIdentity))
	r.handleFunc("GET /reports/{id}/files/{file}", s.page(s.handleReportFile))
	r.handleFunc("POST /reports/{id}/{action}", s.page(s.handleReportAction))
	r.handleFunc("GET /intel", s.page(s.handleIntelPage))
	r.handleFunc("GET /intel/{id}", s.page(s.handleIntelItemPage))
	r.handleFunc("POST /intel/{id}/{action}", s.page(s.handleIntelAction))

	// The partner referral portal's pages.
	r.handleFunc("GET /referrals", s.page(s.handleReferralsPage))
	r.handleFunc("GET /referrals/new", s.page(s.handleReferralForm))
	r.handleFunc("POST /referrals/new", s.page(s.handleReferralSubmit))
	r.handleFunc("GET /referrals/{id}", s.page(s.handleReferralPage))
	r.handleFunc("POST /referrals/{id}/message", s.page(s.handleReferralMessage))
	r.handleFunc("POST /referrals/{id}/files", s.page(s.handleReferralFiles))
	r.handleFunc("GET /referrals/{id}/files/{file}", s.page(s.handleReferralFile))
	// The unit's side of referrals.
	r.handleFunc("GET /partner-referrals", s.page(s.handleUnitReferralsPage))
	r.handleFunc("GET /partner-referrals/{id}", s.page(s.handleUnitReferralPage))
	r.handleFunc("POST /partner-referrals/{id}/{action}", s.page(s.handleUnitReferralAction))
	r.handleFunc("GET /partner-referrals/{id}/files/{file}/{copy}", s.page(s.handleUnitReferralFile))
	r.handleFunc("/", s.notFound)
}

// routeList registers routes on a mux and remembers their patterns, so that
// tests can check every route against the permission table and the OpenAPI
// description.
type routeList struct {
	mux      *http.ServeMux
	patterns []string
}

func (l *routeList) handle(pattern string, h http.Handler) {
	l.mux.Handle(pattern, h)
	l.patterns = append(l.patterns, pattern)
}

func (l *routeList) handleFunc(pattern string, h http.HandlerFunc) { l.handle(pattern, h) }
