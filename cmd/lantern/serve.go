package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"lantern"
	"lantern/intel"
	"lantern/referral"
	"lantern/report"
	"lantern/screening"
	"lantern/web"
)

func serveSettings() []setting {
	return append([]setting{
		{Name: "http", Default: "127.0.0.1:8080", Usage: "address for the web UI, API, health and metrics", Check: checkNotEmpty},
		{Name: "shutdown-timeout", Default: "4s", Usage: "how long to let requests finish on SIGINT/SIGTERM", Check: checkDuration},
	}, append(append(append(append(detectionSettings(), authSettings()...), workspaceSettings()...), reportSettings()...), systemSettings()...)...)
}

// runServe starts the whole system and serves until ctx is cancelled. The HTTP
// listener comes up first, so /healthz answers at once while the store and
// event log open; /readyz turns 200 when both are ready.
func runServe(ctx context.Context, e *env, args []string) error {
	cfg, flags, rest, err := loadConfig("serve", args, e.getenv, e.stderr, serveSettings(), "print-config")
	if err != nil {
		return err
	}
	useChildPDFStripper()
	if len(rest) > 0 {
		return usageErrorf("serve takes no arguments, got %q", rest[0])
	}
	if flags["print-config"] {
		cfg.print(e.stdout)
		return nil
	}
	logger := newLogger(cfg, e.stderr)
	dir, err := openDataDir(cfg, true)
	if err != nil {
		return err
	}
	defer dir.Close()

	// The store and event log open first: quick, and where a bad setting
	// shows as one clear message. Intake's replay of the log may take
	// longer, so HTTP is up by then and /readyz says it is not ready yet.
	sys, err := openParts(ctx, cfg, dir, logger)
	if err != nil {
		return err
	}
	defer func() {
		if sys != nil {
			sys.Close()
		}
	}()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lantern_build_info", Help: "Always 1; the version label says which build is running.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	reg.MustRegister(build)
	srv, err := web.NewServer(web.Config{Logger: logger, Registry: reg, Version: version, OIDCName: cfg.str("oidc-name")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.str("http"))
	if err != nil {
		return cfg.settingError("http", fmt.Errorf("cannot listen: %w", errors.Unwrap(err)))
	}
	logger.Info("http listening", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.duration("shutdown-timeout"))
		defer cancel()
		return srv.Shutdown(sctx)
	}
	if err := sys.startIntake(ctx, dir, logger, reg); err != nil {
		stop()
		return err
	}
	det, err := startDetection(ctx, cfg, sys, logger, reg)
	if err != nil {
		stop()
		return err
	}
	closeDetection := sync.OnceValue(det.Close)
	defer closeDetection()
	rctx, stopRetention := context.WithCancel(ctx)
	defer stopRetention()
	if cfg.str("event-retention") != "" {
		go retention(rctx, sys, cfg.longDuration("event-retention"), logger.With("component", "retention"))
	}
	rp, err := startReporting(cfg, sys, logger, reg)
	if err != nil {
		stop()
		return err
	}
	sealClearIntel(ctx, sys, rp.Intel, logger)
	am, ws, err := openWorkspace(cfg, dir, sys, det, rp.Intel.WithoutText(), logger, keyringHook{rp.Keyring, sealWaiting(sys, rp.Intel, logger)})
	if err != nil {
		stop()
		return err
	}
	reportServed := make(chan error, 1)
	go func() { reportServed <- rp.serve() }()
	stopReporting := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.duration("shutdown-timeout"))
		defer cancel()
		return rp.Shutdown(sctx)
	}
	refs, err := referral.NewService(referral.Config{Store: report.WithSealedIntel(sys.store, rp.Intel), Audit: sys.store, PartnerOf: referral.OrganisationOf(sys.store),
		Notifier: rp.Referrals})
	if err != nil {
		stop()
		stopReporting()
		return err
	}
	il, err := intel.NewService(intel.Config{Store: rp.Intel, Audit: sys.store, Staff: sys.store,
		Proposers: map[string]func(context.Context, string) ([]intel.Proposal, error){
			lantern.IntelFromReferral:  referral.Proposer(sys.store, sys.store, forceNames(cfg)...),
			lantern.IntelFromScreening: screening.Proposer(sys.store),
		},
		Named: map[string]func(context.Context, string) (string, error){lantern.IntelFromScreening: screening.Named(sys.store)},
	})
	if err != nil {
		stop()
		stopReporting()
		return err
	}
	srv.Attach(web.Services{Checks: sys.checks(), Intake: sys.intake, Sources: sys.store, Alerts: sys.store, IntelLog: sys.store, Rules: det,
		Auth: am, Workspace: ws, Audit: sys.store, Reports: rp.Service, Referrals: refs, Intel: il})
	logger.Info("lantern ready", "version", version, "store", sys.storeKind, "event_log", sys.logKind, "data_dir", dir.path)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
wait:
	for {
		select {
		case <-ctx.Done():
			logger.Info("shutting down")
			break wait
		case <-hup:
			det.Reload() // a failure is logged and leaves the running rules in place
		case <-det.Stopped():
			stopReporting()
			stop()
			return fmt.Errorf("detection stopped: %w", det.Err())
		case err = <-served:
			stopReporting()
			return fmt.Errorf("http server stopped: %w", err)
		case err = <-reportServed:
			if err != nil {
				stop()
				return fmt.Errorf("reporting channel stopped: %w", err)
			}
		}
	}
	start := time.Now()
	// Stop HTTP first so no request is cut off mid-intake, then detection,
	// intake, the event log and the store.
	stopRetention()
	err = errors.Join(stopReporting(), stop(), closeDetection(), sys.Close())
	sys = nil
	logger.Info("stopped", "took", time.Since(start).Round(time.Millisecond).String())
	return err
}
