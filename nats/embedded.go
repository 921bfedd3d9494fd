package nats

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"lantern"
)

// embeddedMaxMemory caps the embedded server's JetStream memory storage.
// Lantern's stream is on file; memory storage holds only consumer state and
// any small memory-backed buckets, so a modest cap is plenty.
const embeddedMaxMemory = 256 << 20

// startEmbedded starts a JetStream server in this process with file storage
// in cfg.DataDir and waits until it accepts connections. It returns the server
// and, when cfg.Listen is set, the URL other clients reach it at. logger is
// for Lantern's own messages; the server logs to cfg.Logger.
func startEmbedded(ctx context.Context, cfg Config, logger *slog.Logger) (*natsserver.Server, string, error) {
	// The log holds personal data: keep the directory private to our user.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create event log directory: %w", err)
	}
	opts := &natsserver.Options{
		ServerName:         "lantern-embedded",
		JetStream:          true,
		StoreDir:           cfg.DataDir,
		SyncAlways:         cfg.SyncAlways,
		JetStreamMaxMemory: embeddedMaxMemory,
		NoSigs:             true, // the process owns signal handling
		NoLog:              true, // logging goes through serverLog below
		DontListen:         cfg.Listen == "",
	}
	if cfg.Listen != "" {
		host, port, err := parseListen(cfg.Listen)
		if err != nil {
			return nil, "", err
		}
		opts.Host, opts.Port = host, port
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			logger.Warn("embedded event log listens beyond loopback without authentication", "listen", cfg.Listen)
		}
	}

	srv, err := natsserver.NewServer(opts)
	if err != nil {
		return nil, "", fmt.Errorf("embedded server: %w", err)
	}
	sl := &serverLog{log: cfg.Logger.With("component", "nats-server"), fatal: make(chan string, 1)}
	srv.SetLoggerV2(sl, false, false, false)
	srv.Start() // synchronous up to and including JetStream store recovery

	if err := waitReady(ctx, srv, sl); err != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, "", err
	}

	clientURL := ""
	if cfg.Listen != "" {
		addr, ok := srv.Addr().(*net.TCPAddr)
		if !ok {
			srv.Shutdown()
			srv.WaitForShutdown()
			return nil, "", lantern.Errorf(lantern.EUNAVAILABLE, "embedded event log has no TCP listener on %s", cfg.Listen)
		}
		ip := addr.IP
		if ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
		}
		clientURL = "nats://" + net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
	}
	return srv, clientURL, nil
}

// waitReady waits until srv accepts connections with JetStream enabled, the
// server reports a fatal error, embeddedReadyTimeout passes or ctx ends.
func waitReady(ctx context.Context, srv *natsserver.Server, sl *serverLog) error {
	deadline := time.Now().Add(embeddedReadyTimeout)
	for {
		select {
		case msg := <-sl.fatal:
			return lantern.Errorf(lantern.EUNAVAILABLE, "embedded event log server failed to start: %s", msg)
		default:
		}
		if srv.ReadyForConnections(100 * time.Millisecond) {
			if !srv.JetStreamEnabled() {
				return lantern.Errorf(lantern.EUNAVAILABLE, "embedded event log server started without JetStream")
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("wait for embedded server: %w", err)
		}
		if time.Now().After(deadline) {
			return lantern.Errorf(lantern.EUNAVAILABLE, "embedded event log server not ready after %s", embeddedReadyTimeout)
		}
	}
}

// parseListen splits "host:port" into server options; port 0 becomes the
// server's "pick a free port".
func parseListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, lantern.FieldErrorf("Listen", "listen address %q is not host:port", listen)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, lantern.FieldErrorf("Listen", "listen port %q is not a port number", p)
	}
	if port == 0 {
		port = natsserver.RANDOM_PORT
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port, nil
}

// serverLog routes the embedded server's log to slog: notices and debug at
// debug level, warnings and errors at their own. Traces, which can carry
// message payloads, are dropped. A fatal error is logged and also handed to
// whoever waits for the server to start, instead of exiting the process.
type serverLog struct {
	log   *slog.Logger
	fatal chan string // buffered; the first fatal message
}

func (s *serverLog) logf(level slog.Level, format string, v []any) {
	if s.log.Enabled(context.Background(), level) {
		s.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
	}
}

// Noticef implements the server's Logger.
func (s *serverLog) Noticef(format string, v ...any) { s.logf(slog.LevelDebug, format, v) }

// Warnf implements the server's Logger.
func (s *serverLog) Warnf(format string, v ...any) { s.logf(slog.LevelWarn, format, v) }

// Errorf implements the server's Logger.
func (s *serverLog) Errorf(format string, v ...any) { s.logf(slog.LevelError, format, v) }

// Debugf implements the server's Logger.
func (s *serverLog) Debugf(format string, v ...any) { s.logf(slog.LevelDebug, format, v) }

// Tracef implements the server's Logger by discarding: traces include payloads.
func (s *serverLog) Tracef(string, ...any) {}

// Fatalf implements the server's Logger without exiting the process.
func (s *serverLog) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	s.log.Error(msg, "fatal", true)
	select {
	case s.fatal <- msg:
	default:
	}
}
