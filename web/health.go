package web

import (
	"context"
	"net/http"
	"time"

	"lantern"
)

// handleHealthz answers liveness: the process is up and serving HTTP. It
// checks no dependency, so a slow database never gets the process restarted.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// componentStatus is one line of the readiness report.
type componentStatus struct {
	Name   string `json:"name"`
	Ready  bool   `json:"ready"`
	Detail string `json:"detail,omitempty"`
}

// readiness runs every check with a bounded time and reports each one.
func (s *Server) readiness(ctx context.Context) (bool, []componentStatus) {
	svc := s.services.Load()
	if svc == nil {
		return false, []componentStatus{{Name: "startup", Detail: "starting"}}
	}
	p := &svc.Checks
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ok := true
	out := make([]componentStatus, 0, len(*p))
	for _, c := range *p {
		st := componentStatus{Name: c.Name, Ready: true}
		if err := c.Check(ctx); err != nil {
			ok, st.Ready, st.Detail = false, false, lantern.ErrorMessage(err)
		}
		out = append(out, st)
	}
	return ok, out
}

// handleReadyz answers readiness: 200 when the store and event log answer,
// 503 otherwise, with each component's state.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ok, comps := s.readiness(r.Context())
	status, word := http.StatusOK, "ready"
	if !ok {
		status, word = http.StatusServiceUnavailable, "not ready"
	}
	writeJSON(w, status, map[string]any{"status": word, "components": comps})
}

// handleStatus shows people which components are running and ready.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	ok, comps := s.readiness(r.Context())
	var who *lantern.Principal
	if p, signedIn, _ := s.principal(r); signedIn {
		who = &p
	}
	s.render(w, http.StatusOK, "status.html", s.newPage(r, who, "System status", map[string]any{
		"Version":    s.version,
		"Ready":      ok,
		"Components": comps,
	}))
}
