package main

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/nats/natstest"
)

// TestScaleOutMatchesOneProcess runs detection on a three-node NATS
// JetStream cluster on loopback: a simulated force is loaded into the
// replicated log, then two `lantern serve` processes judge half of the
// partitions each, sharing peer figures through the cluster, and a third
// judges all of them. The two together store exactly the alerts and signals
// of the one, with the same ids, evidence and scores.
func TestScaleOutMatchesOneProcess(t *testing.T) {
	bin := binary(t)
	urls := strings.Join(natstest.StartCluster(t, 3), ",")
	force := t.TempDir()
	mustRun(t, "simulate", "--staff", "120", "--days", "35", "--seed", "5", "--offenders", "0.04", "--out", force)
	nats := []string{"--nats", urls, "--nats-replicas", "3"}
	runBinary(t, bin, append([]string{"ingest", "--data-dir", t.TempDir(), force}, nats...)...)

	serve := func(partitions string) (dataDir string, s *server) {
		dataDir = t.TempDir()
		s = &server{logs: &syncBuffer{}}
		args := append([]string{"serve", "--http", "127.0.0.1:0", "--log-format", "json", "--data-dir", dataDir, "--partitions", partitions}, nats...)
		s.cmd = exec.Command(bin, args...)
		s.cmd.Stderr = s.logs
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s.cmd.Process.Kill()
			s.cmd.Wait()
			if t.Failed() {
				t.Logf("serve --partitions %s logged:\n%s", partitions, s.logs.String())
			}
		})
		s.base = "http://" + listenAddr(t, s.logs)
		return dataDir, s
	}
	lowDir, low := serve("0-15")
	highDir, high := serve("16-31")
	oneDir, one := serve("all")
	for _, s := range []*server{low, high, one} {
		waitStatus(t, s.base+"/readyz", 200, 60*time.Second).Body.Close()
		waitDetected(t, s.base, 4*time.Minute)
	}
	for _, s := range []*server{low, high, one} {
		s.stop(t)
	}
	if strings.Contains(low.logs.String()+high.logs.String(), "peer figures incomplete") {
		t.Error("a monitor went on without the other's peer figures")
	}

	stored := func(dataDir string) map[string]lantern.Alert {
		out := map[string]lantern.Alert{}
		for _, line := range strings.Split(strings.TrimSpace(mustRun(t, "alerts", "--data-dir", dataDir, "--signals", "true", "--format", "jsonl")), "\n") {
			if line == "" {
				continue
			}
			var a lantern.Alert
			if err := json.Unmarshal([]byte(line), &a); err != nil {
				t.Fatal(err)
			}
			out[a.ID] = a
		}
		return out
	}
	want := stored(oneDir)
	got := stored(lowDir)
	for id, a := range stored(highDir) {
		if _, dup := got[id]; dup {
			t.Errorf("alert %s stored by both halves", id)
		}
		got[id] = a
	}
	peer := 0
	for _, a := range want {
		if a.Rule == "trawling_peer" { // the library's rule that compares staff with their peers
			peer++
		}
	}
	if len(want) == 0 || peer == 0 {
		t.Fatalf("the force raised %d alerts, %d from peer comparison: the comparison would prove too little", len(want), peer)
	}
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("the halves lack %s (%s on %s)", id, w.Rule, w.StaffID)
		case g.Score != w.Score || g.Matches != w.Matches || !slices.Equal(g.EvidenceIDs, w.EvidenceIDs) || g.Explanation != w.Explanation:
			t.Errorf("alert %s differs:\n got %+v\nwant %+v", id, g, w)
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("the halves have %s (%s on %s), one process does not", id, g.Rule, g.StaffID)
		}
	}
	t.Logf("%d alerts and signals, the same from two processes as from one", len(want))
}
