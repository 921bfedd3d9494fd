package web

import "net/http"

// routes registers every route the server answers. Each UI or API route is
// listed here, once, with its method.
func (s *Server) routes(mux *http.ServeMux, metrics http.Handler) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("POST /api/v1/events", s.handlePostEvents)
	mux.HandleFunc("GET /api/v1/alerts", s.handleAlerts)
	mux.HandleFunc("GET /api/v1/alerts/{id}", s.handleAlert)
	mux.HandleFunc("POST /api/v1/alerts/{id}/state", s.handleAlertState)
	mux.HandleFunc("GET /api/v1/risk", s.handleRisk)
	mux.HandleFunc("GET /api/v1/rules", s.handleRules)
	mux.HandleFunc("POST /api/v1/rules/reload", s.handleRulesReload)
	mux.HandleFunc("GET /{$}", s.handleStatus)
	mux.HandleFunc("/", s.notFound)
}
