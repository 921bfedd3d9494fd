package report

import (
	"context"
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"sync/atomic"
)

// Notifier tells the unit that a new report or answer has arrived. It is
// given nothing about the report, so nothing about it can leave the system
// through a notification: not its id, its kind or its time.
type Notifier interface {
	Arrived(ctx context.Context)
}

// Notifiers tells each of its notifiers.
type Notifiers []Notifier

// Arrived tells every notifier.
func (ns Notifiers) Arrived(ctx context.Context) {
	for _, n := range ns {
		n.Arrived(ctx)
	}
}

// Counter counts arrivals, for a metric or the workspace's badge.
type Counter struct{ n atomic.Int64 }

// Arrived adds one.
func (c *Counter) Arrived(context.Context) { c.n.Add(1) }

// Count returns the arrivals counted since start.
func (c *Counter) Count() int64 { return c.n.Load() }

// LogNotifier writes one fixed line saying something arrived.
type LogNotifier struct {
	Logger *slog.Logger
	// Message is the line; empty means LogNotice.
	Message string
}

// LogNotice is the reporting channel's log line.
const LogNotice = "a new report or answer has arrived on the reporting channel"

// Arrived logs the notice.
func (l LogNotifier) Arrived(ctx context.Context) {
	msg := l.Message
	if msg == "" {
		msg = LogNotice
	}
	l.Logger.InfoContext(ctx, msg)
}

// MailNotice is the whole text of every notice e-mail from the reporting
// channel.
const MailNotice = "Something new has arrived on the confidential reporting channel. Sign in to Lantern to read it.\r\n"

// MailSubject is the subject of the reporting channel's notice e-mail.
const MailSubject = "Lantern: a new report has arrived"

// MailNotifier sends a fixed notice to configured addresses through an SMTP
// relay. The notice never varies, so it carries nothing about the report.
// Sending happens in the background; failures are logged without addresses.
type MailNotifier struct {
	Addr   string    // host:port of the relay
	Auth   smtp.Auth // nil for an unauthenticated relay
	From   string
	To     []string
	Logger *slog.Logger
	// Subject and Notice are the e-mail's fixed subject and text; empty
	// means MailSubject and MailNotice.
	Subject, Notice string
	// send is smtp.SendMail, replaced in tests.
	send func(addr string, a smtp.Auth, from string, to []string, msg []byte) error
}

// Arrived sends the notice.
func (m *MailNotifier) Arrived(context.Context) {
	send := m.send
	if send == nil {
		send = smtp.SendMail
	}
	subject, notice := m.Subject, m.Notice
	if subject == "" {
		subject = MailSubject
	}
	if notice == "" {
		notice = MailNotice
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s", m.From, strings.Join(m.To, ", "), subject, notice)
	go func() {
		if err := send(m.Addr, m.Auth, m.From, m.To, []byte(msg)); err != nil && m.Logger != nil {
			m.Logger.Warn("report notice not sent", "relay", m.Addr)
		}
	}()
}
