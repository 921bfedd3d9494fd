// Package channel is the reporter-facing web service of the confidential
// reporting channel: its own http.Handler, meant for its own listener and
// path prefix, so that a force can put it on the internet without the
// workspace. Pages follow the GOV.UK Design System, need no JavaScript and
// load nothing from anywhere else.
//
// It never stores or logs a network address or browser detail: the only
// use of the client's address is an in-memory, keyed-hash rate limit on
// wrong receipts (see report.Limiter), and its http.Server's error log
// withholds the text net/http would write, which can name addresses.
package channel

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"time"

	"lantern"
	"lantern/report"
)

//go:embed templates
var templateFS embed.FS

// Config is what the channel needs.
type Config struct {
	Service *report.Service
	// Prefix is the path the channel is served under, such as "/report";
	// "" serves it at the root.
	Prefix string
	// FormKey signs the forms' tokens: 32 bytes, from the secrets
	// directory, shared by every instance behind one address.
	FormKey []byte
	// Assets, when set, is served under Prefix+"/assets/"; pages link
	// Prefix+"/assets/govuk-frontend.min.css" and work without it.
	Assets fs.FS
	// ClientHeader names a header set by a trusted reverse proxy to the
	// client's address (its last value is used), for the rate limit; ""
	// uses the connection's address.
	ClientHeader string
	Logger       *slog.Logger
	Now          func() time.Time
}

// Handler serves the channel's pages.
type Handler struct {
	cfg     Config
	pages   map[string]*template.Template
	tokens  *Tokens
	handler http.Handler
	// uploads bounds the forms read at once: each may hold its files in
	// memory, and a picture is decoded to check and clean it.
	uploads chan struct{}
	maxBody int64
}

// New parses the templates and routes the pages. It fails on a broken
// template or a missing key.
func New(cfg Config) (*Handler, error) {
	if cfg.Service == nil || len(cfg.FormKey) < 32 {
		return nil, errors.New("channel: Service and a 32-byte FormKey are required")
	}
	cfg.Prefix = strings.TrimRight(cfg.Prefix, "/")
	if cfg.Prefix != "" && !strings.HasPrefix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("channel: prefix %q must start with /", cfg.Prefix)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, tokens: NewTokens(cfg.FormKey, 2*time.Hour), uploads: make(chan struct{}, 4)}
	lim := cfg.Service.Limits()
	h.maxBody = lim.MaxFileBytes*int64(lim.MaxFiles) + maxTextBytes + 64<<10
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, err
	}
	p := cfg.Prefix
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p+"/{$}", h.start)
	mux.HandleFunc("GET "+p+"/new", h.newForm)
	mux.HandleFunc("POST "+p+"/new", h.submit)
	mux.HandleFunc("GET "+p+"/return", h.returnForm)
	mux.HandleFunc("POST "+p+"/return", h.openThread)
	mux.HandleFunc("POST "+p+"/reply", h.reply)
	if cfg.Assets != nil {
		mux.Handle("GET "+p+"/assets/", http.StripPrefix(p+"/assets/", http.FileServerFS(cfg.Assets)))
	}
	mux.HandleFunc("/", h.notFound)
	cop := http.NewCrossOriginProtection()
	h.handler = h.secure(cop.Handler(mux))
	return h, nil
}

// ServeHTTP serves a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }

// csp allows this service's own styles, fonts and images and nothing else:
// no scripts at all, no framing, forms posting only here.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the headers of every response and turns a panic into a
// plain error page, so net/http never logs it (its log names the address).
func (h *Handler) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.cfg.Logger.Error("reporting channel: handler panicked", "route", r.Pattern)
				h.render(w, http.StatusInternalServerError, "error.html", h.page("Sorry, there is a problem with the service"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// NewServer returns an http.Server for the channel with safe timeouts and
// an error log that records that an error happened but not its text,
// which net/http fills with client addresses.
func NewServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads on slow connections
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.New(withheld{logger}, "", 0),
	}
}

// withheld is an error log writer that drops the text.
type withheld struct{ logger *slog.Logger }

func (w withheld) Write(p []byte) (int, error) {
	w.logger.Warn("reporting channel: connection error (detail withheld: it can name a network address)")
	return len(p), nil
}

