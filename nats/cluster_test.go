package nats_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/nats"
	"lantern/nats/natstest"
)

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return equal(a, b)
}

func TestExternalStandalone(t *testing.T) {
	url := natstest.StartServer(t)
	l, err := nats.Open(t.Context(), nats.Config{URL: url, StreamName: "EXT", Subjects: []string{"ext.>"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if l.ClientURL() != url {
		t.Errorf("ClientURL = %q, want %q", l.ClientURL(), url)
	}
	msgs := []nats.Msg{{Subject: "ext.a", ID: "1", Data: []byte("a")}, {Subject: "ext.b", ID: "1", Data: []byte("b")}}
	if acks, err := l.PublishBatch(t.Context(), msgs); err != nil || nats.Dups(acks) != 1 {
		t.Fatalf("PublishBatch = %d, %v; want 1, nil", nats.Dups(acks), err)
	}
	if got := readAll(t, l.JetStream(), "EXT", 1); got[0] != "a" {
		t.Fatalf("read back %q", got)
	}
}

func TestExternalReplicasBeyondServer(t *testing.T) {
	url := natstest.StartServer(t)
	start := time.Now()
	_, err := nats.Open(t.Context(), nats.Config{URL: url, Replicas: 3})
	if lantern.ErrorCode(err) != lantern.EINVALID {
		t.Fatalf("R3 on a standalone server: err = %v, want EINVALID", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to reject", d)
	}
}

func TestCluster(t *testing.T) {
	start := time.Now()
	urls := natstest.StartCluster(t, 3)
	t.Logf("3-node cluster ready in %s", time.Since(start).Round(time.Millisecond))

	l, err := nats.Open(t.Context(), nats.Config{URL: strings.Join(urls, ","), Replicas: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if err := l.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if acks, err := l.PublishBatch(t.Context(), batch("r", 0, 50)); err != nil || nats.Dups(acks) != 0 {
		t.Fatalf("PublishBatch = %d, %v", nats.Dups(acks), err)
	}
	// Batch order holds unless a publish had to be retried, which a busy
	// machine can cause by forcing a new stream leader election.
	if got := readAll(t, l.JetStream(), l.Stream(), 50); !sameSet(got, wantPayloads(0, 50)) {
		t.Fatalf("read back %q", got)
	} else if !equal(got, wantPayloads(0, 50)) {
		t.Logf("stored out of batch order after a retry: %q", got)
	}
	s, err := l.JetStream().Stream(t.Context(), l.Stream())
	if err != nil {
		t.Fatal(err)
	}
	info := s.CachedInfo()
	if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("stream not on 3 replicas: %+v", fmt.Sprint(info.Config.Replicas, info.Cluster))
	}
}

// TestClusterFailover stops the stream's leader and publishes again, retrying
// the whole batch as the intake layer does: with message IDs, nothing is lost
// or stored twice.
func TestClusterFailover(t *testing.T) {
	srvs := natstest.StartClusterServers(t, 3)
	urls := make([]string, len(srvs))
	for i, s := range srvs {
		urls[i] = s.ClientURL()
	}
	l, err := nats.Open(t.Context(), nats.Config{URL: strings.Join(urls, ","), Replicas: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if _, err := l.PublishBatch(t.Context(), batch("f", 0, 100)); err != nil {
		t.Fatal(err)
	}
	s, err := l.JetStream().Stream(t.Context(), l.Stream())
	if err != nil {
		t.Fatal(err)
	}
	leader := s.CachedInfo().Cluster.Leader
	for _, srv := range srvs {
		if srv.Name() == leader {
			srv.Shutdown()
			srv.WaitForShutdown()
		}
	}

	start := time.Now()
	// A message in flight to the dying leader is never acknowledged, so a
	// try can take the whole ack timeout.
	deadline := start.Add(nats.DefaultAckTimeout + 10*time.Second)
	for try := 1; ; try++ {
		acks, err := l.PublishBatch(t.Context(), batch("f", 100, 100))
		if err == nil {
			t.Logf("stored after stopping leader %s: try %d, %d duplicates, %s", leader, try, nats.Dups(acks), time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after %s: %v", time.Since(start), err)
		}
		t.Logf("try %d: %v", try, err)
		time.Sleep(200 * time.Millisecond)
	}
	if got := readAll(t, l.JetStream(), l.Stream(), 200); !sameSet(got, wantPayloads(0, 200)) {
		t.Fatalf("read back %q", got)
	}
	if err := l.Ready(t.Context()); err != nil {
		t.Fatalf("Ready with 2 of 3 nodes: %v", err)
	}
}
