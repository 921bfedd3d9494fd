package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/channel"
	"lantern/report"
)

// reportSettings are the settings of the confidential reporting channel.
func reportSettings() []setting {
	return []setting{
		{Name: "report-http", Usage: "address for the confidential reporting channel, on a listener of its own; empty means the channel is off"},
		{Name: "report-prefix", Default: "/report", Usage: "path the reporting channel is served under on its listener", Check: checkPrefix},
		{Name: "report-client-header", Usage: "header a trusted reverse proxy sets to the client's address (such as X-Forwarded-For), used only for the in-memory limit on wrong receipts; empty uses the connection's address"},
		{Name: "report-receipt-time", Default: "1s", Usage: "least time every receipt check takes, so right and wrong receipts cannot be told apart by timing", Check: checkDuration},
		{Name: "report-notify-smtp", Usage: "SMTP relay (host:port) for the notice that something new arrived; empty sends no e-mail"},
		{Name: "report-notify-from", Default: "lantern@localhost", Usage: "sender of the notice e-mail"},
		{Name: "report-notify-to", Usage: "comma-separated addresses that receive the notice (it says only that something new arrived)"},
	}
}

func checkPrefix(v string) error {
	if v != "" && (!strings.HasPrefix(v, "/") || strings.ContainsAny(v, " ?#{}")) {
		return errors.New("must be empty or a path such as /report")
	}
	return nil
}

// reporting is the running reporting channel: its core, for the workspace
// to use, the intelligence log sealed under the same keys, and its own
// HTTP server.
type reporting struct {
	Service *report.Service
	Keyring *report.Keyring
	Intel   *report.SealedIntel
	// Referrals tells the unit that a partner sent something new, as the
	// channel's notices do for reports.
	Referrals report.Notifier
	srv       *http.Server
	ln        net.Listener
}

// reportsArrived counts notices, for the unit's dashboards: a count is all
// that leaves the system.
type reportsArrived struct{ c prometheus.Counter }

func (r reportsArrived) Arrived(context.Context) { r.c.Inc() }

// notice is the fixed wording of one kind of arrival notice; empty log,
// subject and mail mean the reporting channel's.
type notice struct{ metric, help, log, subject, mail string }

// newNotifiers returns the notifiers of one kind of arrival: a counter on
// the metrics page, a fixed log line and, with report-notify-smtp, a fixed
// e-mail. None carries anything about what arrived.
func newNotifiers(cfg *config, logger *slog.Logger, reg prometheus.Registerer, n notice) (report.Notifiers, error) {
	arrived := prometheus.NewCounter(prometheus.CounterOpts{Name: n.metric, Help: n.help})
	if reg != nil {
		if err := reg.Register(arrived); err != nil {
			return nil, err
		}
	}
	notifiers := report.Notifiers{reportsArrived{arrived}, report.LogNotifier{Logger: logger, Message: n.log}}
	if relay := cfg.str("report-notify-smtp"); relay != "" {
		var to []string
		for _, a := range strings.Split(cfg.str("report-notify-to"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				to = append(to, a)
			}
		}
		if len(to) == 0 {
			return nil, cfg.settingError("report-notify-to", errors.New("is needed with --report-notify-smtp"))
		}
		notifiers = append(notifiers, &report.MailNotifier{Addr: relay, From: cfg.str("report-notify-from"), To: to, Logger: logger,
			Subject: n.subject, Notice: n.mail})
	}
	return notifiers, nil
}

// startReporting builds the channel's core over the store and, when
// report-http is set, serves its pages on their own listener. The audit
// trail is the store's, once the store keeps one; until then the unit-side
// operations refuse to run.
func startReporting(cfg *config, sys *system, logger *slog.Logger, reg prometheus.Registerer) (*reporting, error) {
	logger = logger.With("component", "reporting")
	audit, _ := sys.store.(lantern.AuditService)
	rp := &reporting{}
	var err error
	if rp.Keyring, rp.Intel, err = sys.sealedIntel(logger); err != nil {
		return nil, err
	}
	receipts, err := report.NewReceipts(sys.keys.receipts)
	if err != nil {
		return nil, err
	}
	notifiers, err := newNotifiers(cfg, logger, reg, notice{metric: "lantern_reports_arrived_total",
		help: "New reports and reporters' answers received on the reporting channel since start."})
	if err != nil {
		return nil, err
	}
	if rp.Referrals, err = newNotifiers(cfg, logger.With("component", "referrals"), reg, notice{metric: "lantern_referrals_arrived_total",
		help:    "New referrals and partners' messages received on the referral portal since start.",
		log:     "a new referral or partner message has arrived on the referral portal",
		subject: "Lantern: a new referral has arrived",
		mail:    "Something new has arrived on the partner referral portal. Sign in to Lantern to read it.\r\n"}); err != nil {
		return nil, err
	}
	rp.Service, err = report.NewService(report.Config{Store: report.WithSealedIntel(sys.store, rp.Intel), Keyring: rp.Keyring, Receipts: receipts, Audit: audit,
		Notifier: notifiers, ReceiptTime: cfg.duration("report-receipt-time"), Logger: logger})
	if err != nil {
		return nil, err
	}
	addr := cfg.str("report-http")
	if addr == "" {
		return rp, nil
	}
	h, err := channel.New(channel.Config{Service: rp.Service, Prefix: cfg.str("report-prefix"), FormKey: sys.keys.forms,
		ClientHeader: cfg.str("report-client-header"), Logger: logger})
	if err != nil {
		return nil, err
	}
	if rp.ln, err = net.Listen("tcp", addr); err != nil {
		return nil, cfg.settingError("report-http", fmt.Errorf("cannot listen: %w", errors.Unwrap(err)))
	}
	rp.srv = channel.NewServer(h, logger)
	logger.Info("reporting channel listening", "addr", rp.ln.Addr().String(), "prefix", cfg.str("report-prefix"))
	return rp, nil
}

