package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"lantern"
)

// runAudit checks and exports the audit trail of the workspace's use:
// lantern audit verify | export [--since T] [--format jsonl].
func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("audit needs a subcommand: verify or export")
	}
	sub, rest := args[0], args[1:]
	settings := systemSettings()
	switch sub {
	case "verify":
	case "export":
		settings = append([]setting{
			{Name: "since", Usage: "export entries from this time (RFC 3339, such as 2026-01-31T00:00:00Z); empty exports all", Check: checkOptionalTime},
			{Name: "format", Default: "jsonl", Usage: "output format: jsonl (one JSON entry a line, with its hashes)", Check: checkOneOf("jsonl")},
		}, settings...)
	default:
		return usageErrorf("unknown audit subcommand %q: use verify or export", sub)
	}
	cfg, _, names, err := loadConfig("audit "+sub, rest, e.getenv, e.stderr, settings)
	if err != nil {
		return err
	}
	if len(names) != 0 {
		return usageErrorf("audit %s takes no arguments", sub)
	}
	st, closeStore, err := openStoreOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	if sub == "export" {
		since, _ := time.Parse(time.RFC3339, cfg.str("since"))
		return exportAudit(ctx, e, st, since)
	}
	v, err := lantern.VerifyAudit(ctx, st, 1000)
	if err != nil {
		return err
	}
	if !v.OK() {
		recordCLI(e, st, "audit.verify", fmt.Sprintf("audit:%d", v.BrokenSeq), lantern.AuditFailed, v.Reason)
		return fmt.Errorf("the audit trail is broken at entry %d (%s): %s; %d entries before it are sound", v.BrokenSeq, v.Reason, v.Detail, v.Checked)
	}
	fmt.Fprintf(e.stdout, "audit trail sound: %d entries checked; last entry %d has hash %s\n", v.Checked, v.LastSeq, v.LastHash)
	return recordCLI(e, st, "audit.verify", "", lantern.AuditAllowed, fmt.Sprintf("%d entries sound", v.Checked))
}

func checkOptionalTime(v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-31T00:00:00Z", v)
	}
	return nil
}

// exportAudit writes the trail from since as JSON lines, page by page. The
// export is itself recorded, after the entries written.
func exportAudit(ctx context.Context, e *env, st lantern.Store, since time.Time) error {
	enc := json.NewEncoder(e.stdout)
	var after int64
	n := 0
	for {
		page, err := st.AuditEntries(ctx, lantern.AuditQuery{AfterSeq: after, Since: since, Limit: 1000})
		if err != nil {
			return err
		}
		for _, entry := range page {
			if err := enc.Encode(entry); err != nil {
				return err
			}
			after = entry.Seq
			n++
		}
		if len(page) < 1000 {
			break
		}
	}
	detail := fmt.Sprintf("%d entries", n)
	if !since.IsZero() {
		detail += " since " + since.UTC().Format(time.RFC3339)
	}
	return recordCLI(e, st, "audit.export", "", lantern.AuditAllowed, detail)
}
