package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"lantern/intake"
)

// runLog inspects the event log. "lantern log check" reads it end to end and
// reports its records by kind and any record stored twice (exit 1 if so).
func runLog(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usageErrorf("log needs a subcommand: check")
	}
	settings := append([]setting{{Name: "format", Default: "text", Usage: "text or json", Check: checkOneOf("text", "json")}}, systemSettings()...)
	cfg, _, rest, err := loadConfig("log check", args[1:], e.getenv, e.stderr, settings)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("log check takes flags only")
	}
	dir, err := openDataDir(cfg, true)
	if err != nil {
		return err
	}
	defer dir.Close()
	logger := newLogger(cfg, e.stderr)
	k, err := loadKeys(cfg, dir)
	if err != nil {
		return err
	}
	l, _, err := openLog(ctx, cfg, dir, logger)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := intake.CheckLog(ctx, l, k.phones)
	if err != nil {
		return err
	}
	if cfg.str("format") == "json" {
		if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		kinds := make([]string, 0, len(rep.ByKind))
		for k := range rep.ByKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		fmt.Fprintf(e.stdout, "event log: %d messages, %d records, %d stored twice\n", rep.Messages, rep.Records, rep.Duplicates)
		for _, k := range kinds {
			fmt.Fprintf(e.stdout, "  %-12s %d\n", k, rep.ByKind[k])
		}
	}
	if rep.Duplicates > 0 {
		return fmt.Errorf("%d records are stored more than once", rep.Duplicates)
	}
	return nil
}
