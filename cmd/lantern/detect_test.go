package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lantern"
	"lantern/rules"
)

// api calls the server with a bearer token and decodes the JSON reply into
// out (when not nil), returning the status.
func api(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

var tokenRE = regexp.MustCompile(`lt_[A-Za-z0-9_-]+`)

func addToken(t *testing.T, dataDir, name, scope string) string {
	t.Helper()
	out := mustRun(t, "source", "add", "--data-dir", dataDir, "--scope", scope, name)
	tok := tokenRE.FindString(out)
	if tok == "" {
		t.Fatalf("no token in %q", out)
	}
	return tok
}

// metric reads one unlabelled value from /metrics.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// waitDetected waits until the server's monitor has judged everything in the
// event log.
func waitDetected(t *testing.T, base string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := -1.0
	for time.Now().Before(deadline) {
		seq := metric(t, base, "lantern_detect_processed_seq")
		if seq > 0 && seq == last && metric(t, base, "lantern_detect_pending_messages") == 0 {
			return
		}
		last = seq
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("detection did not catch up within %s", within)
}

// waitIndexed waits until the server's event index has read as far as its
// monitor.
func waitIndexed(t *testing.T, base string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		seq := metric(t, base, "lantern_index_processed_seq")
		if seq > 0 && seq >= metric(t, base, "lantern_detect_processed_seq") {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("the event index did not catch up within %s", within)
}

// copyRules writes the built-in library into dir, for a server run with
// --rules.
func copyRules(t *testing.T, dir string) {
	t.Helper()
	err := fs.WalkDir(rules.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.FS(), path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeDetects loads a simulated force, runs the server on it, and
// checks detection end to end: alerts and the risk ranking through the API
// and the CLI agree, decisions follow the state machine, tokens are held to
// their scope, a broken rule set leaves the running one in place (through
// the API and on SIGHUP), and a restart neither loses nor re-raises alerts.
func TestServeDetects(t *testing.T) {
	bin := binary(t)
	data, force, ruleDir := t.TempDir(), t.TempDir(), t.TempDir()
	mustRun(t, "simulate", "--staff", "120", "--days", "35", "--seed", "3", "--offenders", "0.04", "--out", force)
	mustRun(t, "ingest", "--data-dir", data, force)
	alertsTok := addToken(t, data, "analysis", lantern.ScopeAlerts)
	ingestTok := addToken(t, data, "rms", lantern.ScopeIngest)
	copyRules(t, ruleDir)

	s := &server{logs: &syncBuffer{}}
	start := func() {
		s.cmd = exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", data, "--rules", ruleDir)
		s.cmd.Stderr = s.logs
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
		s.base = "http://" + listenAddr(t, s.logs)
		waitStatus(t, s.base+"/readyz", 200, 60*time.Second).Body.Close()
	}
	start()
	waitDetected(t, s.base, 3*time.Minute)
	waitIndexed(t, s.base, time.Minute)
	if saved := metric(t, s.base, "lantern_index_events_saved_total"); saved <= 0 {
		t.Errorf("the event index saved %g events", saved)
	}

	// Alerts: the API and the CLI list the same queue.
	var list struct {
		Total  int              `json:"total"`
		Alerts []*lantern.Alert `json:"alerts"`
	}
	if code := api(t, "GET", s.base+"/api/v1/alerts?signal=false&limit=1000", alertsTok, "", &list); code != 200 {
		t.Fatalf("GET alerts: %d", code)
	}
	var all struct{ Total int }
	api(t, "GET", s.base+"/api/v1/alerts?limit=1", alertsTok, "", &all)
	if all.Total == 0 {
		t.Fatal("detection stored no alerts or signals for a force with planted offenders")
	}
	cli := strings.Count(mustRun(t, "alerts", "--data-dir", data, "--format", "jsonl"), "\n")
	if cli != list.Total {
		t.Errorf("lantern alerts lists %d queue alerts, the API %d", cli, list.Total)
	}

	// Risk: ranked, explained, the same through the API and the CLI.
	var risk struct {
		Staff []struct {
			StaffID     string  `json:"staff_id"`
			Score       float64 `json:"score"`
			Explanation string  `json:"explanation"`
		} `json:"staff"`
	}
	if code := api(t, "GET", s.base+"/api/v1/risk?limit=5", alertsTok, "", &risk); code != 200 || len(risk.Staff) == 0 {
		t.Fatalf("GET risk: %d %+v", code, risk)
	}
	for i, r := range risk.Staff {
		if i > 0 && r.Score > risk.Staff[i-1].Score || !strings.Contains(r.Explanation, r.StaffID) {
			t.Errorf("risk rank %d: %+v", i, r)
		}
	}
	var line struct {
		StaffID string `json:"staff_id"`
	}
	first, _, _ := strings.Cut(mustRun(t, "risk", "--data-dir", data, "--format", "jsonl", "--limit", "1"), "\n")
	if err := json.Unmarshal([]byte(first), &line); err != nil || line.StaffID != risk.Staff[0].StaffID {
		t.Errorf("lantern risk tops with %q, the API with %q (%v)", line.StaffID, risk.Staff[0].StaffID, err)
	}

	// Decisions follow the state machine.
	var any1 struct{ Alerts []*lantern.Alert }
	api(t, "GET", s.base+"/api/v1/alerts?limit=1", alertsTok, "", &any1)
	id := any1.Alerts[0].ID
	var e struct{ Error struct{ Code, Field string } }
	if code := api(t, "POST", s.base+"/api/v1/alerts/"+id+"/state", alertsTok, `{"state":"dismissed"}`, &e); code != 400 || e.Error.Field != "reason" {
		t.Errorf("dismiss without a reason: %d %+v", code, e)
	}
	var a lantern.Alert
	if code := api(t, "POST", s.base+"/api/v1/alerts/"+id+"/state", alertsTok, `{"state":"dismissed","reason":"court preparation"}`, &a); code != 200 || a.State != lantern.AlertDismissed || a.StateBy != "api:analysis" {
		t.Errorf("dismiss: %d %+v", code, a)
	}
	if code := api(t, "POST", s.base+"/api/v1/alerts/"+id+"/state", alertsTok, `{"state":"escalated","reason":"x"}`, &e); code != 409 {
		t.Errorf("dismissed straight to escalated: %d %+v", code, e)
	}

	// Every use by a system is on the audit trail, naming the source.
	trail := mustRun(t, "audit", "export", "--data-dir", data)
	for _, want := range []string{`"user_id":"source:analysis","action":"api GET /api/v1/alerts"`,
		`"user_id":"source:analysis","action":"api POST /api/v1/alerts/{id}/state","object":"alert:` + id + `"`} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}

	// Tokens are held to their scope.
	if code := api(t, "GET", s.base+"/api/v1/alerts", ingestTok, "", nil); code != 403 {
		t.Errorf("ingest token reading alerts: %d", code)
	}
	if code := api(t, "GET", s.base+"/api/v1/risk", "", "", nil); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code := api(t, "POST", s.base+"/api/v1/events?kind=access", alertsTok, "", nil); code != 403 {
		t.Errorf("alerts token sending events: %d", code)
	}

	// A broken rule set leaves the running one in place.
	var rl struct {
		Rules []struct{ Name string } `json:"rules"`
	}
	api(t, "GET", s.base+"/api/v1/rules", alertsTok, "", &rl)
	running := len(rl.Rules)
	if err := os.WriteFile(filepath.Join(ruleDir, "broken.yaml"), []byte("rules:\n  - name: broken\n    kind: access\n    when: event.nope ==\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var failed struct{ Errors []string }
	if code := api(t, "POST", s.base+"/api/v1/rules/reload", alertsTok, "", &failed); code != 422 || len(failed.Errors) == 0 || !strings.HasPrefix(failed.Errors[0], "broken.yaml:4:") {
		t.Errorf("reload of a broken set: %d %+v", code, failed)
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.logs.String(), "rule reload failed") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(s.logs.String(), "rule reload failed") {
		t.Error("SIGHUP with a broken rule set logged no failure")
	}
	api(t, "GET", s.base+"/api/v1/rules", alertsTok, "", &rl)
	if len(rl.Rules) != running {
		t.Errorf("after failed reloads %d rules run, want %d", len(rl.Rules), running)
	}
	os.Remove(filepath.Join(ruleDir, "broken.yaml"))
	var ok struct{ Rules int }
	if code := api(t, "POST", s.base+"/api/v1/rules/reload", alertsTok, "", &ok); code != 200 || ok.Rules != running {
		t.Errorf("reload of the repaired set: %d %+v", code, ok)
	}

	// A restart replays the log without saving anything again; the
	// decision survives.
	s.stop(t)
	s.logs = &syncBuffer{}
	start()
	waitDetected(t, s.base, 3*time.Minute)
	var after struct{ Total int }
	api(t, "GET", s.base+"/api/v1/alerts?limit=1", alertsTok, "", &after)
	if after.Total != all.Total {
		t.Errorf("after a restart %d alerts, before %d", after.Total, all.Total)
	}
	if saved := metric(t, s.base, "lantern_detect_alerts_saved_total"); saved != 0 {
		t.Errorf("the restarted monitor saved %g alerts while replaying", saved)
	}
	waitIndexed(t, s.base, time.Minute)
	if saved := metric(t, s.base, "lantern_index_events_saved_total"); saved != 0 {
		t.Errorf("the restarted event index saved %g events while replaying", saved)
	}
	api(t, "GET", s.base+"/api/v1/alerts/"+id, alertsTok, "", &a)
	if a.State != lantern.AlertDismissed || a.StateReason != "court preparation" {
		t.Errorf("decision after restart: %+v", a)
	}
	s.stop(t)
}
