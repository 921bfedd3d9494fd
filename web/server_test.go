package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"lantern"
)

func newTestServer(t *testing.T) (*Server, *strings.Builder) {
	t.Helper()
	logs := &strings.Builder{}
	s, err := NewServer(Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestReadyzFollowsChecks(t *testing.T) {
	s, _ := newTestServer(t)
	if r := get(t, s.Handler(), "/readyz"); r.StatusCode != 503 {
		t.Fatalf("before Attach: %d", r.StatusCode)
	}
	var storeErr error
	s.Attach(Services{Checks: []Check{
		{Name: "store", Check: func(context.Context) error { return storeErr }},
		{Name: "log", Check: func(context.Context) error { return nil }},
	}})
	if r := get(t, s.Handler(), "/readyz"); r.StatusCode != 200 {
		t.Fatalf("ready: %d", r.StatusCode)
	}
	storeErr = lantern.Errorf(lantern.EUNAVAILABLE, "store is down")
	r := get(t, s.Handler(), "/readyz")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 503 || !strings.Contains(string(body), "store is down") {
		t.Fatalf("store down: %d %s", r.StatusCode, body)
	}
	if r := get(t, s.Handler(), "/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz must not depend on checks: %d", r.StatusCode)
	}
}

func TestErrorRenderer(t *testing.T) {
	tests := []struct {
		err      error
		status   int
		code     string
		message  string
		logged   bool
		jsonPath bool
	}{
		{lantern.Errorf(lantern.ENOTFOUND, "No such alert."), 404, "not_found", "No such alert.", false, true},
		{lantern.FieldErrorf("role", "role is required"), 400, "invalid", "role is required", false, true},
		{lantern.Errorf(lantern.EFORBIDDEN, "Not yours."), 403, "forbidden", "Not yours.", false, false},
		{lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in."), 401, "unauthorized", "Sign in.", false, true},
		{lantern.Errorf(lantern.ECONFLICT, "Already triaged."), 409, "conflict", "Already triaged.", false, false},
		{errors.New("pq: relation missing at /var/secret"), 500, "internal", "Internal error.", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s, logs := newTestServer(t)
			path := "/page"
			if tt.jsonPath {
				path = "/api/v1/thing"
			}
			rec := httptest.NewRecorder()
			s.Error(rec, httptest.NewRequest("GET", path, nil), tt.err)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.jsonPath {
				var b errorBody
				if err := json.Unmarshal(body, &b); err != nil {
					t.Fatalf("not JSON: %s", body)
				}
				if b.Error.Code != tt.code || b.Error.Message != tt.message {
					t.Errorf("body %+v", b)
				}
			} else if !strings.Contains(string(body), tt.message) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("html %s", body)
			}
			if strings.Contains(string(body), "/var/secret") {
				t.Error("internal detail leaked to client")
			}
			if got := strings.Contains(logs.String(), "http request failed"); got != tt.logged {
				t.Errorf("logged = %v, want %v: %s", got, tt.logged, logs.String())
			}
		})
	}
}

func TestJSONByAcceptHeader(t *testing.T) {
	s, _ := newTestServer(t)
	r := get(t, s.Handler(), "/nowhere", "Accept", "application/json")
	if r.StatusCode != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

func TestSecurityHeadersAndPanics(t *testing.T) {
	s, logs := newTestServer(t)
	h := s.recoverPanics(s.secureHeaders(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	r := get(t, h, "/api/v1/x")
	if r.StatusCode != 500 {
		t.Fatalf("panic gave %d", r.StatusCode)
	}
	for _, hname := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options"} {
		if r.Header.Get(hname) == "" {
			t.Errorf("missing %s", hname)
		}
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Error("panic not logged")
	}
}

func TestStatusPage(t *testing.T) {
	s, _ := newTestServer(t)
	s.Attach(Services{Checks: []Check{{Name: "store (sqlite)", Check: func(context.Context) error { return nil }}}})
	r := get(t, s.Handler(), "/status")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !strings.Contains(string(body), "store (sqlite)") || !strings.Contains(string(body), "running and ready") {
		t.Fatalf("%d %s", r.StatusCode, body)
	}
}
