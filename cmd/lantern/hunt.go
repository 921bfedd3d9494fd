package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"lantern/detect"
	"lantern/intake"
)

func huntSettings() []setting {
	return append([]setting{
		{Name: "rule", Usage: "the rule to run (required; 'lantern rules list' names them)"},
		{Name: "rules", Usage: "directory of rule files to take the rule from; empty means the built-in library"},
		{Name: "since", Usage: "how far back to look: 90d, 2y, 36h; empty means all retained history", Check: checkLongDuration},
		{Name: "staff", Usage: "report only alerts about this member of staff"},
		{Name: "format", Default: "text", Usage: "text or jsonl", Check: checkOneOf("text", "jsonl")},
	}, systemSettings()...)
}

// runHunt runs one rule over the history retained in the event log: every
// reference record, and the events since the given time, judged as live
// detection would have judged them, with the alerts printed rather than
// stored.
func runHunt(ctx context.Context, e *env, args []string) error {
	cfg, _, rest, err := loadConfig("hunt", args, e.getenv, e.stderr, huntSettings())
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("hunt takes flags only, got %q", rest[0])
	}
	name := cfg.str("rule")
	if name == "" {
		return cfg.settingError("rule", fmt.Errorf("is required"))
	}
	src := rulesSource{dir: cfg.str("rules")}
	set, err := src.load()
	if err != nil {
		return loadFailure(e, src, err)
	}
	if set.Rule(name) == nil {
		var names []string
		for _, r := range set.Rules() {
			names = append(names, r.Name)
		}
		return cfg.settingError("rule", fmt.Errorf("%s has no rule %q (it has %s)", src, name, strings.Join(names, ", ")))
	}
	var from time.Time
	if cfg.str("since") != "" {
		from = time.Now().UTC().Add(-cfg.longDuration("since"))
	}
	dir, err := openDataDir(cfg, cfg.str("nats") == "")
	if err != nil {
		return err
	}
	defer dir.Close()
	sys, err := openParts(ctx, cfg, dir, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer sys.Close()

	h := hunter{rule: name, staff: cfg.str("staff"), from: from, engine: detect.NewEngine(detect.NewWorld(), set), found: map[string]detect.Alert{}}
	start := time.Now()
	if _, err := intake.ReadLog(ctx, sys.log, sys.keys.phones, 1, h.apply); err != nil {
		return err
	}
	alerts := h.alerts()
	if cfg.str("format") == "jsonl" {
		return writeAlertsJSONL(e.stdout, alerts)
	}
	writeAlertTable(e.stdout, alerts)
	fmt.Fprintf(e.stdout, "%s over %d events (%d reference records) in %s: %d alert(s)\n",
		name, h.events, h.reference, time.Since(start).Round(time.Millisecond), len(alerts))
	return nil
}

// hunter applies log records to an engine and keeps one rule's alerts.
type hunter struct {
	rule, staff       string
	from              time.Time
	engine            *detect.Engine
	found             map[string]detect.Alert
	events, reference int
}

func (h *hunter) apply(lr intake.LogRecord) error {
	r := lr.Record
	if r.Access == nil && r.Comms == nil {
		h.reference++
		h.engine.Apply(r)
		return nil
	}
	if r.Time.Before(h.from) {
		return nil
	}
	h.events++
	for _, a := range h.engine.Apply(r) {
		if a.Rule == h.rule && (h.staff == "" || a.StaffID == h.staff) {
			h.found[a.ID] = a
		}
	}
	return nil
}

// alerts returns what was found, in order of first evidence.
func (h *hunter) alerts() []detect.Alert {
	out := make([]detect.Alert, 0, len(h.found))
	for _, a := range h.found {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b detect.Alert) int {
		if c := a.FirstEvidence.Compare(b.FirstEvidence); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// alertLine is the JSON form of an alert in exports: one object per line.
type alertLine struct {
	ID            string    `json:"id"`
	Rule          string    `json:"rule"`
	StaffID       string    `json:"staff_id"`
	Key           string    `json:"key,omitempty"`
	Severity      string    `json:"severity"`
	Signal        bool      `json:"signal,omitempty"`
	Score         float64   `json:"score"`
	FirstEvidence time.Time `json:"first_evidence"`
	LastEvidence  time.Time `json:"last_evidence"`
	EvidenceIDs   []string  `json:"evidence_ids"`
	Matches       int       `json:"matches"`
	Explanation   string    `json:"explanation"`
	State         string    `json:"state,omitempty"`
	StateReason   string    `json:"state_reason,omitempty"`
}

func detectAlertLine(a detect.Alert) alertLine {
	return alertLine{ID: a.ID, Rule: a.Rule, StaffID: a.StaffID, Key: a.Key, Severity: a.Severity,
		Score: a.Score, FirstEvidence: a.FirstEvidence, LastEvidence: a.LastEvidence, EvidenceIDs: a.EvidenceIDs,
		Matches: a.Matches, Explanation: a.Explanation}
}

func writeAlertsJSONL(w io.Writer, alerts []detect.Alert) error {
	enc := json.NewEncoder(w)
	for _, a := range alerts {
		if err := enc.Encode(detectAlertLine(a)); err != nil {
			return err
		}
	}
	return nil
}

func writeAlertTable(w io.Writer, alerts []detect.Alert) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALERT\tSTAFF\tKEY\tSCORE\tFIRST EVIDENCE\tLAST EVIDENCE\tEVENTS")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3g\t%s\t%s\t%d\n", a.ID, a.StaffID, a.Key, a.Score,
			a.FirstEvidence.Format(time.RFC3339), a.LastEvidence.Format(time.RFC3339), len(a.EvidenceIDs))
	}
	tw.Flush()
}
