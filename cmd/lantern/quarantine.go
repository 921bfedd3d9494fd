package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"lantern"
	"lantern/ingest"
	"lantern/intake"
)

func quarantineSettings() []setting {
	return append([]setting{
		{Name: "state", Default: lantern.RejectionOpen, Usage: "rows in this state: open, retried, resolved or all", Check: checkOneOf("open", "retried", "resolved", "all")},
		{Name: "kind", Usage: "only rows of this kind"},
		{Name: "source", Usage: "only rows from this source (file name, or api:NAME)"},
		{Name: "ids", Usage: "only these rows: comma-separated ids"},
		{Name: "limit", Default: "0", Usage: "list at most this many rows (0: all)", Check: checkIntRange(0, 1<<30)},
		{Name: "format", Default: "text", Usage: "list as text or jsonl", Check: checkOneOf("text", "jsonl")},
		{Name: "out", Usage: "export: write to this file (mode 0600) instead of standard output"},
	}, systemSettings()...)
}

// runQuarantine works with the rows intake rejected:
// list, export (the raw rows, for repair), retry (send them through intake
// again) and resolve (close them without retry).
func runQuarantine(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("quarantine needs a subcommand: list, export, retry or resolve")
	}
	sub := args[0]
	if sub != "list" && sub != "export" && sub != "retry" && sub != "resolve" {
		return usageErrorf("unknown quarantine subcommand %q: use list, export, retry or resolve", sub)
	}
	cfg, _, rest, err := loadConfig("quarantine "+sub, args[1:], e.getenv, e.stderr, quarantineSettings())
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("quarantine %s takes flags only, got %q", sub, rest[0])
	}
	ids, err := parseIDs(cfg.str("ids"))
	if err != nil {
		return cfg.settingError("ids", err)
	}
	if sub == "resolve" && len(ids) == 0 {
		return usageErrorf("quarantine resolve needs --ids")
	}
	dir, err := openDataDir(cfg, sub == "retry")
	if err != nil {
		return err
	}
	defer dir.Close()

	if sub == "retry" {
		sys, err := openSystem(ctx, cfg, dir, newLogger(cfg, e.stderr))
		if err != nil {
			return err
		}
		defer sys.Close()
		rows, err := findRejections(ctx, cfg, sys.store, ids)
		if err != nil {
			return err
		}
		return retryRejections(ctx, e, sys, rows)
	}
	st, _, err := openStore(ctx, cfg, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := findRejections(ctx, cfg, st, ids)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return listRejections(e.stdout, rows, cfg.str("format"))
	case "resolve":
		if err := st.SetRejectionState(ctx, lantern.RejectionResolved, time.Now().UTC(), ids...); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d rows marked resolved\n", len(ids))
		return nil
	}
	k, err := loadKeys(cfg, dir)
	if err != nil {
		return err
	}
	return exportRejections(cfg, e.stdout, k.sealer, rows)
}

func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a row id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// findRejections returns the rows the flags select, in id order.
func findRejections(ctx context.Context, cfg *config, st lantern.Store, ids []int64) ([]*lantern.Rejection, error) {
	var f lantern.RejectionFilter
	if s := cfg.str("state"); s != "all" {
		f.State = &s
	}
	if k := cfg.str("kind"); k != "" {
		f.Kind = &k
	}
	if s := cfg.str("source"); s != "" {
		f.Source = &s
	}
	if len(ids) > 0 {
		var out []*lantern.Rejection
		for _, id := range ids {
			f.ID = &id
			rows, _, err := st.FindRejections(ctx, f)
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				return nil, lantern.Errorf(lantern.ENOTFOUND, "no quarantined row %d matches", id)
			}
			out = append(out, rows...)
		}
		return out, nil
	}
	f.Limit = cfg.integer("limit")
	rows, _, err := st.FindRejections(ctx, f)
	return rows, err
}

func listRejections(w io.Writer, rows []*lantern.Rejection, format string) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range rows {
		field := r.Field
		if field == "" {
			field = "-"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s line %d\t%s\t%s: %s\n", r.ID, r.ReceivedAt.Format(time.RFC3339), r.State, r.Source, r.Line, r.Kind, field, r.Reason)
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "no quarantined rows match")
	}
	return nil
}

// exportRejections writes the rows as they were received, one per line, so
// they can be repaired and sent again. The rows may hold personal data: the
// output file is created with mode 0600.
func exportRejections(cfg *config, stdout io.Writer, sealer *intake.Sealer, rows []*lantern.Rejection) error {
	w := stdout
	if out := cfg.str("out"); out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return cfg.settingError("out", err)
		}
		defer f.Close()
		w = f
	}
	for _, r := range rows {
		raw, err := sealer.Open(r.Raw, intake.SealAD(r.Kind, r.Source))
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		if _, err := fmt.Fprintf(w, "%s\n", bytes.TrimRight(raw, "\n")); err != nil {
			return err
		}
	}
	return nil
}

// retryRejections sends quarantined rows through intake again. Rows accepted
// (or found to be duplicates of records accepted since) are marked retried;
// the rest stay open with their new reason printed.
func retryRejections(ctx context.Context, e *env, sys *system, rows []*lantern.Rejection) error {
	var retried []int64
	failed := 0
	for _, r := range rows {
		raw, err := sys.keys.sealer.Open(r.Raw, intake.SealAD(r.Kind, r.Source))
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		kind, err := ingest.ParseKind(r.Kind)
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		inp := intake.Input{Source: r.Source, Kind: kind, Reader: bytes.NewReader(raw), NoQuarantine: true}
		if name, ok := strings.CutPrefix(r.Format, "csv:"); ok {
			if inp.Profile, err = loadProfile(name); err != nil {
				return fmt.Errorf("row %d: profile %s: %w", r.ID, name, err)
			}
		}
		sum, err := sys.intake.Submit(ctx, inp)
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		if sum.Rejected == 0 {
			retried = append(retried, r.ID)
			continue
		}
		failed++
		for _, le := range sum.Errors {
			fmt.Fprintf(e.stdout, "row %d still rejected: %s: %s\n", r.ID, le.Field, le.Reason)
		}
	}
	if len(retried) > 0 {
		if err := sys.store.SetRejectionState(ctx, lantern.RejectionRetried, time.Now().UTC(), retried...); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "retried: %d accepted, %d still rejected\n", len(retried), failed)
	return nil
}
