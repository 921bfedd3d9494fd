package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/client"
	"lantern/sqlite"
)

// runIn runs lantern in-process with stdin and returns exit code and output.
func runIn(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := exitCode(run(ctx, args, envFrom(nil), stdin, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runIn(t, strings.NewReader(""), args...)
	if code != 0 {
		t.Fatalf("lantern %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func access(id, staff string) string {
	return fmt.Sprintf(`{"id":%q,"time":"2024-03-01T10:00:00Z","staff_id":%q,"system":"pnc","action":"view","person_id":"P1"}`, id, staff)
}

func screeningLine(id, staff, result string) string {
	return fmt.Sprintf(`{"id":%q,"staff_id":%q,"checked_at":"2026-03-01T10:15:00+00:00","check":"pnd","result":%q,"detail":"Named as an associate in an intelligence report."}`, id, staff, result)
}

var countsRE = regexp.MustCompile(`(\d+) accepted, (\d+) duplicates, (\d+) quarantined`)

// counts finds the summary line for a source in ingest's output.
func counts(t *testing.T, out, source string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, source) {
			if m := countsRE.FindStringSubmatch(l); m != nil {
				return m[1] + "/" + m[2] + "/" + m[3]
			}
		}
	}
	t.Fatalf("no summary for %s in:\n%s", source, out)
	return ""
}

func TestIngestQuarantineAndRetry(t *testing.T) {
	data, in := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "staff.jsonl"), `{"id":"S1","category":"officer","role":"response","gender":"male","start_date":"2015-04-01"}`+"\n")
	bad := `{"id":"a3","time":"yesterday","staff_id":"S1","system":"pnc","action":"view","person_id":"P1"}`
	writeFile(t, filepath.Join(in, "access.jsonl"), strings.Join([]string{access("a1", "S1"), bad, access("a2", "S9"), access("a1", "S1")}, "\n")+"\n")

	out := mustRun(t, "ingest", "--data-dir", data, in)
	if got := counts(t, out, filepath.Join(in, "staff.jsonl")); got != "1/0/0" {
		t.Errorf("staff: %s", got)
	}
	if got := counts(t, out, filepath.Join(in, "access.jsonl")); got != "1/1/2" {
		t.Errorf("access: %s\n%s", got, out)
	}
	for _, want := range []string{"line 2: time:", "line 3: staff_id: unknown staff id", "total: 2 accepted, 1 duplicates, 2 quarantined"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The same directory again changes nothing; rejected rows are rejected again.
	out = mustRun(t, "ingest", "--data-dir", data, in)
	if got := counts(t, out, filepath.Join(in, "access.jsonl")); got != "0/2/2" {
		t.Errorf("second ingest: %s", got)
	}

	// Gzip on standard input, with the kind given.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, access("a4", "S1")+"\n"+access("a5", "S1")+"\n")
	zw.Close()
	code, out, errOut := runIn(t, &gz, "ingest", "--data-dir", data, "--kind", "access", "-")
	if code != 0 || counts(t, out, "-") != "2/0/0" {
		t.Fatalf("stdin gzip: %d %s %s", code, out, errOut)
	}

	list := mustRun(t, "quarantine", "list", "--data-dir", data)
	if n := strings.Count(strings.TrimSpace(list), "\n") + 1; n != 2 || !strings.Contains(list, "unknown staff id") {
		t.Fatalf("quarantine list (%d rows):\n%s", n, list)
	}
	exported := filepath.Join(t.TempDir(), "rows.jsonl")
	mustRun(t, "quarantine", "export", "--data-dir", data, "--out", exported)
	raw, _ := os.ReadFile(exported)
	if !strings.Contains(string(raw), bad) || !strings.Contains(string(raw), access("a2", "S9")) {
		t.Fatalf("export does not hold the rows as received:\n%s", raw)
	}
	if st, _ := os.Stat(exported); st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v", st.Mode().Perm())
	}

	// Send the missing member of staff, then retry: the S9 row is accepted,
	// the bad timestamp stays open.
	staff9 := filepath.Join(t.TempDir(), "staff.jsonl")
	writeFile(t, staff9, `{"id":"S9","category":"staff","role":"analyst","gender":"female","start_date":"2020-01-01"}`+"\n")
	mustRun(t, "ingest", "--data-dir", data, staff9)
	out = mustRun(t, "quarantine", "retry", "--data-dir", data)
	if !strings.Contains(out, "retried: 1 accepted, 1 still rejected") {
		t.Fatalf("retry:\n%s", out)
	}
	retried := mustRun(t, "quarantine", "list", "--data-dir", data, "--state", "retried")
	if strings.Count(retried, "unknown staff id") != 1 {
		t.Errorf("retried rows:\n%s", retried)
	}
	ids := regexp.MustCompile(`(?m)^(\d+)\t`).FindAllStringSubmatch(mustRun(t, "quarantine", "list", "--data-dir", data), -1)
	if len(ids) != 1 {
		t.Fatalf("open rows: %v", ids)
	}
	mustRun(t, "quarantine", "resolve", "--data-dir", data, "--ids", ids[0][1])
	if open := mustRun(t, "quarantine", "list", "--data-dir", data); !strings.Contains(open, "no quarantined rows match") {
		t.Errorf("after resolve:\n%s", open)
	}
	var rep struct {
		ByKind     map[string]int `json:"by_kind"`
		Duplicates int            `json:"duplicates"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "log", "check", "--data-dir", data, "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	// a1, a4, a5, and a2 once through retry
	if rep.Duplicates != 0 || rep.ByKind["access"] != 4 || rep.ByKind["staff"] != 2 {
		t.Errorf("log check: %+v", rep)
	}
}

// TestIngestScreening loads screening results with --kind from a file whose
// name does not say the kind: findings become items in the intelligence log,
// and loading the file again creates none.
func TestIngestScreening(t *testing.T) {
	data, in := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "staff.jsonl"), `{"id":"S1","category":"officer","role":"response","gender":"male","start_date":"2015-04-01"}`+"\n")
	file := filepath.Join(in, "vetting-march.jsonl")
	writeFile(t, file, strings.Join([]string{screeningLine("v1", "S1", "trace"), screeningLine("v2", "S1", "no_trace"), screeningLine("v3", "S2", "trace"),
		`{"id":"v4","staff_id":"S1","checked_at":"2026-03-01T10:15:00Z","check":"pnd","result":"match"}`}, "\n")+"\n")
	mustRun(t, "ingest", "--data-dir", data, filepath.Join(in, "staff.jsonl"))
	if code, _, errOut := runIn(t, strings.NewReader(""), "ingest", "--data-dir", data, file); code == 0 || !strings.Contains(errOut, "give --kind") {
		t.Fatalf("a file named without its kind was loaded: %d %s", code, errOut)
	}
	out := mustRun(t, "ingest", "--kind", "screening", "--data-dir", data, file)
	if got := counts(t, out, file); got != "2/0/2" || !strings.Contains(out, "line 3: staff_id: unknown staff id") ||
		!strings.Contains(out, `line 4: result: result "match" is not one of no_trace, trace, possible_trace`) {
		t.Fatalf("ingest screening:\n%s", out)
	}
	out = mustRun(t, "ingest", "--kind", "screening", "--data-dir", data, file)
	if got := counts(t, out, file); got != "0/2/2" {
		t.Fatalf("again: %s\n%s", got, out)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, n, err := st.FindIntelItems(context.Background(), lantern.IntelFilter{SourceRef: "screening:v1"})
	if err != nil || n != 1 || items[0].StaffID != "" || !strings.Contains(items[0].Summary, "PND check of 2026-03-01") {
		t.Fatalf("items: %d %+v %v", n, items, err)
	}
	if _, n, _ := st.FindIntelItems(context.Background(), lantern.IntelFilter{}); n != 1 {
		t.Fatalf("%d items, want 1", n)
	}
}

func TestIngestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "export.txt")
	writeFile(t, odd, "{}\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest"}, "at least one FILE"},
		{[]string{"ingest", "-"}, "standard input needs --kind"},
		{[]string{"ingest", odd}, "cannot tell the kind"},
		{[]string{"ingest", "--kind", "gossip", odd}, "--kind"},
		{[]string{"ingest", "--profile", "nonesuch", "--kind", "access", odd}, "--profile"},
		{[]string{"ingest", t.TempDir()}, "holds no KIND.jsonl files"},
		{[]string{"quarantine", "resolve", "--data-dir", dir}, "needs --ids"},
		{[]string{"quarantine", "purge"}, "unknown quarantine subcommand"},
		{[]string{"source", "add"}, "takes 1 argument"},
	} {
		code, _, errOut := runIn(t, strings.NewReader(""), tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestEventsAPI drives POST /api/v1/events of a running server: tokens,
// kinds, counts, per-line errors, disabled sources, and ingest --server.
func TestEventsAPI(t *testing.T) {
	data := t.TempDir()
	out := mustRun(t, "source", "add", "rms", "--data-dir", data)
	token := regexp.MustCompile(`lt_[A-Za-z0-9_-]+`).FindString(out)
	if token == "" {
		t.Fatal(out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", data}, envFrom(nil), strings.NewReader(""), io.Discard, logs)
	}()
	defer func() { cancel(); <-done }()
	base := "http://" + listenAddr(t, logs)
	waitStatus(t, base+"/readyz", 200, 20*time.Second).Body.Close()

	post := func(tok, kind, body string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/api/v1/events?kind="+kind, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	staff := `{"id":"S1","category":"officer","role":"response","gender":"male","start_date":"2015-04-01"}` + "\n"
	for _, tt := range []struct {
		name, token, kind, body string
		status                  int
		want                    string
	}{
		{"no token", "", "staff", staff, 401, `"code":"unauthorized"`},
		{"wrong token", "lt_nope", "staff", staff, 401, "not valid"},
		{"bad kind", token, "gossip", staff, 400, `"field":"kind"`},
		{"staff", token, "staff", staff, 200, `"accepted":1`},
		{"access with errors", token, "access", access("x1", "S1") + "\n" + `{"id":"x2"}` + "\n" + access("x3", "S7") + "\n", 200,
			`"accepted":1,"duplicates":0,"rejected":2,"errors":[{"line":2,"field":"time"`},
		{"again", token, "access", access("x1", "S1") + "\n", 200, `"accepted":0,"duplicates":1`},
		{"screening", token, "screening", screeningLine("v1", "S1", "trace") + "\n" + screeningLine("v2", "S1", "no_trace") + "\n" + screeningLine("v3", "S8", "trace") + "\n", 200,
			`"accepted":2,"duplicates":0,"rejected":1,"errors":[{"line":3,"field":"staff_id","reason":"unknown staff id`},
	} {
		status, body := post(tt.token, tt.kind, tt.body)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s; want %d and %s", tt.name, status, body, tt.status, tt.want)
		}
	}

	metrics := waitStatus(t, base+"/metrics", 200, time.Second)
	mb, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	if !strings.Contains(string(mb), `lantern_intake_records_total{kind="access",outcome="rejected"} 2`) {
		t.Errorf("intake metrics missing from /metrics")
	}

	// ingest --server sends through the API, renumbering lines across requests.
	file := filepath.Join(t.TempDir(), "access.jsonl")
	writeFile(t, file, access("r1", "S1")+"\n\n"+access("r2", "S404")+"\n")
	out = mustRun(t, "ingest", "--server", base, "--token", token, file)
	if got := counts(t, out, file); got != "1/0/1" || !strings.Contains(out, "line 3: staff_id: unknown staff id") {
		t.Errorf("ingest --server:\n%s", out)
	}

	mustRun(t, "source", "disable", "rms", "--data-dir", data)
	c, _ := client.New(base, token)
	if _, err := c.PostEvents(context.Background(), "access", []byte(access("x9", "S1")+"\n")); lantern.ErrorCode(err) != lantern.EUNAUTHORIZED {
		t.Errorf("disabled source: %v", err)
	}
	if list := mustRun(t, "source", "list", "--data-dir", data); !strings.Contains(list, "rms") || !strings.Contains(list, "disabled") {
		t.Errorf("source list: %s", list)
	}
}
