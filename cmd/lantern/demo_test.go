package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the demo on a small force: simulate, ingest through intake,
// serve; then again, reusing the directory; and refuses a directory that is
// not a demo's.
func TestDemo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	demo := func(extra ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		logs, out := &syncBuffer{}, &syncBuffer{}
		done := make(chan error, 1)
		args := append([]string{"demo", "--staff", "60", "--days", "5", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", data}, extra...)
		go func() { done <- run(ctx, args, envFrom(nil), strings.NewReader(""), out, logs) }()
		base := "http://" + listenAddr(t, logs)
		waitStatus(t, base+"/readyz", 200, 60*time.Second).Body.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("demo: %v\n%s", err, logs.String())
		}
		return out.String()
	}
	first := demo()
	for _, want := range []string{"Simulating a force of 60 staff over 5 days", "access.jsonl (access):", "screening.jsonl (screening):", "0 quarantined", "Detection runs as the server starts"} {
		if !strings.Contains(first, want) {
			t.Errorf("first run lacks %q:\n%s", want, first)
		}
	}
	if regexp.MustCompile(`[1-9][0-9]* quarantined`).MatchString(first) || strings.Contains(first, ": 0 accepted") {
		t.Errorf("the simulated force did not load cleanly:\n%s", first)
	}
	users := regexp.MustCompile(`(?m)^  (demo\.\w+) +(\w+) +password (\S+)(  TOTP secret ([A-Z2-7]+))?$`)
	check := func(out string) {
		t.Helper()
		found := map[string]bool{}
		for _, m := range users.FindAllStringSubmatch(out, -1) {
			found[m[1]] = true
			if (m[2] == "analyst" || m[2] == "auditor" || m[2] == "administrator") != (m[5] != "") {
				t.Errorf("%s (%s): TOTP secret %q", m[1], m[2], m[5])
			}
		}
		for _, u := range []string{"demo.analyst", "demo.auditor", "demo.admin"} {
			if !found[u] {
				t.Errorf("no sign-in details for %s:\n%s", u, out)
			}
		}
	}
	check(first)
	second := demo()
	if !strings.Contains(second, "Reusing the demo force") {
		t.Errorf("second run did not reuse:\n%s", second)
	}
	check(second) // the users exist already: they get new credentials
	if fresh := demo("--fresh"); !strings.Contains(fresh, "Replacing the demo force") {
		t.Errorf("--fresh did not replace:\n%s", fresh)
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious.db"), []byte("x"), 0o600)
	code, _, errOut := runIn(t, strings.NewReader(""), "demo", "--data-dir", other)
	if code != 2 || !strings.Contains(errOut, "not a demo directory") {
		t.Errorf("non-demo dir: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(other, "precious.db")); err != nil {
		t.Error("demo deleted a directory that was not its own")
	}
}
