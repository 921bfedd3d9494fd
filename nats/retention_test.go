package nats_test

import (
	"testing"
	"time"

	"lantern/nats"
)

// TestPurgeBefore stores events and reference messages, then purges events
// stored before a moment: older events go, newer events and every
// reference message stay.
func TestPurgeBefore(t *testing.T) {
	l := openEmbedded(t, nats.Config{})
	ctx := t.Context()
	msg := func(subject, id string) nats.Msg {
		return nats.Msg{Subject: subject, ID: id, Data: []byte(id)}
	}
	if _, err := l.PublishBatch(ctx, []nats.Msg{msg("lantern.ref.staff", "r1"), msg("lantern.ev.1", "e1"), msg("lantern.ev.2", "e2")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	cutoff := time.Now()
	time.Sleep(20 * time.Millisecond)
	if _, err := l.PublishBatch(ctx, []nats.Msg{msg("lantern.ev.1", "e3"), msg("lantern.ref.person", "r2")}); err != nil {
		t.Fatal(err)
	}
	n, err := l.PurgeBefore(ctx, "lantern.ev.>", cutoff)
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v; want 2", n, err)
	}
	got := readAll(t, l.JetStream(), l.Stream(), 3)
	if want := "r1 e3 r2"; join(got) != want {
		t.Errorf("left %q, want %q", join(got), want)
	}
	// Nothing newer: everything on the subject goes.
	if n, err := l.PurgeBefore(ctx, "lantern.ev.>", time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1", n, err)
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
