package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/ingest"
	"lantern/intake"
	"lantern/monitor"
	"lantern/quality"
	"lantern/sim"
	"lantern/web"
)

func evalSettings() []setting {
	var s []setting
	for _, base := range append(detectionSettings()[:1], systemSettings()...) {
		switch base.Name {
		case "data-dir":
			base.Default = ""
			base.Usage = "directory to run in; empty means a fresh temporary directory, removed afterwards"
			base.Check = nil
		}
		s = append(s, base)
	}
	return append([]setting{
		{Name: "format", Default: "text", Usage: "text or json (one object)", Check: checkOneOf("text", "json")},
	}, s...)
}

// runEval scores detection on a force with known truth: it loads DIR (the
// intake formats, with truth.jsonl) through intake into a fresh data
// directory, runs detection over it exactly as serve does, and reports
// recall, precision at k, time to detect and false alerts, overall and per
// pattern, beside a plain threshold baseline.
func runEval(ctx context.Context, e *env, args []string) error {
	cfg, _, dirs, err := loadConfig("eval", args, e.getenv, e.stderr, evalSettings())
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usageErrorf("eval needs exactly one DIR: a force in the intake formats with truth.jsonl")
	}
	force := dirs[0]
	truth, err := sim.ReadTruth(filepath.Join(force, "truth.jsonl"))
	if err != nil {
		return usageErrorf("%s: %v", force, err)
	}
	staff, err := countStaff(filepath.Join(force, "staff.jsonl"))
	if err != nil {
		return usageErrorf("%s: %v", force, err)
	}
	baseline, err := quality.BaselineRules()
	if err != nil {
		return err
	}
	if cfg.str("data-dir") == "" {
		tmp, err := os.MkdirTemp("", "lantern-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		v := cfg.values["data-dir"]
		v.Value = tmp
		cfg.values["data-dir"] = v
	}
	cfg.values["partitions"] = configValue{setting: setting{Name: "partitions"}, Value: "all", Source: fromDefault}
	progress := e.stderr
	logger := newLogger(cfg, io.Discard)

	dir, err := openDataDir(cfg, true)
	if err != nil {
		return err
	}
	defer dir.Close()
	sys, err := openSystem(ctx, cfg, dir, logger)
	if err != nil {
		return err
	}
	defer sys.Close()
	jobs, err := planIngest("", []string{force})
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(progress, "eval: loading %s through intake …\n", force)
	var first, last time.Time
	ld := intakeLoader(sys.intake, nil, func(j ingestJob) string { return filepath.Base(j.path) })
	total, err := ld.load(ctx, e, jobs, func(s *intake.Summary) {
		if s.Kind == string(ingest.KindAccess) || s.Kind == string(ingest.KindComms) {
			if first.IsZero() || !s.FirstTime.IsZero() && s.FirstTime.Before(first) {
				first = s.FirstTime
			}
			if s.LastTime.After(last) {
				last = s.LastTime
			}
		}
	})
	if err != nil {
		return err
	}
	if total.Rejected > 0 {
		fmt.Fprintf(progress, "eval: %d rows were quarantined; scoring what was accepted\n", total.Rejected)
	}
	loaded := time.Since(start)

	fmt.Fprintln(progress, "eval: detecting …")
	start = time.Now()
	det, err := startDetection(ctx, cfg, sys, logger, nil)
	if err != nil {
		return err
	}
	base := &memorySink{alerts: map[string]detect.Alert{}}
	bm, err := monitor.New(monitor.Config{Log: sys.log, Phones: sys.keys.phones, Rules: baseline, Sink: base, Logger: logger})
	if err != nil {
		det.Close()
		return err
	}
	bctx, stopBase := context.WithCancel(ctx)
	baseDone := make(chan error, 1)
	go func() { baseDone <- bm.Run(bctx) }()
	waitErr := errors.Join(det.monitor.WaitIdle(ctx), bm.WaitIdle(ctx))
	stopBase()
	waitErr = errors.Join(waitErr, <-baseDone, det.Close())
	if waitErr != nil {
		return waitErr
	}
	detected := time.Since(start)

	in, err := evalInput(ctx, sys.store, truth, staff, first, last)
	if err != nil {
		return err
	}
	rep := quality.Score(in)
	bin := quality.Input{Truth: truth, Staff: staff, From: first, To: last}
	brisk := detect.NewRisk(web.RiskHalfLife)
	for _, a := range base.alerts {
		bin.Alerts = append(bin.Alerts, quality.Alert{StaffID: a.StaffID, Rule: a.Rule, FirstEvidence: a.FirstEvidence, EvidenceIDs: a.EvidenceIDs, Signal: a.Signal})
		brisk.Add(a)
	}
	for _, sr := range brisk.Ranked(0) {
		bin.Ranking = append(bin.Ranking, quality.Ranked{StaffID: sr.StaffID, Score: sr.Score})
	}
	brep := quality.Score(bin)
	rep.Baseline = &brep
	fmt.Fprintf(progress, "eval: loaded %d records in %s, detected in %s\n", total.Accepted, loaded.Round(time.Second), detected.Round(time.Second))
	if cfg.str("format") == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(e.stdout)
	return nil
}

// evalInput reads the stored alerts and signals and ranks staff by risk, as
// the API would.
func evalInput(ctx context.Context, st lantern.Store, truth []sim.Truth, staff int, from, to time.Time) (quality.Input, error) {
	in := quality.Input{Truth: truth, Staff: staff, From: from, To: to}
	f := lantern.AlertFilter{Limit: 1000}
	for {
		page, _, err := st.FindAlerts(ctx, f)
		if err != nil {
			return in, err
		}
		for _, a := range page {
			in.Alerts = append(in.Alerts, quality.Alert{StaffID: a.StaffID, Rule: a.Rule, FirstEvidence: a.FirstEvidence, EvidenceIDs: a.EvidenceIDs, Signal: a.Signal})
		}
		if len(page) < f.Limit {
			break
		}
		f.Offset += len(page)
	}
	scores, err := st.AlertScores(ctx)
	if err != nil {
		return in, err
	}
	for _, sr := range detect.RiskOf(scores, web.RiskHalfLife).Ranked(0) {
		in.Ranking = append(in.Ranking, quality.Ranked{StaffID: sr.StaffID, Score: sr.Score})
	}
	return in, nil
}

// countStaff counts the distinct members of staff in a staff file.
func countStaff(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lr, err := ingest.NewLineReader(f)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for {
		line, _, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return len(seen), nil
		}
		if err != nil {
			return 0, err
		}
		var s struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(line, &s) == nil && s.ID != "" {
			seen[s.ID] = true
		}
	}
}

// memorySink keeps alerts in memory: the baseline's, which are not stored.
type memorySink struct {
	mu     sync.Mutex
	alerts map[string]detect.Alert
}

func (s *memorySink) SaveAlerts(_ context.Context, as []detect.Alert, _ uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		s.alerts[a.ID] = a
	}
	return nil
}
