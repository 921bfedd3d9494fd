package main

import (
	"context"
	"errors"
	"net/url"
	"os/user"
	"strings"

	"lantern"
	"lantern/auth"
)

// authSettings configure signing in to the workspace.
func authSettings() []setting {
	return []setting{
		{Name: "session-idle-timeout", Default: "30m", Usage: "end a workspace session unused for this long", Check: checkDuration},
		{Name: "session-absolute-timeout", Default: "12h", Usage: "end a workspace session this long after sign-in", Check: checkDuration},
		{Name: "oidc-issuer", Usage: "single sign-on: the OpenID Connect provider's issuer URL; empty turns single sign-on off", Check: checkOptionalURL},
		{Name: "oidc-client-id", Usage: "single sign-on: Lantern's client id at the provider"},
		{Name: "oidc-client-secret", Usage: "single sign-on: Lantern's client secret at the provider", Secret: true},
		{Name: "oidc-redirect-url", Usage: "single sign-on: Lantern's callback URL as registered with the provider", Check: checkOptionalURL},
		{Name: "oidc-email-claim", Default: "email", Usage: "single sign-on: the ID token claim matched against Lantern usernames; empty matches by linked subject only"},
	}
}

func checkOptionalURL(v string) error {
	if v == "" {
		return nil
	}
	if u, err := url.Parse(v); err != nil || !u.IsAbs() || u.Host == "" {
		return errors.New("must be an absolute URL such as https://sso.force.example")
	}
	return nil
}

// totpKeyFile keys the encryption of users' TOTP secrets at rest.
const totpKeyFile = "totp.key"

// authConfig builds the auth package's configuration from the settings
// (those of authSettings, when declared) and the installation's TOTP key.
func authConfig(cfg *config, dir *dataDir) (auth.Config, error) {
	key, err := loadOrCreateKey(secretsDir(cfg, dir), totpKeyFile)
	if err != nil {
		return auth.Config{}, cfg.settingError("secrets-dir", err)
	}
	ac := auth.Config{TOTPKey: key}
	if _, ok := cfg.values["session-idle-timeout"]; !ok {
		return ac, nil
	}
	ac.IdleTimeout = cfg.duration("session-idle-timeout")
	ac.AbsoluteTimeout = cfg.duration("session-absolute-timeout")
	if issuer := cfg.str("oidc-issuer"); issuer != "" {
		if cfg.str("oidc-client-id") == "" {
			return ac, cfg.settingError("oidc-client-id", errors.New("is required when --oidc-issuer is set"))
		}
		if cfg.str("oidc-redirect-url") == "" {
			return ac, cfg.settingError("oidc-redirect-url", errors.New("is required when --oidc-issuer is set"))
		}
		ac.OIDC = &auth.OIDCConfig{Issuer: issuer, ClientID: cfg.str("oidc-client-id"), ClientSecret: cfg.str("oidc-client-secret"),
			RedirectURL: cfg.str("oidc-redirect-url"), EmailClaim: cfg.str("oidc-email-claim")}
	}
	return ac, nil
}

// cliActor names the person running a command on the audit trail:
// "cli:" and their operating-system user name.
func cliActor(getenv func(string) string) string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = getenv("USER")
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x21 || r == 0x7f {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "unknown"
	}
	return "cli:" + name
}

// recordCLI appends a command's use to the audit trail.
func recordCLI(e *env, st lantern.Store, action, object, outcome, detail string) error {
	if len(detail) > 200 {
		detail = detail[:200]
	}
	_, err := st.AppendAudit(context.Background(), lantern.AuditEntry{UserID: cliActor(e.getenv), Action: action, Object: object,
		Outcome: outcome, Detail: detail})
	return err
}
