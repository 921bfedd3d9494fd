package nats_test

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"lantern"
	"lantern/nats"
)

// openEmbedded opens an embedded log in dir (a new temporary directory when
// dir is "") and closes it when the test ends.
func openEmbedded(t *testing.T, cfg nats.Config) *nats.Log {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	l, err := nats.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// batch returns n messages on lantern.test.<i> with IDs "<prefix>-<i>".
func batch(prefix string, from, n int) []nats.Msg {
	msgs := make([]nats.Msg, n)
	for i := range msgs {
		k := from + i
		msgs[i] = nats.Msg{
			Subject: "lantern.test." + strconv.Itoa(k),
			ID:      prefix + "-" + strconv.Itoa(k),
			Data:    []byte(`{"n":` + strconv.Itoa(k) + `}`),
		}
	}
	return msgs
}

// readAll reads the whole stream with an ordered consumer and returns the
// payloads in stream order. It fails the test unless exactly want arrive.
func readAll(t *testing.T, js jetstream.JetStream, stream string, want int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatalf("ordered consumer: %v", err)
	}
	var got []string
	for len(got) < want && ctx.Err() == nil {
		mb, err := cons.Fetch(want-len(got), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		for m := range mb.Messages() {
			got = append(got, string(m.Data()))
		}
		// In a cluster a new consumer can miss its first pull request; the
		// next Fetch recreates it from where this one stopped.
		if err := mb.Error(); err != nil && !errors.Is(err, natsgo.ErrNoResponders) {
			t.Fatalf("fetch batch: %v", err)
		}
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatalf("consumer info: %v", err)
	}
	if len(got) != want || info.NumPending != 0 {
		t.Fatalf("read %d messages with %d pending, want %d and 0", len(got), info.NumPending, want)
	}
	return got
}

func wantPayloads(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = `{"n":` + strconv.Itoa(from+i) + `}`
	}
	return out
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

func TestEmbeddedDurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	cfg := nats.Config{DataDir: dir, SyncAlways: true}

	l, err := nats.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if acks, err := l.PublishBatch(ctx, batch("e", 0, 10)); err != nil || nats.Dups(acks) != 0 {
		t.Fatalf("PublishBatch = %d, %v; want 0, nil", nats.Dups(acks), err)
	}
	// Three IDs already stored plus two new ones.
	if acks, err := l.PublishBatch(ctx, batch("e", 7, 5)); err != nil || nats.Dups(acks) != 3 {
		t.Fatalf("PublishBatch with repeats = %d, %v; want 3, nil", nats.Dups(acks), err)
	}
	if got := readAll(t, l.JetStream(), l.Stream(), 12); !equal(got, wantPayloads(0, 12)) {
		t.Fatalf("read back %q", got)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	l2 := openEmbedded(t, cfg)
	if got := readAll(t, l2.JetStream(), l2.Stream(), 12); !equal(got, wantPayloads(0, 12)) {
		t.Fatalf("after restart read back %q", got)
	}
	// The duplicate window is rebuilt from the stored messages on restart.
	if acks, err := l2.PublishBatch(ctx, batch("e", 11, 2)); err != nil || nats.Dups(acks) != 1 {
		t.Fatalf("PublishBatch after restart = %d, %v; want 1, nil", nats.Dups(acks), err)
	}
	readAll(t, l2.JetStream(), l2.Stream(), 13)
}

func TestPublishBatchLargerThanInFlightLimit(t *testing.T) {
	l := openEmbedded(t, nats.Config{})
	const n = 5000 // several times the 1024 acks allowed in flight
	msgs := make([]nats.Msg, n)
	for i := range msgs {
		msgs[i] = nats.Msg{Subject: "lantern.bulk", Data: []byte("x")}
	}
	if acks, err := l.PublishBatch(t.Context(), msgs); err != nil || nats.Dups(acks) != 0 {
		t.Fatalf("PublishBatch = %d, %v", nats.Dups(acks), err)
	}
	s, err := l.JetStream().Stream(t.Context(), l.Stream())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().State.Msgs; got != n {
		t.Fatalf("stream holds %d messages, want %d", got, n)
	}
}

func TestPublishBatchErrors(t *testing.T) {
	l := openEmbedded(t, nats.Config{})
	ctx := t.Context()
	if acks, err := l.PublishBatch(ctx, nil); err != nil || nats.Dups(acks) != 0 {
		t.Errorf("empty batch = %d, %v", nats.Dups(acks), err)
	}
	_, err := l.PublishBatch(ctx, []nats.Msg{{Subject: "lantern.a"}, {Data: []byte("x")}})
	if lantern.ErrorCode(err) != lantern.EINVALID {
		t.Errorf("empty subject: err = %v, want EINVALID", err)
	}
	for _, subject := range []string{"elsewhere.x", "lantern", "lantern.*", "lantern.>", "lantern..x", "lantern.a b"} {
		_, err = l.PublishBatch(ctx, []nats.Msg{{Subject: "lantern.ok"}, {Subject: subject}})
		if lantern.ErrorCode(err) != lantern.EINVALID {
			t.Errorf("subject %q: err = %v, want EINVALID", subject, err)
		}
	}
	s, err := l.JetStream().Stream(ctx, l.Stream())
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 0 {
		t.Errorf("rejected batches stored %d messages", n)
	}
	// A message larger than the server's maximum payload fails the batch.
	_, err = l.PublishBatch(ctx, []nats.Msg{{Subject: "lantern.big", Data: make([]byte, 2<<20)}})
	if lantern.ErrorCode(err) != lantern.EINVALID {
		t.Errorf("oversized message: err = %v, want EINVALID", err)
	}
}

func TestEmbeddedListener(t *testing.T) {
	l := openEmbedded(t, nats.Config{Listen: "127.0.0.1:0"})
	url := l.ClientURL()
	if !regexp.MustCompile(`^nats://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(url) {
		t.Fatalf("ClientURL = %q", url)
	}
	if _, err := l.PublishBatch(t.Context(), batch("l", 0, 3)); err != nil {
		t.Fatal(err)
	}

	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Fatalf("second connection: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(t.Context(), "lantern.test.3", []byte(`{"n":3}`)); err != nil {
		t.Fatalf("publish over second connection: %v", err)
	}
	if got := readAll(t, js, l.Stream(), 4); !equal(got, wantPayloads(0, 4)) {
		t.Fatalf("read back %q", got)
	}
}

func TestEmbeddedNoListener(t *testing.T) {
	l := openEmbedded(t, nats.Config{})
	if url := l.ClientURL(); url != "" {
		t.Fatalf("ClientURL = %q, want \"\"", url)
	}
	if err := l.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

func TestEmbeddedListenerPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	start := time.Now()
	_, err = nats.Open(t.Context(), nats.Config{DataDir: t.TempDir(), Listen: ln.Addr().String()})
	if lantern.ErrorCode(err) != lantern.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open took %s to report the taken port", d)
	}
	t.Logf("%v", err)
}

func TestCloseIdempotent(t *testing.T) {
	l, err := nats.Open(t.Context(), nats.Config{DataDir: t.TempDir(), SyncAlways: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.PublishBatch(t.Context(), batch("c", 0, 100)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %s", d)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Ready(t.Context()); lantern.ErrorCode(err) != lantern.EUNAVAILABLE {
		t.Fatalf("Ready after Close = %v, want EUNAVAILABLE", err)
	}
	if _, err := l.PublishBatch(t.Context(), batch("c", 100, 1)); err == nil {
		t.Fatal("PublishBatch after Close succeeded")
	}
}

func TestOpenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	start := time.Now()
	_, err = nats.Open(t.Context(), nats.Config{URL: "nats://lantern:s3cret@" + addr})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Open succeeded with nothing listening")
	}
	if elapsed > 6*time.Second {
		t.Errorf("Open took %s to fail", elapsed)
	}
	if code := lantern.ErrorCode(err); code != lantern.EUNAVAILABLE {
		t.Errorf("code = %q, want %q (%v)", code, lantern.EUNAVAILABLE, err)
	}
	msg := lantern.ErrorMessage(err)
	if !strings.Contains(msg, "nats://"+addr) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("message %q should name nats://%s without the password; err = %v", msg, addr, err)
	}
}

// TestOpenSilentServer connects to three listeners that accept but never
// speak NATS: Open must give up within the connect budget, not per URL.
func TestOpenSilentServer(t *testing.T) {
	var urls []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
			}
		}()
		urls = append(urls, "nats://"+ln.Addr().String())
	}

	start := time.Now()
	_, err := nats.Open(t.Context(), nats.Config{URL: strings.Join(urls, ",")})
	elapsed := time.Since(start)
	if lantern.ErrorCode(err) != lantern.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
	if elapsed > 6*time.Second {
		t.Errorf("Open took %s to fail", elapsed)
	}
	t.Logf("gave up after %s: %v", elapsed.Round(time.Millisecond), err)
}

func TestOpenInvalidConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   nats.Config
		field string
	}{
		{"embedded without data dir", nats.Config{}, "DataDir"},
		{"bad listen", nats.Config{DataDir: t.TempDir(), Listen: "nohostport"}, "Listen"},
		{"bad port", nats.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:99999"}, "Listen"},
		{"replicas", nats.Config{URL: "nats://127.0.0.1:1", Replicas: 7}, "Replicas"},
		{"stream name", nats.Config{DataDir: t.TempDir(), StreamName: "a.b"}, "StreamName"},
		{"negative window", nats.Config{DataDir: t.TempDir(), DuplicateWindow: -time.Second}, "DuplicateWindow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := nats.Open(t.Context(), tt.cfg)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) != tt.field {
				t.Fatalf("err = %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}