// serve serves the channel's pages until Shutdown; it returns at once when
// the channel is off.
func (rp *reporting) serve() error {
	if rp.srv == nil {
		return nil
	}
	if err := rp.srv.Serve(rp.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops the channel's listener, letting requests finish.
func (rp *reporting) Shutdown(ctx context.Context) error {
	if rp == nil || rp.srv == nil {
		return nil
	}
	return rp.srv.Shutdown(ctx)
}

// sealedIntel returns the process's one keyring (the unit's key pairs,
// unlocked per session) and the intelligence log sealed under it, made on
// first use: intake seals screening findings with it, the reporting
// channel and the workspace read and write through it.
func (sys *system) sealedIntel(logger *slog.Logger) (*report.Keyring, *report.SealedIntel, error) {
	if sys.intel != nil {
		return sys.keyring, sys.intel, nil
	}
	audit, _ := sys.store.(lantern.AuditService)
	kr := report.NewKeyring(report.KeyringConfig{Store: sys.store, Audit: audit, Logger: logger.With("component", "keyring"), RoleOf: roleOf(sys.store)})
	in, err := report.NewSealedIntel(report.IntelConfig{Store: sys.store, Keyring: kr, Logger: logger.With("component", "intel")})
	if err != nil {
		return nil, nil, err
	}
	sys.keyring, sys.intel = kr, in
	return kr, in, nil
}

// screeningSealer seals the intelligence items the store records from
// screening findings as intake applies them, for the same recipients as
// every other item. Sealing needs public keys only, so it works in `lantern
// ingest` and before anyone has signed in.
func screeningSealer(sys *system, logger *slog.Logger) (func(context.Context) (lantern.IntelSeal, error), error) {
	_, in, err := sys.sealedIntel(logger)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (lantern.IntelSeal, error) {
		seal, err := in.Sealer(ctx)
		if err != nil {
			sys.clearIntel.Store(true) // intake records the items in clear
		}
		return seal, err
	}, nil
}

// sealClearIntel seals intelligence items recorded in clear: those from
// before the log was sealed, and screening findings intake recorded while
// no unit member held a key. It runs at start and, while such items wait
// (sys.clearIntel), after each password sign-in, which is when a first key
// pair is made. Until then the items wait; either way serving goes on.
func sealClearIntel(ctx context.Context, sys *system, in *report.SealedIntel, logger *slog.Logger) {
	sys.clearIntel.Store(false)
	n, err := in.SealClearItems(ctx)
	switch {
	case lantern.ErrorCode(err) == lantern.EUNAVAILABLE:
		sys.clearIntel.Store(true)
		logger.Warn("intelligence items recorded in clear stay so until a unit member holds a key", "sealed", n)
	case err != nil:
		sys.clearIntel.Store(true)
		logger.Error("intelligence items recorded in clear were not all sealed", "sealed", n, "error", err)
	case n > 0:
		logger.Info("intelligence items recorded in clear are now sealed", "sealed", n)
	}
}

// sealWaiting is the keyring hook's afterSignIn: while items wait in clear,
// a password sign-in (which makes a first key pair) is the moment to seal
// them.
func sealWaiting(sys *system, in *report.SealedIntel, logger *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		if sys.clearIntel.Load() {
			sealClearIntel(context.WithoutCancel(ctx), sys, in, logger)
		}
	}
}

// roleOf looks up a user's current role, so that a unit member signing in
// for the first time is given a key pair for reports.
func roleOf(users lantern.UserService) func(ctx context.Context, userID string) (lantern.UserRole, error) {
	return func(ctx context.Context, userID string) (lantern.UserRole, error) {
		u, err := users.FindUserByID(ctx, userID)
		if err != nil {
			return "", err
		}
		return u.Role, nil
	}
}

// keyringHook lets the report keyring follow sign-ins (unwrapping a user's
// private key for their session) and password changes (re-wrapping it). A
// user who holds no report key has nothing to re-wrap.
type keyringHook struct {
	*report.Keyring
	// afterSignIn, when set, runs after each password sign-in.
	afterSignIn func(ctx context.Context)
}

// SignedIn unlocks (or makes) the user's key pair, then runs afterSignIn.
func (h keyringHook) SignedIn(ctx context.Context, userID, sessionID, password string) {
	h.Keyring.SignedIn(ctx, userID, sessionID, password)
	if h.afterSignIn != nil && password != "" {
		h.afterSignIn(ctx)
	}
}

func (h keyringHook) ChangePassword(ctx context.Context, userID, oldPassword, newPassword string) error {
	err := h.Keyring.ChangePassword(ctx, userID, oldPassword, newPassword)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return nil
	}
	return err
}
