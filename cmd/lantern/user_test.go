package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"lantern"
	"lantern/auth"
	"lantern/postgres"
	"lantern/sqlite"
)

// runBin runs the built binary and returns its exit code and output.
func runBin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binary(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = []string{"HOME=" + t.TempDir(), "USER=tester"}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

var (
	passwordLine = regexp.MustCompile(`(?m)^  ([A-Za-z0-9]{20})$`)
	secretLine   = regexp.MustCompile(`(?m)^  secret: ([A-Z2-7]+)$`)
	uriLine      = regexp.MustCompile(`(?m)^  (otpauth://totp/\S+)$`)
)

// managerFor opens the data directory's store and a Manager with its TOTP
// key, as the server does.
func managerFor(t *testing.T, dir string) (*auth.Manager, *sqlite.DB) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := os.ReadFile(filepath.Join(dir, "secrets", totpKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := auth.New(st, auth.Config{TOTPKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

func TestUserAddThenSignIn(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, "user", "add", "analyst7", "--role", "analyst", "--name", "A Seven", "--staff", "S7", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("user add: exit %d: %s", code, errOut)
	}
	pw, secret, uri := passwordLine.FindStringSubmatch(out), secretLine.FindStringSubmatch(out), uriLine.FindStringSubmatch(out)
	if pw == nil || secret == nil || uri == nil || !strings.Contains(uri[1], "secret="+secret[1]) {
		t.Fatalf("user add printed:\n%s", out)
	}
	m, st := managerFor(t, dir)
	ctx := t.Context()
	ch, _, err := m.SignIn(ctx, "analyst7", pw[1], "test")
	if err != nil || ch == "" {
		t.Fatalf("SignIn: %q %v", ch, err)
	}
	totpCode, _ := totp.GenerateCode(secret[1], time.Now())
	session, err := m.Verify(ctx, ch, totpCode, "test")
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	p, err := m.Principal(ctx, session)
	if err != nil || p.Name != "A Seven" || p.StaffID != "S7" || p.Role != lantern.UserAnalyst || p.LockedOut {
		t.Fatalf("Principal: %+v %v", p, err)
	}

	// An open case against S7 locks the user out at their next request.
	if code, _, errOut := runBin(t, "user", "restrict", "S7", "--data-dir", dir); code != 0 {
		t.Fatalf("user restrict: %s", errOut)
	}
	if p, err := m.Principal(ctx, session); err != nil || !p.LockedOut {
		t.Errorf("after restrict: %+v %v", p, err)
	}
	if code, _, errOut := runBin(t, "user", "unrestrict", "S7", "--data-dir", dir); code != 0 {
		t.Fatalf("user unrestrict: %s", errOut)
	}
	if code, _, errOut := runBin(t, "user", "unrestrict", "S7", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "No open case") {
		t.Errorf("unrestrict again: exit %d: %s", code, errOut)
	}

	// Reset: the old password no longer works and the session has ended.
	code, out, errOut = runBin(t, "user", "reset", "analyst7", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("user reset: %s", errOut)
	}
	if _, err := m.Principal(ctx, session); lantern.ErrorCode(err) != lantern.EUNAUTHORIZED {
		t.Errorf("session survived a reset: %v", err)
	}
	if _, _, err := m.SignIn(ctx, "analyst7", pw[1], "test"); lantern.ErrorCode(err) != lantern.EUNAUTHORIZED {
		t.Errorf("old password after reset: %v", err)
	}
	newPw := passwordLine.FindStringSubmatch(out)
	if newPw == nil || newPw[1] == pw[1] || secretLine.FindStringSubmatch(out) == nil {
		t.Fatalf("user reset printed:\n%s", out)
	}
	if _, _, err := m.SignIn(ctx, "analyst7", newPw[1], "test"); err != nil {
		t.Errorf("new password: %v", err)
	}

	// Disable: even the right password is refused.
	if code, _, errOut := runBin(t, "user", "disable", "analyst7", "--data-dir", dir); code != 0 {
		t.Fatalf("user disable: %s", errOut)
	}
	if _, _, err := m.SignIn(ctx, "analyst7", newPw[1], "test"); lantern.ErrorCode(err) != lantern.EFORBIDDEN {
		t.Errorf("disabled user signed in: %v", err)
	}

	// Listing shows no credentials; bad input is refused clearly.
	code, out, _ = runBin(t, "user", "list", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "analyst7") || !strings.Contains(out, "disabled") || strings.Contains(out, newPw[1]) || strings.Contains(out, "argon2") {
		t.Errorf("user list: exit %d:\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"user", "add", "analyst7", "--role", "analyst"}, 1, "belongs to another user"},
		{[]string{"user", "add", "x y", "--role", "analyst"}, 1, "username"},
		{[]string{"user", "add", "someone", "--role", "chief"}, 2, "--role"},
		{[]string{"user", "disable", "nobody"}, 1, "User not found"},
		{[]string{"user", "frobnicate", "x"}, 2, "unknown user subcommand"},
	} {
		code, _, errOut := runBin(t, append(c.args, "--data-dir", dir)...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d: %s", c.args, code, errOut)
		}
	}

	// Every use is on a sound trail, by the person who ran the command.
	code, out, errOut = runBin(t, "audit", "verify", "--data-dir", dir)
	if code != 0 || !regexp.MustCompile(`audit trail sound: \d+ entries checked`).MatchString(out) {
		t.Fatalf("audit verify: exit %d: %s%s", code, out, errOut)
	}
	entries, err := st.AuditEntries(ctx, lantern.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.UserID+" "+e.Action+" "+e.Outcome] = true
		for _, secret := range []string{pw[1], newPw[1], secret[1]} {
			if strings.Contains(e.Detail, secret) {
				t.Errorf("entry %d holds a secret", e.Seq)
			}
		}
	}
	// The binary runs as the same operating-system user as the test.
	actor := cliActor(func(string) string { return "tester" })
	for _, want := range []string{"user.add allowed", "user.add failed", "staff.restrict allowed", "staff.unrestrict allowed",
		"user.unrestrict failed", "user.reset allowed", "user.disable allowed", "users.list allowed", "audit.verify allowed"} {
		if !seen[actor+" "+want] {
			t.Errorf("no entry %q", actor+" "+want)
		}
	}
	if !seen[entries[1].UserID+" signin.password allowed"] || !seen[entries[1].UserID+" signin allowed"] {
		t.Errorf("sign-ins not on the trail: %v", seen)
	}

	// Export gives every entry, with its hashes, as JSON lines.
	code, out, _ = runBin(t, "audit", "export", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < len(entries) {
		t.Fatalf("audit export: exit %d, %d lines for %d entries", code, len(lines), len(entries))
	}
	var first lantern.AuditEntry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Hash != lantern.AuditHash(first) || first.PrevHash != lantern.AuditGenesis {
		t.Errorf("first exported entry %s: %v", lines[0], err)
	}
	code, out, _ = runBin(t, "audit", "export", "--since", time.Now().Add(time.Hour).Format(time.RFC3339), "--data-dir", dir)
	if code != 0 || out != "" {
		t.Errorf("export since the future: exit %d: %q", code, out)
	}
	if code, _, errOut := runBin(t, "audit", "export", "--since", "yesterday", "--data-dir", dir); code != 2 || !strings.Contains(errOut, "--since") {
		t.Errorf("bad --since: exit %d: %s", code, errOut)
	}
}

// seedTrail appends n entries to a store's trail.
func seedTrail(t *testing.T, st lantern.Store, n int) {
	t.Helper()
	for i := range n {
		_, err := st.AppendAudit(t.Context(), lantern.AuditEntry{UserID: "u1", Role: lantern.UserAnalyst, Action: string(lantern.ActViewAlerts),
			Object: "alert:" + string(rune('a'+i)), Outcome: lantern.AuditAllowed})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tampers are the ways the tamper tests break a trail of 6 entries, in
// SQL both databases accept, and what verify must then say.
var tampers = []struct {
	name  string
	sql   []string
	entry string
}{
	{"change", []string{`UPDATE audit_trail SET detail = 'nothing happened' WHERE seq = 3`}, "entry 3 (changed)"},
	{"delete", []string{`DELETE FROM audit_trail WHERE seq = 4`}, "entry 4 (missing)"},
	{"reorder", []string{
		`UPDATE audit_trail SET seq = -5 WHERE seq = 5`,
		`UPDATE audit_trail SET seq = 5 WHERE seq = 2`,
		`UPDATE audit_trail SET seq = 2 WHERE seq = -5`,
	}, "entry 2 (reordered)"},
	{"delete and renumber", []string{
		`DELETE FROM audit_trail WHERE seq = 2`,
		`UPDATE audit_trail SET seq = seq - 1 WHERE seq > 2`,
	}, "entry 2 (reordered)"},
}

func TestAuditTamperSQLite(t *testing.T) {
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "lantern.db")
			st, err := sqlite.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			seedTrail(t, st, 6)
			st.Close()
			if code, out, errOut := runBin(t, "audit", "verify", "--data-dir", dir); code != 0 || !strings.Contains(out, "6 entries checked") {
				t.Fatalf("before tampering: exit %d: %s%s", code, out, errOut)
			}

			// Writing the file directly: the triggers refuse, until dropped.
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(tc.sql[0]); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("the database let the trail change: %v", err)
			}
			for _, q := range []string{`DROP TRIGGER audit_trail_no_update`, `DROP TRIGGER audit_trail_no_delete`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range tc.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			code, _, errOut := runBin(t, "audit", "verify", "--data-dir", dir)
			if code != 1 || !strings.Contains(errOut, "broken at "+tc.entry) {
				t.Errorf("after %s: exit %d: %s", tc.name, code, errOut)
			}
		})
	}
}

func TestAuditTamperPostgres(t *testing.T) {
	base := os.Getenv("LANTERN_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("LANTERN_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("LANTERN_TEST_POSTGRES_REQUIRED=1 but LANTERN_TEST_POSTGRES is empty")
		}
		t.Skip("LANTERN_TEST_POSTGRES is not set: scripts/test starts a throwaway PostgreSQL and sets it")
	}
	admin, err := pgxpool.New(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			schema := "lantern_test_" + strings.ToLower(rand.Text()[:12])
			if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE") })
			url := base + "&search_path=" + schema
			if !strings.Contains(base, "?") {
				url = base + "?search_path=" + schema
			}
			st, err := postgres.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			seedTrail(t, st, 6)
			st.Close()
			dir := t.TempDir()
			if code, out, errOut := runBin(t, "audit", "verify", "--database", url, "--data-dir", dir); code != 0 || !strings.Contains(out, "6 entries checked") {
				t.Fatalf("before tampering: exit %d: %s%s", code, out, errOut)
			}

			conn, err := pgx.Connect(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(t.Context(), tc.sql[0]); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("the database let the trail change: %v", err)
			}
			if _, err := conn.Exec(t.Context(), `TRUNCATE audit_trail`); err == nil {
				t.Fatal("the database let the trail be truncated")
			}
			if _, err := conn.Exec(t.Context(), `DROP TRIGGER audit_trail_no_change ON audit_trail`); err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.sql {
				if _, err := conn.Exec(t.Context(), q); err != nil {
					t.Fatal(err)
				}
			}
			code, _, errOut := runBin(t, "audit", "verify", "--database", url, "--data-dir", dir)
			if code != 1 || !strings.Contains(errOut, "broken at "+tc.entry) {
				t.Errorf("after %s: exit %d: %s", tc.name, code, errOut)
			}
		})
	}
}

