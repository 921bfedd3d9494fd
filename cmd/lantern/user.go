package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"lantern"
	"lantern/auth"
)

// runUser manages the workspace's users and the staff locked out of it:
// lantern user add USERNAME --role R | disable | enable | reset USERNAME |
// organisation USERNAME --organisation ORG | list | restrict STAFFID |
// unrestrict STAFFID.
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("user needs a subcommand: add, disable, enable, reset, organisation, list, restrict or unrestrict")
	}
	sub, rest := args[0], args[1:]
	want := map[string]int{"add": 1, "disable": 1, "enable": 1, "reset": 1, "organisation": 1, "list": 0, "restrict": 1, "unrestrict": 1}
	n, ok := want[sub]
	if !ok {
		return usageErrorf("unknown user subcommand %q: use add, disable, enable, reset, organisation, list, restrict or unrestrict", sub)
	}
	settings := systemSettings()
	if sub == "add" {
		roles := make([]string, len(lantern.UserRoles))
		for i, r := range lantern.UserRoles {
			roles[i] = string(r)
		}
		settings = append([]setting{
			{Name: "role", Usage: "the user's role: one of " + fmt.Sprint(roles), Check: checkOneOf(roles...)},
			{Name: "name", Usage: "display name; the username when empty"},
			{Name: "staff", Usage: "the user's own staff id in the force, if they are on its staff"},
			{Name: "oidc-subject", Usage: "the subject the force's single sign-on provider gives this user, to link it now"},
			{Name: "organisation", Usage: "a partner's organisation: its partner users see each other's referrals (role partner only)"},
		}, settings...)
	}
	if sub == "organisation" {
		settings = append([]setting{{Name: "organisation", Usage: "the partner's new organisation: they then see its referrals and no longer their old one's"}}, settings...)
	}
	cfg, _, names, err := loadConfig("user "+sub, rest, e.getenv, e.stderr, settings)
	if err != nil {
		return err
	}
	if len(names) != n {
		return usageErrorf("user %s takes %d argument(s)", sub, n)
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
	if sub == "list" {
		return listUsers(ctx, e, st)
	}
	ac, err := authConfig(cfg, dir)
	if err != nil {
		return err
	}
	m, err := auth.New(st, ac)
	if err != nil {
		return err
	}
	if err := changeUsers(ctx, e, m, sub, names[0], cfg); err != nil {
		recordCLI(e, st, "user."+sub, "", lantern.AuditFailed, describe(err))
		return userError(err)
	}
	return nil
}

// changeUsers runs one subcommand that changes users or restrictions; the
// Manager records each change on the audit trail.
func changeUsers(ctx context.Context, e *env, m *auth.Manager, sub, name string, cfg *config) error {
	actor := cliActor(e.getenv)
	names := []string{name}
	switch sub {
	case "add":
		u, cred, err := m.AddUser(ctx, actor, auth.NewUser{Username: names[0], Name: cfg.str("name"), Role: lantern.UserRole(cfg.str("role")),
			StaffID: cfg.str("staff"), OIDCSubject: cfg.str("oidc-subject"), Organisation: cfg.str("organisation")})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s added (role %s, id %s).\n", u.Username, u.Role, u.ID)
		printCredentials(e, cred)
	case "reset":
		u, cred, err := m.ResetUser(ctx, actor, names[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s reset: their sessions have ended.\n", u.Username)
		printCredentials(e, cred)
	case "disable", "enable":
		u, err := m.SetUserDisabled(ctx, actor, names[0], sub == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s %sd\n", u.Username, sub)
	case "organisation":
		u, err := m.SetOrganisation(ctx, actor, names[0], cfg.str("organisation"))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s now belongs to organisation %s\n", u.Username, u.Organisation)
	case "restrict":
		if err := m.RestrictStaff(ctx, actor, names[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "open case recorded against staff %s: users with this staff id are locked out of the workspace\n", names[0])
	case "unrestrict":
		if err := m.UnrestrictStaff(ctx, actor, names[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "open case against staff %s ended\n", names[0])
	}
	return nil
}

// printCredentials shows a user's new secrets, which nothing else keeps.
func printCredentials(e *env, cred auth.Credentials) {
	fmt.Fprintf(e.stdout, "\nInitial password, shown only now (the user should change it):\n\n  %s\n", cred.Password)
	if cred.TOTPSecret != "" {
		fmt.Fprintf(e.stdout, "\nSecond factor, shown only now. Add it to an authenticator app from this URI (as a QR code)\nor by typing the secret:\n\n  %s\n\n  secret: %s\n", cred.TOTPURI, cred.TOTPSecret)
	}
}

// userError turns a domain error into a one-line message.
func userError(err error) error {
	if c := lantern.ErrorCode(err); c == lantern.EINVALID || c == lantern.ENOTFOUND || c == lantern.ECONFLICT {
		return fmt.Errorf("%s", describe(err))
	}
	return err
}

// listUsers prints every user, never their credentials.
func listUsers(ctx context.Context, e *env, st lantern.Store) error {
	users, err := st.FindUsers(ctx)
	if err != nil {
		return err
	}
	if err := recordCLI(e, st, "users.list", "", lantern.AuditAllowed, fmt.Sprintf("%d user(s)", len(users))); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tNAME\tSTAFF\tORGANISATION\tSECOND FACTOR\tSTATE\tCREATED")
	for _, u := range users {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		} else if u.LockedUntil != nil && u.LockedUntil.After(time.Now()) {
			state = "locked until " + u.LockedUntil.Format(time.RFC3339)
		}
		second := "none"
		if u.TOTPSecret != "" {
			second = "totp"
		}
		if u.OIDCSubject != "" {
			second += ", sso linked"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.Name, dash(u.StaffID), dash(u.Organisation), second, state, u.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
