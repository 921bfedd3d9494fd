package nats

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"lantern"
)

// Bounds on publishing; see PublishBatch.
const (
	// publishMaxPending is how many async publishes may await their ack on
	// the connection. With SyncAlways each one is an fsync, so it also
	// bounds how long the last of them waits: about 1024 fsyncs.
	publishMaxPending = 1024

	// A message nobody answers is resent every publishRetryWait, up to
	// publishRetryAttempts times: about 10 s, longer than a stream leader
	// election normally takes.
	publishRetryWait     = 250 * time.Millisecond
	publishRetryAttempts = 40
)

// connect opens l.nc and l.js: in-process to the embedded server, or over TCP
// to cfg.URL, trying every URL once within connectTimeout (and ctx).
func (l *Log) connect(ctx context.Context) error {
	opts := []natsgo.Option{
		natsgo.Name("lantern"),
		natsgo.MaxReconnects(-1), // once open, keep trying: the log is essential
		natsgo.ReconnectWait(time.Second),
		natsgo.DrainTimeout(drainTimeout),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(l.connClosed) }),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if err != nil {
				l.logger.Warn("event log disconnected", "server", l.serverDesc(), "err", err)
			}
		}),
		natsgo.ReconnectHandler(func(nc *natsgo.Conn) {
			l.logger.Info("event log reconnected", "server", redactURL(nc.ConnectedUrl()))
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, _ *natsgo.Subscription, err error) {
			l.logger.Warn("event log connection error", "err", err)
		}),
	}
	serverURL := l.cfg.URL
	if l.srv != nil {
		serverURL = ""
		opts = append(opts, natsgo.InProcessServer(l.srv))
	} else {
		budget := connectTimeout
		if dl, ok := ctx.Deadline(); ok {
			budget = min(budget, time.Until(dl))
		}
		// nats.go dials each URL once, in turn, with this timeout.
		n := max(1, len(strings.Split(serverURL, ",")))
		opts = append(opts, natsgo.Timeout(max(budget/time.Duration(n), 250*time.Millisecond)))
	}
	opts = append(opts, l.cfg.ConnectOptions...)

	if err := ctx.Err(); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	nc, err := natsgo.Connect(serverURL, opts...)
	if err != nil {
		return fmt.Errorf("connect: %w", codeError(lantern.EUNAVAILABLE, err, "the event log at %s is unreachable", l.serverDesc()))
	}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(publishMaxPending),
		jetstream.WithPublishAsyncTimeout(l.cfg.AckTimeout),
	)
	if err != nil {
		nc.Close()
		return fmt.Errorf("jetstream: %w", err)
	}
	l.nc, l.js = nc, js
	return nil
}

// codeError returns a lantern error with code and message that also wraps
// cause, so that both lantern.ErrorCode and errors.Is see through it.
func codeError(code string, cause error, format string, args ...any) error {
	return fmt.Errorf("%w: %w", lantern.Errorf(code, format, args...), cause)
}

// redactURLs returns a comma-separated URL list with any user information
// (user name, password or token) removed from each URL.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		parts[i] = redactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		u.User = nil
		return u.String()
	}
	// Not a parseable URL (nats.go also takes bare host:port): drop anything
	// up to the last '@', which is where credentials would be.
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return s[i+1:]
	}
	return s
}
