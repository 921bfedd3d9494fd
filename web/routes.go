package web

import "net/http"

// routes registers every route the server answers. Each UI or API route is
// listed here, once, with its method.
func (s *Server) routes(mux *http.ServeMux, metrics http.Handler) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /assets/{path...}", s.assets.serve(s))

	// The API for systems, authenticated by source tokens.
	mux.HandleFunc("POST /api/v1/events", s.handlePostEvents)
	mux.HandleFunc("GET /api/v1/alerts", s.handleAlerts)
	mux.HandleFunc("GET /api/v1/alerts/{id}", s.handleAlert)
	mux.HandleFunc("POST /api/v1/alerts/{id}/state", s.handleAlertState)
	mux.HandleFunc("GET /api/v1/risk", s.handleRisk)
	mux.HandleFunc("GET /api/v1/rules", s.handleRules)
	mux.HandleFunc("POST /api/v1/rules/reload", s.handleRulesReload)

	// The workspace API behind the pages, authenticated by the session.
	mux.HandleFunc("GET /api/v1/workspace/session", s.page(s.apiSession))
	mux.HandleFunc("GET /api/v1/workspace/queue", s.page(s.apiQueue))
	mux.HandleFunc("GET /api/v1/workspace/alerts/{id}", s.page(s.apiAlert))
	mux.HandleFunc("POST /api/v1/workspace/alerts/{id}/state", s.page(s.apiAlertState))
	mux.HandleFunc("GET /api/v1/workspace/staff/{id}", s.page(s.apiStaff))
	mux.HandleFunc("GET /api/v1/workspace/people/{id}", s.page(s.apiPerson))
	mux.HandleFunc("GET /api/v1/workspace/rules", s.page(s.apiRules))
	mux.HandleFunc("POST /api/v1/workspace/rules/reload", s.page(s.apiRulesReload))
	mux.HandleFunc("GET /api/v1/workspace/intake", s.page(s.apiIntake))
	mux.HandleFunc("GET /api/v1/workspace/audit", s.page(s.apiAudit))

	// Signing in and out.
	mux.HandleFunc("GET /signin", s.handleSignInForm)
	mux.HandleFunc("POST /signin", s.handleSignIn)
	mux.HandleFunc("GET /signin/code", s.handleCodeForm)
	mux.HandleFunc("POST /signin/code", s.handleCode)
	mux.HandleFunc("GET /signin/oidc", s.handleOIDCStart)
	mux.HandleFunc("GET /signin/oidc/callback", s.handleOIDCCallback)
	mux.HandleFunc("POST /signout", s.handleSignOut)

	// The workspace's pages.
	mux.HandleFunc("GET /{$}", s.page(s.handleHome))
	mux.HandleFunc("GET /status", s.handleStatus)
	mux.HandleFunc("GET /alerts", s.page(s.handleQueue))
	mux.HandleFunc("GET /alerts/{id}", s.page(s.handleAlertPage))
	mux.HandleFunc("POST /alerts/{id}/{action}", s.page(s.handleAlertAction))
	mux.HandleFunc("GET /staff", s.page(s.handleLookup("/staff/")))
	mux.HandleFunc("GET /staff/{id}", s.page(s.handleStaffPage))
	mux.HandleFunc("GET /people", s.page(s.handleLookup("/people/")))
	mux.HandleFunc("GET /people/{id}", s.page(s.handlePersonPage))
	mux.HandleFunc("GET /rules", s.page(s.handleRulesPage))
	mux.HandleFunc("POST /rules/reload", s.page(s.handleRulesReloadPage))
	mux.HandleFunc("GET /intake", s.page(s.handleIntakePage))
	mux.HandleFunc("GET /audit", s.page(s.handleAuditPage))
	mux.HandleFunc("/", s.notFound)
}
