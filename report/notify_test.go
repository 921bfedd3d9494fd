package report

import (
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// TestNoticesCarryNoContent submits a report with notifiers attached and
// checks that the e-mail is the fixed notice and the counter counts.
func TestNoticesCarryNoContent(t *testing.T) {
	f := newFixture(t)
	sent := make(chan string, 2)
	mail := &MailNotifier{Addr: "relay:25", From: "lantern@force.example", To: []string{"ccu@force.example"},
		send: func(_ string, _ smtp.Auth, _ string, _ []string, msg []byte) error { sent <- string(msg); return nil }}
	var c Counter
	f.svc.cfg.Notifier = Notifiers{&c, mail}
	sub, err := f.svc.Submit(t.Context(), anonymous(knownSentence), nil)
	must(t, err)
	must(t, f.svc.Reply(t.Context(), sub.Receipt, "x", "More about Quillfeather.", nil))
	for range 2 {
		select {
		case msg := <-sent:
			if !strings.HasSuffix(msg, "\r\n\r\n"+MailNotice) || strings.Contains(msg, "Quillfeather") {
				t.Errorf("notice %q", msg)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no notice sent")
		}
	}
	if c.Count() != 2 {
		t.Errorf("counted %d arrivals, want 2", c.Count())
	}
}
