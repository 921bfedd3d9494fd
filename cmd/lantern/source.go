package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"lantern"
)

// runSource manages the API sources allowed to send records:
// lantern source add NAME | list | disable NAME.
func runSource(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("source needs a subcommand: add NAME, list, or disable NAME")
	}
	sub, rest := args[0], args[1:]
	settings := systemSettings()
	if sub == "add" {
		settings = append([]setting{{Name: "scope", Default: lantern.ScopeIngest,
			Usage: "what the token may do: ingest (send records) or alerts (read alerts and risk, record decisions, reload rules)",
			Check: checkOneOf(lantern.SourceScopes...)}}, settings...)
	}
	cfg, _, names, err := loadConfig("source "+sub, rest, e.getenv, e.stderr, settings)
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "disable": 1}
	n, ok := want[sub]
	if !ok {
		return usageErrorf("unknown source subcommand %q: use add, list or disable", sub)
	}
	if len(names) != n {
		return usageErrorf("source %s takes %d argument(s)", sub, n)
	}
	dir, err := openDataDir(cfg, false)
	if err != nil {
		return err
	}
	defer dir.Close()
	st, _, err := openStore(ctx, cfg, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		return addSource(ctx, e, st, names[0], cfg.str("scope"))
	case "disable":
		if err := st.DisableSource(ctx, names[0], time.Now().UTC()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "source %s disabled: its token no longer works\n", names[0])
		return nil
	}
	sources, err := st.FindSources(ctx)
	if err != nil {
		return err
	}
	for _, s := range sources {
		state := "enabled"
		if s.DisabledAt != nil {
			state = "disabled " + s.DisabledAt.Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "%-24s %-7s created %s  %s\n", s.Name, s.Scope, s.CreatedAt.Format(time.RFC3339), state)
	}
	return nil
}

// addSource creates a source with a new random token, prints the token once,
// and stores only its SHA-256.
func addSource(ctx context.Context, e *env, st lantern.Store, name, scope string) error {
	raw := make([]byte, 32)
	rand.Read(raw)
	token := "lt_" + base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	src := &lantern.Source{Name: name, Scope: scope, TokenHash: sum[:], CreatedAt: time.Now().UTC()}
	if err := st.CreateSource(ctx, src); err != nil {
		return err
	}
	use := "POST /api/v1/events"
	if scope == lantern.ScopeAlerts {
		use = "the /api/v1/alerts, /api/v1/risk and /api/v1/rules endpoints"
	}
	fmt.Fprintf(e.stdout, "source %s added (scope %s). Its API token, shown only now:\n\n  %s\n\nSend it as 'Authorization: Bearer TOKEN' to %s.\n", name, scope, token, use)
	return nil
}