func TestPrintConfigMasksOIDCSecret(t *testing.T) {
	code, out, _ := runCmd(t, map[string]string{"LANTERN_OIDC_CLIENT_SECRET": "hunter2-secret"}, "serve", "--print-config",
		"--oidc-issuer", "https://sso.force.example", "--oidc-client-id", "lantern")
	if code != 0 || strings.Contains(out, "hunter2") || !regexp.MustCompile(`(?m)^oidc-client-secret +"\*{8}" +# environment$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^oidc-issuer +"https://sso\.force\.example" +# flag$`).MatchString(out) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, _, errOut := runCmd(t, nil, "serve", "--print-config", "--oidc-issuer", "sso.force.example")
	if code != 2 || !strings.Contains(errOut, "--oidc-issuer") {
		t.Errorf("bad issuer: exit %d: %s", code, errOut)
	}
}

// TestUserAddPartnerOrganisation: a partner is added to an organisation;
// another role cannot be.
func TestUserAddPartnerOrganisation(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runBin(t, "user", "add", "pam", "--role", "partner", "--organisation", "refuge-north", "--data-dir", dir); code != 0 {
		t.Fatalf("user add partner: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runBin(t, "user", "add", "dan", "--role", "analyst", "--organisation", "refuge-north", "--data-dir", dir); code == 0 || !strings.Contains(errOut, "organisation") {
		t.Fatalf("user add analyst with an organisation: exit %d: %s", code, errOut)
	}
	_, st := managerFor(t, dir)
	u, err := st.FindUserByUsername(t.Context(), "pam")
	if err != nil || u.Organisation != "refuge-north" || u.Role != lantern.UserPartner {
		t.Fatalf("partner: %+v %v", u, err)
	}
	if _, err := st.FindUserByUsername(t.Context(), "dan"); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Errorf("the analyst was added: %v", err)
	}
	st.Close()

	// The organisation is listed, and can be changed for a partner only.
	if code, out, errOut := runBin(t, "user", "list", "--data-dir", dir); code != 0 || !strings.Contains(out, "ORGANISATION") || !strings.Contains(out, "refuge-north") {
		t.Fatalf("user list: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := runBin(t, "user", "organisation", "pam", "--organisation", "refuge-south", "--data-dir", dir); code != 0 || !strings.Contains(out, "refuge-south") {
		t.Fatalf("user organisation: exit %d: %s%s", code, out, errOut)
	}
	if code, _, errOut := runBin(t, "user", "add", "ann", "--role", "analyst", "--data-dir", dir); code != 0 {
		t.Fatalf("user add analyst: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runBin(t, "user", "organisation", "ann", "--organisation", "refuge-south", "--data-dir", dir); code == 0 || !strings.Contains(errOut, "organisation") {
		t.Errorf("user organisation for an analyst: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runBin(t, "user", "organisation", "pam", "--data-dir", dir); code == 0 || !strings.Contains(errOut, "organisation") {
		t.Errorf("user organisation without one: exit %d: %s", code, errOut)
	}
	_, st = managerFor(t, dir)
	if u, err := st.FindUserByUsername(t.Context(), "pam"); err != nil || u.Organisation != "refuge-south" {
		t.Errorf("after the move: %+v %v", u, err)
	}
	trail, err := st.AuditEntries(t.Context(), lantern.AuditQuery{Action: "user.organisation"})
	// The move, then the two refused attempts, each on the trail.
	if err != nil || len(trail) != 3 || trail[0].Outcome != lantern.AuditAllowed || trail[0].Detail != "organisation refuge-north -> refuge-south" ||
		trail[1].Outcome != lantern.AuditFailed || trail[2].Outcome != lantern.AuditFailed {
		t.Errorf("audit of the move: %+v %v", trail, err)
	}
}