// client returns the address the rate limit counts a request under. IPv6
// clients are counted by /64, since one device may hold a whole prefix.
func (h *Handler) client(r *http.Request) string {
	addr := r.RemoteAddr
	if h.cfg.ClientHeader != "" {
		if v := r.Header.Values(h.cfg.ClientHeader); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			addr = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.Unmap().String()
}

// page is what every template is given.
type page struct {
	Prefix   string
	Title    string
	Token    string
	Error    *fieldError
	Values   map[string]string
	Receipt  string
	Thread   *report.Thread
	Accepted string
	MaxFiles int
	MaxMB    int64
	Notice   string
	NotSaved int
}

// fieldView is one input as the "input" and "textarea" templates show it.
type fieldView struct {
	Name, Label, Hint, Value, Autocomplete string
	Error                                  *fieldError
}

type fieldError struct {
	Field   string
	Message string
}

func (h *Handler) page(title string) *page {
	lim := h.cfg.Service.Limits()
	return &page{Prefix: h.cfg.Prefix, Title: title, Values: map[string]string{}, Accepted: report.AcceptedTypes,
		MaxFiles: lim.MaxFiles, MaxMB: lim.MaxFileBytes >> 20}
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"date": func(t time.Time) string { return londonTime(t) },
		"eq":   func(a, b string) bool { return a == b },
		// lines splits text into its lines, which pages show as paragraphs:
		// the CSP allows no inline styles to keep line breaks otherwise.
		"lines": func(s string) []string {
			var out []string
			for _, l := range strings.Split(s, "\n") {
				if strings.TrimSpace(l) != "" {
					out = append(out, l)
				}
			}
			return out
		},
		"field": func(p *page, name, label, hint, autocomplete string) fieldView {
			v := fieldView{Name: name, Label: label, Hint: hint, Value: p.Values[name], Autocomplete: autocomplete}
			if p.Error != nil && p.Error.Field == name {
				v.Error = p.Error
			}
			return v
		},
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("channel: parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// londonTime shows an instant as the reporter would read it in England.
func londonTime(t time.Time) string {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006 at 3:04pm")
}

// render executes a page into a buffer first, so a template error is a clean
// failure rather than half a page.
func (h *Handler) render(w http.ResponseWriter, status int, name string, data *page) {
	t, ok := h.pages[name]
	var buf bytes.Buffer
	if !ok || t.ExecuteTemplate(&buf, "layout", data) != nil {
		h.cfg.Logger.Error("reporting channel: render failed", "template", name)
		http.Error(w, "Sorry, there is a problem with the service.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.Copy(w, &buf)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusNotFound, "error.html", h.page("Page not found"))
}

// fail renders err: a field error back on the form it came from, anything
// else on the error page.
func (h *Handler) fail(w http.ResponseWriter, err error, form string, p *page) {
	code := lantern.ErrorCode(err)
	switch code {
	case lantern.EINVALID, lantern.EUNAUTHORIZED, lantern.EFORBIDDEN:
		field := lantern.ErrorField(err)
		if field == "" {
			field = "receipt"
		}
		p.Error = &fieldError{Field: field, Message: lantern.ErrorMessage(err)}
		status := http.StatusUnprocessableEntity
		if err == report.ErrTooManyAttempts {
			status = http.StatusTooManyRequests
		} else if code == lantern.EUNAUTHORIZED {
			status = http.StatusUnauthorized
		}
		h.render(w, status, form, p)
	case lantern.EUNAVAILABLE:
		p.Title = "Sorry, the service is unavailable"
		p.Notice = lantern.ErrorMessage(err)
		h.render(w, http.StatusServiceUnavailable, "error.html", p)
	default:
		h.cfg.Logger.Error("reporting channel: request failed", "code", code)
		p.Title = "Sorry, there is a problem with the service"
		h.render(w, http.StatusInternalServerError, "error.html", p)
	}
}

// errBusy is the answer when too many forms are being read at once.
var errBusy = lantern.Errorf(lantern.EUNAVAILABLE, "The service is busy. Nothing was saved: please wait a minute and send the form again.")

// readForm parses the request body within the channel's limits. The
// caller must call done once it has finished with the form's files.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) (f *form, done func(), err error) {
	if r.ContentLength > h.maxBody {
		return nil, func() {}, errTooLarge
	}
	select {
	case h.uploads <- struct{}{}:
	case <-time.After(30 * time.Second):
		return nil, func() {}, errBusy
	case <-r.Context().Done():
		return nil, func() {}, errBusy
	}
	done = func() { <-h.uploads }
	lim := h.cfg.Service.Limits()
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
	f, err = parseForm(r.Header.Get("Content-Type"), r.Body, h.maxBody, lim.MaxFileBytes, lim.MaxFiles)
	return f, done, err
}

// contextOf keeps the request's values but not its cancellation: a
// reporter who closes the tab just after sending should not leave a report
// half stored.
func contextOf(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }
