// Package nats is Lantern's event log: a NATS JetStream stream that holds
// every ingested event durably and lets the detection engine replay it.
//
// The same code runs two ways. With an empty Config.URL, Open starts a NATS
// server inside the process (JetStream file storage in Config.DataDir,
// normally without any network listener) and connects to it in-process. With a
// URL, Open connects to an external NATS server or JetStream cluster and keeps
// the stream replicated there (Config.Replicas).
//
// Errors a caller should act on carry a lantern error code: EINVALID for a bad
// Config, EUNAVAILABLE when the server cannot be reached or does not answer.
package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"lantern"
)

// Defaults applied by Open to zero Config fields.
const (
	DefaultStreamName      = "LANTERN"
	DefaultSubject         = "lantern.>"
	DefaultDuplicateWindow = 2 * time.Minute
	DefaultAckTimeout      = 15 * time.Second
)

// Bounds on the slow steps of Open and Close. Open also honours its context.
const (
	embeddedReadyTimeout = 30 * time.Second // starting the embedded server, including store recovery
	connectTimeout       = 5 * time.Second  // reaching an external server (all URLs together)
	streamSetupTimeout   = 20 * time.Second // creating the stream, including waiting for a cluster to settle
	drainTimeout         = 5 * time.Second  // draining the connection on Close
)

// Config says where the event log lives and how its stream is shaped.
type Config struct {
	// URL is "" to run an embedded server in this process, or the
	// comma-separated nats://host:port URLs of an external server or cluster.
	// Credentials may be given in the URL (nats://user:pass@host:port); they
	// never appear in errors or logs.
	URL string

	// DataDir is where the embedded server keeps JetStream file storage
	// (callers pass e.g. <data-dir>/nats). Required when URL is "".
	DataDir string

	// Listen is, for the embedded server only, "" for no network listener at
	// all (in-process connections only) or "host:port" to accept client
	// connections; port 0 picks a free port (see Log.ClientURL). The listener
	// has no authentication, so keep it on a loopback address.
	Listen string

	// Replicas is the stream's replica count on an external cluster (1 or 3;
	// 0 means 1). The embedded server always uses 1.
	Replicas int

	// SyncAlways makes the embedded server fsync every write before it
	// acknowledges it, so an acknowledged event survives a power cut. When
	// false the server flushes to the OS at once but fsyncs only periodically
	// (every 2 minutes by default), so a power cut or kernel crash may lose
	// acknowledged events; a process crash alone does not. Callers normally
	// pass true. It has no effect on an external server, whose own
	// configuration decides.
	SyncAlways bool

	// Logger receives connection events and the embedded server's own log
	// (notices at debug level). nil discards everything. Message payloads are
	// never logged.
	Logger *slog.Logger

	// StreamName is the JetStream stream's name; default "LANTERN".
	StreamName string

	// Subjects are the subjects the stream captures; default "lantern.>".
	Subjects []string

	// DuplicateWindow is how long JetStream remembers a Nats-Msg-Id to drop
	// a re-published message; default 2m.
	DuplicateWindow time.Duration

	// AckTimeout is how long a published message may wait for the server's
	// acknowledgement before PublishBatch counts it as failed; default 15s.
	// Raise it for SyncAlways on slow disks: a message can queue behind up
	// to 1024 others, each needing an fsync.
	AckTimeout time.Duration

	// ConnectOptions are extra nats.go options for the connection, such as
	// TLS or a credentials file for an external cluster. Open's own options
	// (name, timeouts, handlers) come first, so these may override them;
	// overriding ClosedHandler makes Close wait its full drain timeout.
	ConnectOptions []natsgo.Option
}

// withDefaults returns cfg with zero fields filled in, or an EINVALID error.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StreamName == "" {
		cfg.StreamName = DefaultStreamName
	}
	if strings.ContainsAny(cfg.StreamName, " \t\r\n.*>/\\") {
		return cfg, lantern.FieldErrorf("StreamName", "stream name %q may not contain spaces, '.', '*', '>' or slashes", cfg.StreamName)
	}
	if len(cfg.Subjects) == 0 {
		cfg.Subjects = []string{DefaultSubject}
	}
	for _, s := range cfg.Subjects {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return cfg, lantern.FieldErrorf("Subjects", "subject %q is empty or contains white space", s)
		}
	}
	if cfg.DuplicateWindow == 0 {
		cfg.DuplicateWindow = DefaultDuplicateWindow
	} else if cfg.DuplicateWindow < 0 {
		return cfg, lantern.FieldErrorf("DuplicateWindow", "duplicate window may not be negative")
	}
	if cfg.AckTimeout == 0 {
		cfg.AckTimeout = DefaultAckTimeout
	} else if cfg.AckTimeout < 0 {
		return cfg, lantern.FieldErrorf("AckTimeout", "ack timeout may not be negative")
	}
	if cfg.URL == "" {
		if cfg.DataDir == "" {
			return cfg, lantern.FieldErrorf("DataDir", "the embedded event log needs a data directory")
		}
		cfg.Replicas = 1
	} else {
		if cfg.Replicas == 0 {
			cfg.Replicas = 1
		}
		if cfg.Replicas < 1 || cfg.Replicas > 5 {
			return cfg, lantern.FieldErrorf("Replicas", "replicas must be between 1 and 5, got %d", cfg.Replicas)
		}
	}
	return cfg, nil
}

// Log is an open event log: a connection to a JetStream server (embedded or
// external) with the stream created. It is safe for concurrent use.
type Log struct {
	cfg       Config
	logger    *slog.Logger
	srv       *natsserver.Server // nil for an external server
	nc        *natsgo.Conn
	js        jetstream.JetStream
	clientURL string

	connClosed chan struct{} // closed by the connection's ClosedHandler
	closeOnce  sync.Once
	closeErr   error
}

// Open starts the embedded server when cfg.URL is "" (waiting, bounded, until
// it is ready), connects, and creates the stream or updates its configuration
// (file storage, limits retention, cfg.DuplicateWindow). The returned Log must
// be closed.
//
// Open returns EINVALID for a bad Config or a stream configuration the server
// rejects, and EUNAVAILABLE when the server cannot be started or reached
// (within about 5 seconds for an external URL; the error names the URL
// without credentials) or its JetStream does not answer.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	l := &Log{
		cfg:        cfg,
		logger:     cfg.Logger.With("component", "eventlog"),
		connClosed: make(chan struct{}),
	}

	if cfg.URL == "" {
		srv, clientURL, err := startEmbedded(ctx, cfg, l.logger)
		if err != nil {
			return nil, fmt.Errorf("open event log: %w", err)
		}
		l.srv, l.clientURL = srv, clientURL
	} else {
		l.clientURL = cfg.URL
	}

	if err := l.connect(ctx); err != nil {
		l.shutdownServer()
		return nil, fmt.Errorf("open event log: %w", err)
	}
	if err := l.setupStream(ctx); err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("open event log: %w", err)
	}
	l.logger.Info("event log open",
		"embedded", l.srv != nil,
		"server", l.serverDesc(),
		"stream", cfg.StreamName,
		"replicas", cfg.Replicas,
		"sync_always", cfg.SyncAlways && l.srv != nil)
	return l, nil
}

// serverDesc names the server for logs and errors, without credentials.
func (l *Log) serverDesc() string {
	if l.srv == nil {
		return redactURLs(l.cfg.URL)
	}
	if l.clientURL == "" {
		return "embedded (in-process)"
	}
	return "embedded at " + l.clientURL
}

// JetStream API error codes that the HTTP-like status alone misclassifies.
const (
	// "no suitable peers for placement": a 400 that a cluster also gives
	// while it has not yet heard from all its members.
	errCodeNoPeers jetstream.ErrorCode = 10005
	// "replicas > 1 not supported in non-clustered mode": a 500 that no
	// amount of waiting fixes.
	errCodeReplicasNotSupported jetstream.ErrorCode = 10074
)

// transient reports whether a JetStream API error may go away by itself.
func transient(e *jetstream.APIError) bool {
	switch e.ErrorCode {
	case errCodeNoPeers:
		return true
	case errCodeReplicasNotSupported:
		return false
	}
	return e.Code < 400 || e.Code >= 500
}

