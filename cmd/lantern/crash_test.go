package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lantern/client"
)

// buildBinary builds the lantern binary once per test run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "lantern-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "lantern")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
})

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// server is a lantern serve process.
type server struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	base string
}

func startServer(t *testing.T, bin, dataDir string, extra ...string) *server {
	t.Helper()
	s := &server{logs: &syncBuffer{}}
	s.cmd = exec.Command(bin, append([]string{"serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", dataDir}, extra...)...)
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	s.base = "http://" + listenAddr(t, s.logs)
	waitStatus(t, s.base+"/readyz", 200, 60*time.Second).Body.Close()
	return s
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, s.logs.String())
	}
}

// runBinary runs a lantern command to completion and returns its standard
// output.
func runBinary(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lantern %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// TestCrashDuringIngestLosesNothingAndStoresNothingTwice sends batches of
// events to a running server, kills it with SIGKILL while a batch is in
// flight, restarts it and sends everything again. Every batch acknowledged
// before the kill is then reported as duplicates, and the event log holds
// every event exactly once.
func TestCrashDuringIngestLosesNothingAndStoresNothingTwice(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	out := runBinary(t, bin, "source", "add", "crashtest", "--data-dir", data)
	token := regexp.MustCompile(`lt_[A-Za-z0-9_-]+`).FindString(out)
	if token == "" {
		t.Fatalf("no token in %q", out)
	}

	const staff, batches, perBatch = 200, 40, 5000
	var staffBody strings.Builder
	for i := range staff {
		fmt.Fprintf(&staffBody, `{"id":"S%d","category":"officer","role":"response","gender":"female","start_date":"2012-01-01"}`+"\n", i)
	}
	bodies := make([][]byte, batches)
	for b := range bodies {
		var sb strings.Builder
		for i := range perBatch {
			n := b*perBatch + i
			fmt.Fprintf(&sb, `{"id":"ev-%d","time":"2024-05-%02dT%02d:%02d:00Z","staff_id":"S%d","system":"pnc","action":"view","person_id":"P%d","fields":["address"]}`+"\n",
				n, 1+n%28, n%24, n%60, n%staff, n%9000)
		}
		bodies[b] = []byte(sb.String())
	}

	srv := startServer(t, bin, data)
	c, err := client.New(srv.base, token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if sum, err := c.PostEvents(ctx, "staff", []byte(staffBody.String())); err != nil || sum.Accepted != staff {
		t.Fatalf("staff: %+v %v", sum, err)
	}
	// Post batches until several are acknowledged, then kill the server
	// while the next ones are in flight.
	acked := map[int]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range bodies {
			sum, err := c.PostEvents(ctx, "access", bodies[b])
			if err != nil {
				return // the server died under us
			}
			if sum.Accepted+sum.Duplicates != perBatch {
				t.Errorf("batch %d: %+v", b, sum)
			}
			mu.Lock()
			acked[b] = true
			mu.Unlock()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	wg.Wait()
	if len(acked) == 0 || len(acked) == batches {
		t.Fatalf("the kill did not land mid-ingest: %d of %d batches acknowledged", len(acked), batches)
	}
	t.Logf("killed after %d of %d batches were acknowledged", len(acked), batches)

	srv = startServer(t, bin, data)
	c, _ = client.New(srv.base, token)
	accepted := 0
	for b := range bodies {
		sum, err := c.PostEvents(ctx, "access", bodies[b])
		if err != nil {
			t.Fatalf("resend batch %d: %v", b, err)
		}
		if acked[b] && sum.Duplicates != perBatch {
			t.Errorf("batch %d was acknowledged before the kill but on resend: %+v", b, sum)
		}
		accepted += sum.Accepted
	}
	srv.stop(t)

	var rep struct {
		Records    int            `json:"records"`
		ByKind     map[string]int `json:"by_kind"`
		Duplicates int            `json:"duplicates"`
	}
	if err := json.Unmarshal([]byte(runBinary(t, bin, "log", "check", "--format", "json", "--data-dir", data)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.ByKind["access"] != batches*perBatch || rep.Duplicates != 0 || rep.ByKind["staff"] != staff {
		t.Fatalf("event log after crash and resend: %+v (want %d access records, none twice)", rep, batches*perBatch)
	}
	t.Logf("resend accepted %d new events; the log holds all %d once", accepted, batches*perBatch)
}
