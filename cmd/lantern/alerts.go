package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/web"
	"lantern/workspace"
)

func alertsSettings() []setting {
	return append([]setting{
		{Name: "format", Default: "table", Usage: "table or jsonl (one alert per line)", Check: checkOneOf("table", "jsonl")},
		{Name: "rule", Usage: "only this rule's alerts"},
		{Name: "staff", Usage: "only alerts about this member of staff"},
		{Name: "state", Usage: "only alerts in these states, comma-separated: new, triaged, dismissed, escalated"},
		{Name: "signals", Default: "false", Usage: "true to list signals (findings that feed risk but are not in the queue) as well as alerts", Check: checkOneOf("true", "false")},
		{Name: "limit", Default: "0", Usage: "at most this many; 0 means all", Check: checkIntRange(0, 1<<30)},
	}, systemSettings()...)
}

// runAlerts lists the alerts stored in a data directory (or PostgreSQL),
// highest score first, for reading or for scoring by other tools.
func runAlerts(ctx context.Context, e *env, args []string) error {
	cfg, _, rest, err := loadConfig("alerts", args, e.getenv, e.stderr, alertsSettings())
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("alerts takes flags only, got %q", rest[0])
	}
	st, closeStore, err := openStoreOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	f := lantern.AlertFilter{}
	if v := cfg.str("rule"); v != "" {
		f.Rule = &v
	}
	if v := cfg.str("staff"); v != "" {
		f.StaffID = &v
	}
	if v := cfg.str("state"); v != "" {
		f.States = strings.Split(v, ",")
	}
	if cfg.str("signals") == "false" {
		no := false
		f.Signal = &no
	}
	want := cfg.integer("limit")
	var all []*lantern.Alert
	for {
		f.Offset, f.Limit = len(all), 1000
		if want > 0 {
			f.Limit = min(f.Limit, want-len(all))
		}
		page, _, err := st.FindAlerts(ctx, f)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(page) < f.Limit || want > 0 && len(all) >= want {
			break
		}
	}
	if cfg.str("format") == "jsonl" {
		enc := json.NewEncoder(e.stdout)
		for _, a := range all {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALERT\tRULE\tSTAFF\tKEY\tSCORE\tSTATE\tFIRST EVIDENCE\tLAST EVIDENCE")
	for _, a := range all {
		state := a.State
		if a.Signal {
			state = "signal"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3g\t%s\t%s\t%s\n", a.ID, a.Rule, a.StaffID, a.Key, a.Score, state,
			a.FirstEvidence.Format(time.RFC3339), a.LastEvidence.Format(time.RFC3339))
	}
	return tw.Flush()
}

func riskSettings() []setting {
	return append([]setting{
		{Name: "format", Default: "table", Usage: "table or jsonl (one member of staff per line)", Check: checkOneOf("table", "jsonl")},
		{Name: "limit", Default: "50", Usage: "how many of the highest-ranked staff; 0 means all", Check: checkIntRange(0, 1<<30)},
	}, systemSettings()...)
}

// riskLine is one member of staff in `lantern risk --format jsonl`.
type riskLine struct {
	Rank          int       `json:"rank"`
	StaffID       string    `json:"staff_id"`
	Score         float64   `json:"score"`
	At            time.Time `json:"at"`
	Rules         []string  `json:"rules"`          // the rules of the alerts and signals behind the score
	FirstEvidence time.Time `json:"first_evidence"` // the earliest first evidence among them
	EvidenceIDs   []string  `json:"evidence_ids"`   // their evidence, in order of the alerts' first evidence
	Explanation   string    `json:"explanation"`
	Top           any       `json:"top"`
}

// runRisk ranks the staff of a data directory by risk, as GET /api/v1/risk
// does: every alert and signal not dismissed and every graded intelligence
// item linked to staff, decaying in event time.
func runRisk(ctx context.Context, e *env, args []string) error {
	cfg, _, rest, err := loadConfig("risk", args, e.getenv, e.stderr, riskSettings())
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("risk takes flags only, got %q", rest[0])
	}
	st, closeStore, err := openStoreOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	scores, err := workspace.RiskScores(ctx, st, st)
	if err != nil {
		return err
	}
	ranked := detect.RiskOf(scores, web.RiskHalfLife).Ranked(cfg.integer("limit"))
	if cfg.str("format") == "table" {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tSTAFF\tSCORE\tLARGEST CONTRIBUTIONS")
		for i, sr := range ranked {
			var parts []string
			for _, c := range sr.Top {
				parts = append(parts, fmt.Sprintf("%s %.3g", c.Rule, c.Decayed))
			}
			fmt.Fprintf(tw, "%d\t%s\t%.3g\t%s\n", i+1, sr.StaffID, sr.Score, strings.Join(parts, ", "))
		}
		return tw.Flush()
	}
	enc := json.NewEncoder(e.stdout)
	for i, sr := range ranked {
		id := sr.StaffID
		alerts, _, err := st.FindAlerts(ctx, lantern.AlertFilter{StaffID: &id, Limit: 1000, Order: lantern.AlertOrderLatest})
		if err != nil {
			return err
		}
		line := riskLine{Rank: i + 1, StaffID: id, Score: sr.Score, At: sr.At, Explanation: sr.Explanation,
			Top: web.StaffRiskJSON(sr), Rules: []string{}, EvidenceIDs: []string{}}
		slices.SortFunc(alerts, func(a, b *lantern.Alert) int { return a.FirstEvidence.Compare(b.FirstEvidence) })
		for _, a := range alerts {
			if a.State == lantern.AlertDismissed {
				continue
			}
			if !slices.Contains(line.Rules, a.Rule) {
				line.Rules = append(line.Rules, a.Rule)
			}
			if line.FirstEvidence.IsZero() {
				line.FirstEvidence = a.FirstEvidence
			}
			for _, ev := range a.EvidenceIDs {
				if !slices.Contains(line.EvidenceIDs, ev) {
					line.EvidenceIDs = append(line.EvidenceIDs, ev)
				}
			}
		}
		for _, sc := range scores {
			if sc.StaffID == id && sc.Rule == workspace.IntelRule && !slices.Contains(line.Rules, sc.Rule) {
				line.Rules = append(line.Rules, sc.Rule)
			}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// openStoreOnly opens the store of a data directory without locking it, so
// that a running server's data can be read.
func openStoreOnly(ctx context.Context, cfg *config) (lantern.Store, func(), error) {
	dir, err := openDataDir(cfg, false)
	if err != nil {
		return nil, nil, err
	}
	st, _, err := openStore(ctx, cfg, dir)
	if err != nil {
		dir.Close()
		return nil, nil, err
	}
	return st, func() { st.Close(); dir.Close() }, nil
}
