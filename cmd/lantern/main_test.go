package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lantern/nats/natstest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine to write while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envFrom returns a getenv over a fixed map, so tests never see the real
// environment.
func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// runCmd runs lantern with args to completion and returns its exit code and output.
func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, args, envFrom(env), strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "lantern ") {
		t.Fatalf("version: code %d, output %q", code, out)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errOut := runCmd(t, nil, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
}

// listenAddr waits for the server's "http listening" log line and returns the
// address it names.
func listenAddr(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	// A demo simulates, loads and hashes its users' passwords first.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "http listening" {
				return line.Addr
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("server never logged its address; logs:\n%s", logs.String())
	return ""
}

// waitStatus polls url until it answers want or the deadline passes.
func waitStatus(t *testing.T, url string, want int, within time.Duration) *http.Response {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			if resp.StatusCode == want {
				return resp
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = resp.Status + " " + string(body)
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within %s; last: %s", url, want, within, last)
	return nil
}

// startServe runs `lantern serve` in-process with extra args and returns its
// base URL and a stop function that cancels it and returns run's error.
func startServe(t *testing.T, env map[string]string, args ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	all := append([]string{"serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", t.TempDir()}, args...)
	go func() { done <- run(ctx, all, envFrom(env), strings.NewReader(""), io.Discard, logs) }()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(10 * time.Second):
				result = errors.New("serve did not stop within 10s")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return "http://" + listenAddr(t, logs), stop
}

func TestServeEmbedded(t *testing.T) {
	base, stop := startServe(t, nil)
	waitStatus(t, base+"/healthz", http.StatusOK, 5*time.Second).Body.Close()
	resp := waitStatus(t, base+"/readyz", http.StatusOK, 10*time.Second)
	var ready struct {
		Status     string
		Components []struct {
			Name  string
			Ready bool
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ready.Status != "ready" || len(ready.Components) != 2 {
		t.Fatalf("readyz = %+v", ready)
	}
	for _, c := range ready.Components {
		if !c.Ready || !(strings.Contains(c.Name, "sqlite") || strings.Contains(c.Name, "nats-embedded")) {
			t.Errorf("component %+v", c)
		}
	}
	metrics := waitStatus(t, base+"/metrics", http.StatusOK, time.Second)
	body, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	for _, want := range []string{"lantern_build_info", "lantern_http_requests_total", "go_goroutines"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %s, want under 5s", took)
	}
}

func TestServeNotFoundRendersByAudience(t *testing.T) {
	base, _ := startServe(t, nil)
	waitStatus(t, base+"/healthz", http.StatusOK, 5*time.Second).Body.Close()
	api := waitStatus(t, base+"/api/v1/nothing", http.StatusNotFound, time.Second)
	var body struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(api.Body).Decode(&body)
	api.Body.Close()
	if body.Error.Code != "not_found" || body.Error.Message == "" {
		t.Errorf("API 404 body = %+v", body)
	}
	page := waitStatus(t, base+"/nothing", http.StatusNotFound, time.Second)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(html, []byte(`<h1 class="govuk-heading-l">Page not found</h1>`)) {
		t.Errorf("page 404: %s %q", ct, html)
	}
}

func TestServePostgres(t *testing.T) {
	url := os.Getenv("LANTERN_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("LANTERN_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("LANTERN_TEST_POSTGRES_REQUIRED=1 but LANTERN_TEST_POSTGRES is empty")
		}
		t.Skip("LANTERN_TEST_POSTGRES is not set: scripts/test starts a throwaway PostgreSQL and sets it")
	}
	base, stop := startServe(t, nil, "--database", url)
	resp := waitStatus(t, base+"/readyz", http.StatusOK, 10*time.Second)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("postgres")) {
		t.Errorf("readyz does not name postgres: %s", body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestServeExternalNATS runs serve against a real external JetStream server:
// the same code path as the embedded log, only the configuration differs.
func TestServeExternalNATS(t *testing.T) {
	url := natstest.StartServer(t)
	base, stop := startServe(t, nil, "--nats", url)
	resp := waitStatus(t, base+"/readyz", http.StatusOK, 20*time.Second)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("nats-external")) {
		t.Errorf("readyz does not name the external log: %s", body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestBadConfiguration(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("x"), 0o600)
	badYAML := filepath.Join(t.TempDir(), "lantern.yaml")
	os.WriteFile(badYAML, []byte("http: 127.0.0.1:0\nlisten_here: yes\n"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    []string // substrings of the message
		notWant string
	}{
		{"unknown flag", nil, []string{"serve", "--bogus"}, []string{"unknown flag --bogus"}, ""},
		{"flag without value", nil, []string{"serve", "--http"}, []string{"--http needs a value"}, ""},
		{"unreachable database", nil,
			[]string{"serve", "--http", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database", "postgres://lantern:s3cr3t@127.0.0.1:1/lantern"},
			[]string{"--database", "127.0.0.1:1"}, "s3cr3t"},
		{"not a database url", nil, []string{"serve", "--database", "mysql://x"}, []string{"--database", "postgres://"}, ""},
		{"unwritable data dir", nil, []string{"serve", "--http", "127.0.0.1:0", "--data-dir", filepath.Join(file, "sub")}, []string{"--data-dir", "cannot create"}, ""},
		{"bad env value", map[string]string{"LANTERN_LOG_LEVEL": "loud"}, []string{"serve"}, []string{"--log-level (from LANTERN_LOG_LEVEL)", `"loud"`}, ""},
		{"unknown key in file", nil, []string{"serve", "--config", badYAML}, []string{badYAML, "line 2", `"listen_here"`}, ""},
		{"missing file", nil, []string{"serve", "--config", "/nonexistent/lantern.yaml"}, []string{"--config /nonexistent/lantern.yaml", "no such file"}, ""},
		{"unreachable nats", nil, []string{"serve", "--http", "127.0.0.1:0", "--data-dir", t.TempDir(), "--nats", "nats://user:n4tspw@127.0.0.1:1"}, []string{"--nats", "127.0.0.1:1"}, "n4tspw"},
		{"bad duration", nil, []string{"serve", "--shutdown-timeout", "soon"}, []string{"--shutdown-timeout", `"soon"`}, ""},
		{"address in use", nil, nil, []string{"--http", "cannot listen"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.name == "address in use" {
				base, _ := startServe(t, nil)
				args = []string{"serve", "--data-dir", t.TempDir(), "--http", strings.TrimPrefix(base, "http://")}
			}
			start := time.Now()
			code, _, errOut := runCmd(t, tt.env, args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr %q", code, errOut)
			}
			// Logs may come before it; the error itself is one line.
			var msgs []string
			for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if strings.HasPrefix(l, "lantern: ") {
					msgs = append(msgs, l)
				}
			}
			if len(msgs) != 1 {
				t.Errorf("want one error line, got %d:\n%s", len(msgs), errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("message %q lacks %q", errOut, w)
				}
			}
			if tt.notWant != "" && strings.Contains(errOut, tt.notWant) {
				t.Errorf("message %q reveals %q", errOut, tt.notWant)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace in %q", errOut)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

func TestPrintConfigPrecedenceAndMasking(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lantern.yaml")
	os.WriteFile(file, []byte("http: 10.0.0.1:1\nlog-level: warn\nlog-format: json\nnats-replicas: 3\n"), 0o600)
	env := map[string]string{
		"LANTERN_CONFIG":    file,
		"LANTERN_LOG_LEVEL": "error",
		"LANTERN_HTTP":      "127.0.0.2:2",
		"LANTERN_DATABASE":  "postgres://lantern:hunter2@db.example:5432/lantern",
	}
	code, out, errOut := runCmd(t, env, "serve", "--print-config", "--http", "127.0.0.3:3")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	want := map[string]string{
		"http":          `"127.0.0.3:3"` + " # flag",
		"log-level":     `"error"` + " # environment",
		"log-format":    `"json"` + " # file",
		"nats-replicas": `"3"` + " # file",
		"data-dir":      `"./lantern-data"` + " # default",
		"database":      `"postgres://lantern:xxxxx@db.example:5432/lantern"` + " # environment",
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if w, ok := want[f[0]]; ok {
			if got := strings.Join(f[1:], " "); got != w {
				t.Errorf("%s = %s, want %s", f[0], got, w)
			}
			delete(want, f[0])
		}
	}
	if len(want) > 0 {
		t.Errorf("not printed: %v\n%s", want, out)
	}
	if strings.Contains(out, "hunter2") {
		t.Error("password printed")
	}
}

// TestBinaryStartsFastAndStopsOnSIGTERM builds the real binary and checks the
// process contract: /healthz within 1 s of start, exit 0 on SIGTERM within 5 s.
func TestBinaryStartsFastAndStopsOnSIGTERM(t *testing.T) {
	bin := binary(t)
	logs := &syncBuffer{}
	cmd := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", t.TempDir())
	cmd.Stderr = logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + listenAddr(t, logs)
	waitStatus(t, base+"/healthz", http.StatusOK, 5*time.Second).Body.Close()
	if took := time.Since(start); took > time.Second {
		t.Errorf("/healthz answered %s after start, want under 1s", took)
	}
	waitStatus(t, base+"/readyz", http.StatusOK, 10*time.Second).Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	stopAt := time.Now()
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.String())
		}
		if took := time.Since(stopAt); took > 5*time.Second {
			t.Errorf("stopped after %s, want under 5s", took)
		}
	case <-time.After(8 * time.Second):
		t.Fatalf("still running 8s after SIGTERM\n%s", logs.String())
	}
}
