// Package web is Lantern's HTTP server: health and readiness probes, metrics,
// the JSON API and the server-rendered pages, with one error renderer for all.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lantern"
	"lantern/intake"
	"lantern/workspace"
)

//go:embed templates
var templateFS embed.FS

// Check is one readiness check: a named dependency and a function that
// returns nil while it can serve.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config holds what the server needs from its caller.
type Config struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry // private registry; /metrics serves only this
	Version  string
	// OIDCName is what the single sign-on button calls the force's
	// identity provider ("Sign in with …"); "" means "single sign-on".
	OIDCName string
	// ReadTimeout, WriteTimeout and IdleTimeout bound each connection; zero
	// values take safe defaults.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Services are the parts of the running system the server calls. They are
// attached once the store and event log are open; until then every route but
// /healthz and /metrics answers 503.
type Services struct {
	Checks  []Check               // readiness checks
	Intake  *intake.Intake        // accepts records for POST /api/v1/events
	Sources lantern.SourceService // authenticates API sources
	Alerts  lantern.AlertService  // alerts and their scores, for the alerts and risk API
	// IntelLog is the intelligence log whose graded items linked to staff
	// count in GET /api/v1/risk, as in the workspace; nil counts alerts
	// alone.
	IntelLog lantern.IntelService
	Rules    Rules // the running rule set; nil when detection is not running

	// Auth signs users in; Workspace answers the pages and their API. The
	// pages answer 503 until both are attached.
	Auth      Authenticator
	Workspace workspace.Workspace
	// Audit is the audit trail: it receives the entries for actions the
	// server takes itself (reloading rules from a page) and is verified for
	// the auditor's page. Nil leaves those actions unavailable.
	Audit lantern.AuditService
	// Reports is the unit's side of the confidential reporting channel;
	// nil leaves the reports pages answering 503.
	Reports Reports
	// Referrals is the partner referral portal's core; nil leaves its
	// pages answering 503.
	Referrals Referrals
	// Intel is the unit's intelligence log; nil leaves its pages
	// answering 503.
	Intel Intel
}

// Server is Lantern's HTTP server.
type Server struct {
	logger    *slog.Logger
	registry  *prometheus.Registry
	version   string
	templates map[string]*template.Template
	assets    *assets
	patterns  []string // every registered route, for tests
	oidcName  string
	services  atomic.Pointer[Services] // nil until the caller declares the system started
	handler   http.Handler
	srv       *http.Server
	metrics   *httpMetrics
}

// NewServer parses the embedded templates and registers every route. It fails
// if a template is broken, so a bad build never starts.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.Registry == nil {
		return nil, errors.New("web: Logger and Registry are required")
	}
	s := &Server{logger: cfg.Logger, registry: cfg.Registry, version: cfg.Version, oidcName: cfg.OIDCName}
	var err error
	if s.assets, err = newAssets(); err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	if s.templates, err = parseTemplates(templateFS, s.funcs()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.metrics, err = newHTTPMetrics(cfg.Registry); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	mux := http.NewServeMux()
	s.routes(mux, promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
	s.handler = s.recoverPanics(s.secureHeaders(s.metrics.instrument(mux)))
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       orDefault(cfg.ReadTimeout, 60*time.Second),
		WriteTimeout:      orDefault(cfg.WriteTimeout, 120*time.Second),
		IdleTimeout:       orDefault(cfg.IdleTimeout, 120*time.Second),
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Attach declares the system started with these services; until it is called
// /readyz answers 503.
func (s *Server) Attach(svc Services) { s.services.Store(&svc) }

// Serve accepts connections on l until Shutdown is called. It returns nil
// after a clean shutdown.
func (s *Server) Serve(l net.Listener) error {
	if err := s.srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests until
// ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