// setupStream creates or updates the stream. Right after a cluster starts, its
// JetStream may refuse requests or lack peers for a moment, so such failures
// are retried until streamSetupTimeout; a configuration the server rejects
// fails at once with EINVALID.
func (l *Log) setupStream(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, streamSetupTimeout)
	defer cancel()
	sc := jetstream.StreamConfig{
		Name:        l.cfg.StreamName,
		Description: "Lantern event log",
		Subjects:    l.cfg.Subjects,
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    l.cfg.Replicas,
		Duplicates:  l.cfg.DuplicateWindow,
		Compression: jetstream.S2Compression,
	}
	wait := 50 * time.Millisecond
	for {
		// A request made while the cluster elects its leader can go
		// unanswered, and two processes creating the stream at once can
		// leave both unanswered: each attempt is bounded, and one that fails
		// looks for the stream the other made.
		actx, acancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := l.js.CreateOrUpdateStream(actx, sc)
		if err != nil {
			if st, ferr := l.js.Stream(actx, sc.Name); ferr == nil && sameStream(st.CachedInfo().Config, sc) {
				err = nil
			}
		}
		acancel()
		if err == nil {
			return nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && !transient(apiErr) {
			return fmt.Errorf("create stream %s: %w", l.cfg.StreamName,
				codeError(lantern.EINVALID, err, "the event log server rejected stream %s: %s", l.cfg.StreamName, apiErr.Description))
		}
		l.logger.Debug("stream not ready yet, retrying", "stream", l.cfg.StreamName, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("create stream %s: %w", l.cfg.StreamName,
				codeError(lantern.EUNAVAILABLE, err, "the event log at %s did not create stream %s", l.serverDesc(), l.cfg.StreamName))
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// sameStream reports whether an existing stream is the one setupStream
// would make: the same subjects, storage, replicas and duplicate window.
func sameStream(have, want jetstream.StreamConfig) bool {
	return slices.Equal(have.Subjects, want.Subjects) && have.Storage == want.Storage &&
		have.Replicas == want.Replicas && have.Duplicates == want.Duplicates
}

// KeyValue opens the key-value bucket of the given name in the log's
// JetStream, creating it (file storage, the stream's replica count) if it
// does not exist. Like the stream, it retries while a cluster settles, for
// up to about 20 seconds.
func (l *Log) KeyValue(ctx context.Context, bucket, description string) (jetstream.KeyValue, error) {
	ctx, cancel := context.WithTimeout(ctx, streamSetupTimeout)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		// Two clients creating one bucket on a cluster at once can leave
		// both requests unanswered: each attempt is bounded, and an attempt
		// that fails looks for the bucket the other client made.
		actx, acancel := context.WithTimeout(ctx, 3*time.Second)
		kv, err := l.js.CreateOrUpdateKeyValue(actx, jetstream.KeyValueConfig{
			Bucket: bucket, Description: description, Storage: jetstream.FileStorage, Replicas: l.cfg.Replicas,
		})
		if err != nil {
			if found, ferr := l.js.KeyValue(actx, bucket); ferr == nil {
				kv, err = found, nil
			}
		}
		acancel()
		if err == nil {
			return kv, nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && !transient(apiErr) {
			return nil, codeError(lantern.EINVALID, err, "the event log server rejected bucket %s: %s", bucket, apiErr.Description)
		}
		l.logger.Debug("bucket not ready yet, retrying", "bucket", bucket, "err", err)
		select {
		case <-ctx.Done():
			return nil, codeError(lantern.EUNAVAILABLE, err, "the event log at %s did not create bucket %s", l.serverDesc(), bucket)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Ready reports whether the connection is up and the stream answers; it
// returns EUNAVAILABLE if not. It is meant for readiness probes.
func (l *Log) Ready(ctx context.Context) error {
	if st := l.nc.Status(); st != natsgo.CONNECTED {
		return lantern.Errorf(lantern.EUNAVAILABLE, "event log connection is %s", strings.ToLower(st.String()))
	}
	if _, err := l.js.Stream(ctx, l.cfg.StreamName); err != nil {
		return fmt.Errorf("event log ready: %w",
			codeError(lantern.EUNAVAILABLE, err, "event log stream %s does not answer", l.cfg.StreamName))
	}
	return nil
}

// Close drains the connection (waiting at most about 5 seconds for
// outstanding work) and then shuts the embedded server down, waiting until it
// has stopped. It is idempotent: later calls return the first call's result.
func (l *Log) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.close() })
	return l.closeErr
}

func (l *Log) close() error {
	var errs []error
	if err := l.nc.Drain(); err != nil && !errors.Is(err, natsgo.ErrConnectionClosed) {
		errs = append(errs, fmt.Errorf("drain event log connection: %w", err))
		l.nc.Close()
	}
	select {
	case <-l.connClosed:
	case <-time.After(drainTimeout + time.Second):
		// The drain timeout should already have closed the connection.
		l.nc.Close()
	}
	l.shutdownServer()
	l.logger.Info("event log closed")
	if len(errs) > 0 {
		return fmt.Errorf("close event log: %w", errors.Join(errs...))
	}
	return nil
}

// shutdownServer stops the embedded server, if any, and waits for it.
func (l *Log) shutdownServer() {
	if l.srv == nil {
		return
	}
	l.srv.Shutdown()
	l.srv.WaitForShutdown()
}

// JetStream returns the JetStream API of the log's connection, for consumers
// that read the stream. It stays valid until Close.
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// Replicas returns the stream's replica count.
func (l *Log) Replicas() int { return l.cfg.Replicas }

// Stream returns the name of the log's stream.
func (l *Log) Stream() string { return l.cfg.StreamName }

// ClientURL returns the URL another client can connect to: for an embedded
// server with a listener, its actual nats://127.0.0.1:PORT (the loopback
// address when it listens on all interfaces); for an external server, the
// configured URL, which may hold credentials and must not be logged; and ""
// for an embedded server without a listener.
func (l *Log) ClientURL() string { return l.clientURL }
