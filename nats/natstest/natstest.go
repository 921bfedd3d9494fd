// Package natstest starts real NATS JetStream servers for tests: a standalone
// server or a small cluster on loopback, each in the test process, with its
// storage in the test's temporary directory and shut down by t.Cleanup.
package natstest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Limits that keep test servers light on a small machine.
const (
	maxMemory   = 64 << 20  // JetStream memory storage per server
	maxStore    = 512 << 20 // JetStream file storage per server
	readyWait   = 10 * time.Second
	leaderWait  = 30 * time.Second // raft elections take seconds with production timeouts
	startTrials = 3                // cluster ports are reserved then released, so a start can race
)

// StartServer starts a standalone JetStream server listening on a free port of
// 127.0.0.1 and returns its client URL (nats://127.0.0.1:PORT). The server
// is shut down when the test ends. It fails the test if the server does not
// become ready within 10 seconds.
func StartServer(t testing.TB) (url string) {
	t.Helper()
	opts := baseOptions(t, "lantern-test")
	srv, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatalf("natstest: new server: %v", err)
	}
	srv.Start()
	t.Cleanup(func() { shutdown(srv) })
	if !srv.ReadyForConnections(readyWait) {
		t.Fatalf("natstest: server not ready after %s", readyWait)
	}
	return srv.ClientURL()
}

// StartCluster starts an n-node JetStream cluster (n >= 2; use 3 for R3
// streams) on 127.0.0.1 and returns the nodes' client URLs. It returns once
// every node accepts clients, the JetStream meta group has a leader that all
// nodes follow, and the cluster can place a stream on min(n, 5) replicas; it
// fails the test if that takes more than about 30 seconds per step. The cluster is
// shut down when the test ends.
func StartCluster(t testing.TB, n int) (urls []string) {
	t.Helper()
	for _, s := range StartClusterServers(t, n) {
		urls = append(urls, s.ClientURL())
	}
	return urls
}

// StartClusterServers is StartCluster returning the servers themselves, for
// tests that stop a node or inspect it. Shutting a server down early is fine;
// cleanup tolerates it.
func StartClusterServers(t testing.TB, n int) []*natsserver.Server {
	t.Helper()
	if n < 2 {
		t.Fatalf("natstest: a cluster needs at least 2 nodes, got %d", n)
	}
	var lastErr error
	for trial := 0; trial < startTrials; trial++ {
		srvs, err := startCluster(t, n)
		if err != nil {
			lastErr = err
			continue
		}
		t.Cleanup(func() {
			for _, s := range srvs {
				s.Shutdown()
			}
			for _, s := range srvs {
				s.WaitForShutdown()
			}
		})
		urls := make([]string, len(srvs))
		for i, s := range srvs {
			urls[i] = s.ClientURL()
		}
		if err := waitMetaLeader(srvs, leaderWait); err != nil {
			t.Fatalf("natstest: %v", err)
		}
		if err := waitPlacement(urls, min(n, 5), leaderWait); err != nil {
			t.Fatalf("natstest: %v", err)
		}
		return srvs
	}
	t.Fatalf("natstest: start %d-node cluster: %v", n, lastErr)
	return nil
}

// startCluster starts n routed servers and waits until each accepts clients.
// On failure it shuts down whatever it started.
func startCluster(t testing.TB, n int) ([]*natsserver.Server, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	routes := make([]string, n)
	for i, p := range ports {
		routes[i] = "nats-route://127.0.0.1:" + strconv.Itoa(p)
	}
	routeURLs := natsserver.RoutesFromStr(strings.Join(routes, ","))

	srvs := make([]*natsserver.Server, 0, n)
	fail := func(err error) ([]*natsserver.Server, error) {
		for _, s := range srvs {
			shutdown(s)
		}
		return nil, err
	}
	for i := 0; i < n; i++ {
		opts := baseOptions(t, fmt.Sprintf("lantern-test-%d", i+1))
		opts.Cluster.Name = "lantern-test"
		opts.Cluster.Host = "127.0.0.1"
		opts.Cluster.Port = ports[i]
		opts.Routes = routeURLs // each node lists all, itself included, so all know the size
		srv, err := natsserver.NewServer(opts)
		if err != nil {
			return fail(fmt.Errorf("new server %d: %w", i+1, err))
		}
		srv.Start()
		srvs = append(srvs, srv)
	}
	for i, s := range srvs {
		if !s.ReadyForConnections(readyWait) {
			return fail(fmt.Errorf("server %d not ready after %s", i+1, readyWait))
		}
	}
	return srvs, nil
}

// waitMetaLeader waits until one server leads the JetStream meta group and
// every server is current with it.
func waitMetaLeader(srvs []*natsserver.Server, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		leaders, current := 0, 0
		for _, s := range srvs {
			if s.JetStreamIsLeader() {
				leaders++
			}
			if s.JetStreamIsCurrent() {
				current++
			}
		}
		if leaders == 1 && current == len(srvs) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no JetStream meta leader followed by all %d nodes after %s", len(srvs), wait)
}

// waitPlacement waits until the cluster can place a stream on replicas
// peers: the meta leader must have heard from every member, which happens a
// little after it is elected. It creates and deletes a small probe stream.
func waitPlacement(urls []string, replicas int, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	nc, err := natsgo.Connect(strings.Join(urls, ","))
	if err != nil {
		return fmt.Errorf("connect to cluster: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	probe := jetstream.StreamConfig{
		Name:     "NATSTEST_PROBE",
		Subjects: []string{"natstest.probe"},
		Storage:  jetstream.MemoryStorage,
		Replicas: replicas,
		MaxBytes: 1 << 20,
	}
	for {
		_, err := js.CreateStream(ctx, probe)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster cannot place an R%d stream after %s: %w", replicas, wait, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := js.DeleteStream(ctx, probe.Name); err != nil {
		return fmt.Errorf("delete probe stream: %w", err)
	}
	return nil
}

// baseOptions are a quiet JetStream server on a free client port of
// 127.0.0.1 with storage in a new temporary directory.
func baseOptions(t testing.TB, name string) *natsserver.Options {
	return &natsserver.Options{
		ServerName:         name,
		Host:               "127.0.0.1",
		Port:               natsserver.RANDOM_PORT,
		JetStream:          true,
		StoreDir:           t.TempDir(),
		JetStreamMaxMemory: maxMemory,
		JetStreamMaxStore:  maxStore,
		NoSigs:             true,
		NoLog:              true,
	}
}

// freePorts finds n distinct free TCP ports on 127.0.0.1. They are released
// before returning, so another process could take one before it is used.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func shutdown(s *natsserver.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}
