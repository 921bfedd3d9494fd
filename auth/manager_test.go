package auth

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"lantern"
	"lantern/sqlite"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hook records what it is told.
type hook struct {
	mu        sync.Mutex
	signedIn  []string // userID/sessionID/password
	signedOut []string
	changed   []string // userID/old/new
	refuse    bool
}

func (h *hook) SignedIn(_ context.Context, userID, sessionID, password string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.signedIn = append(h.signedIn, userID+"/"+sessionID+"/"+password)
}

// ChangePassword makes the test hook a PasswordHook; it refuses while
// refuse is set.
func (h *hook) ChangePassword(_ context.Context, userID, oldPassword, newPassword string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.refuse {
		return lantern.Errorf(lantern.EINTERNAL, "key not re-wrapped")
	}
	h.changed = append(h.changed, userID+"/"+oldPassword+"/"+newPassword)
	return nil
}

func (h *hook) SignedOut(sessionID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.signedOut = append(h.signedOut, sessionID)
}

type fixture struct {
	m     *Manager
	store *sqlite.DB
	clock *clock
	hook  *hook
}

func newFixture(t *testing.T, mod ...func(*Config)) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, clock: &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}, hook: &hook{}}
	st.SetClock(f.clock.now)
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	cfg := Config{Params: fast, TOTPKey: key, Now: f.clock.now, Hooks: []Hook{f.hook}}
	for _, fn := range mod {
		fn(&cfg)
	}
	if f.m, err = New(st, cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) add(t *testing.T, username string, role lantern.UserRole, staffID string) (*lantern.User, Credentials) {
	t.Helper()
	u, cred, err := f.m.AddUser(t.Context(), "cli:test", NewUser{Username: username, Role: role, StaffID: staffID})
	if err != nil {
		t.Fatal(err)
	}
	return u, cred
}

// code returns the TOTP code of secret at the fixture's time.
func (f *fixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, f.clock.now(), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn signs in with password and, where asked for, the current code.
func (f *fixture) signIn(t *testing.T, username string, cred Credentials) string {
	t.Helper()
	ch, s, err := f.m.SignIn(t.Context(), username, cred.Password, "client-1")
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if ch == "" {
		return s
	}
	s, err = f.m.Verify(t.Context(), ch, f.code(t, cred.TOTPSecret), "client-1")
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return s
}

func (f *fixture) trail(t *testing.T) []lantern.AuditEntry {
	t.Helper()
	list, err := f.store.AuditEntries(t.Context(), lantern.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if lantern.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestSignInWithoutSecondFactor(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "partner.one", lantern.UserPartner, "")
	if cred.TOTPSecret != "" || cred.TOTPURI != "" {
		t.Errorf("a partner was given a TOTP secret")
	}
	ch, s, err := f.m.SignIn(t.Context(), "Partner.One ", cred.Password, "client-1")
	if err != nil || ch != "" || len(s) < 43 {
		t.Fatalf("SignIn: challenge %q, session %d chars, %v", ch, len(s), err)
	}
	p, err := f.m.Principal(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != u.ID || p.Role != lantern.UserPartner || p.SessionID == "" || p.LockedOut {
		t.Errorf("Principal: %+v", p)
	}
	if len(f.hook.signedIn) != 1 || f.hook.signedIn[0] != u.ID+"/"+p.SessionID+"/"+cred.Password {
		t.Errorf("hook told %v", f.hook.signedIn)
	}
	// The token itself is not what the store keeps.
	if _, err := f.store.FindSessionByTokenHash(t.Context(), []byte(s)); lantern.ErrorCode(err) != lantern.ENOTFOUND {
		t.Error("the session token itself finds a session")
	}
	if err := f.m.SignOut(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if err := f.m.SignOut(t.Context(), s); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	_, err = f.m.Principal(t.Context(), s)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	if len(f.hook.signedOut) != 1 || f.hook.signedOut[0] != p.SessionID {
		t.Errorf("hook told of sign-outs %v", f.hook.signedOut)
	}
	var actions []string
	for _, e := range f.trail(t) {
		actions = append(actions, e.Action+":"+e.Outcome)
	}
	if got := strings.Join(actions, " "); got != "user.add:allowed signin:allowed signout:allowed" {
		t.Errorf("trail: %s", got)
	}
}

func TestSignInWithTOTP(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "analyst1", lantern.UserAnalyst, "S100")
	if !strings.HasPrefix(cred.TOTPURI, "otpauth://totp/Lantern:analyst1?") || !strings.Contains(cred.TOTPURI, "secret="+cred.TOTPSecret) {
		t.Errorf("TOTP URI %q", cred.TOTPURI)
	}
	stored, err := f.store.FindUserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.TOTPSecret, cred.TOTPSecret) || !strings.HasPrefix(stored.TOTPSecret, sealedPrefix) {
		t.Errorf("the TOTP secret is stored in the clear: %q", stored.TOTPSecret)
	}
	ctx := t.Context()
	ch, s, err := f.m.SignIn(ctx, "analyst1", cred.Password, "client-1")
	if err != nil || ch == "" || s != "" {
		t.Fatalf("SignIn: challenge %q, session %q, %v", ch, s, err)
	}
	if len(f.hook.signedIn) != 0 {
		t.Error("hooks told before the second factor")
	}
	_, err = f.m.Verify(ctx, ch, "000000", "client-1")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	_, err = f.m.Verify(ctx, "not-a-challenge", f.code(t, cred.TOTPSecret), "client-1")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	code := f.code(t, cred.TOTPSecret)
	s, err = f.m.Verify(ctx, ch, code, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.m.Principal(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.hook.signedIn) != 1 || f.hook.signedIn[0] != u.ID+"/"+p.SessionID+"/"+cred.Password {
		t.Errorf("hooks told %v", f.hook.signedIn)
	}
	// The challenge is spent, and the code cannot be used again, even in
	// a new sign-in within its step.
	_, err = f.m.Verify(ctx, ch, code, "client-1")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	ch2, _, err := f.m.SignIn(ctx, "analyst1", cred.Password, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.m.Verify(ctx, ch2, code, "client-1")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	f.clock.add(30 * time.Second)
	if _, err := f.m.Verify(ctx, ch2, f.code(t, cred.TOTPSecret), "client-1"); err != nil {
		t.Fatalf("the next step's code: %v", err)
	}
	// A challenge expires.
	ch3, _, err := f.m.SignIn(ctx, "analyst1", cred.Password, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(5 * time.Minute)
	_, err = f.m.Verify(ctx, ch3, f.code(t, cred.TOTPSecret), "client-1")
	wantCode(t, err, lantern.EUNAUTHORIZED)

	// Nothing secret reached the trail.
	for _, e := range f.trail(t) {
		for _, secret := range []string{cred.Password, cred.TOTPSecret, code, ch, s} {
			if strings.Contains(e.Detail, secret) || strings.Contains(e.Object, secret) {
				t.Errorf("entry %d holds a secret: %+v", e.Seq, e)
			}
		}
	}
}

func TestWrongCodesEndTheChallenge(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.UserLockout.Threshold = 100 })
	_, cred := f.add(t, "analyst1", lantern.UserAnalyst, "")
	ch, _, err := f.m.SignIn(t.Context(), "analyst1", cred.Password, "c")
	if err != nil {
		t.Fatal(err)
	}
	for range maxCodeAttempts {
		_, err := f.m.Verify(t.Context(), ch, "999999", "c")
		wantCode(t, err, lantern.EUNAUTHORIZED)
	}
	_, err = f.m.Verify(t.Context(), ch, f.code(t, cred.TOTPSecret), "c")
	wantCode(t, err, lantern.EUNAUTHORIZED)
}

func TestBadCredentialsLookAlike(t *testing.T) {
	f := newFixture(t)
	f.add(t, "analyst1", lantern.UserAnalyst, "")
	_, _, wrongPassword := f.m.SignIn(t.Context(), "analyst1", "not the password", "c")
	_, _, unknownUser := f.m.SignIn(t.Context(), "nobody", "not the password", "c")
	if lantern.ErrorCode(wrongPassword) != lantern.EUNAUTHORIZED || wrongPassword.Error() != unknownUser.Error() {
		t.Errorf("wrong password: %v; unknown user: %v", wrongPassword, unknownUser)
	}
	// Only the trail, for auditors, says which it was; it never holds the
	// password tried nor the username typed.
	list := f.trail(t)
	for _, e := range list[1:] {
		if e.Outcome != lantern.AuditFailed || strings.Contains(e.Detail, "not the password") || strings.Contains(e.Detail, "nobody") {
			t.Errorf("entry %+v", e)
		}
	}
	if list[2].UserID != "unknown" {
		t.Errorf("failure for an unknown user recorded as %q", list[2].UserID)
	}
}

func TestLockout(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "partner1", lantern.UserPartner, "")
	ctx := t.Context()
	for i := range 5 {
		_, _, err := f.m.SignIn(ctx, "partner1", "wrong password "+string(rune('a'+i)), "c")
		wantCode(t, err, lantern.EUNAUTHORIZED)
	}
	// Locked: even the right password is refused, and so is an unknown
	// username that failed as often, with the same message.
	_, _, locked := f.m.SignIn(ctx, "partner1", cred.Password, "c")
	wantCode(t, locked, lantern.EFORBIDDEN)
	for range 5 {
		f.m.SignIn(ctx, "ghost", "wrong password", "c")
	}
	_, _, ghost := f.m.SignIn(ctx, "ghost", "wrong password", "c")
	if ghost == nil || ghost.Error() != locked.Error() {
		t.Errorf("locked known user: %v; locked unknown user: %v", locked, ghost)
	}
	stored, _ := f.store.FindUserByID(ctx, u.ID)
	if stored.FailedSignIns != 5 || stored.LockedUntil == nil || !stored.LockedUntil.Equal(f.clock.now().Add(time.Minute)) {
		t.Errorf("stored lock: %d failures until %v", stored.FailedSignIns, stored.LockedUntil)
	}
	// The lock survives a restart, which forgets the in-memory counts.
	m2, err := New(f.store, Config{Params: fast, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = m2.SignIn(ctx, "partner1", cred.Password, "c")
	wantCode(t, err, lantern.EFORBIDDEN)
	// After a minute the right password works and clears the count.
	f.clock.add(time.Minute)
	if _, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "c"); err != nil {
		t.Fatal(err)
	}
	stored, _ = f.store.FindUserByID(ctx, u.ID)
	if stored.FailedSignIns != 0 || stored.LockedUntil != nil {
		t.Errorf("after success: %d failures until %v", stored.FailedSignIns, stored.LockedUntil)
	}
	n := 0
	for _, e := range f.trail(t) {
		if e.Action == "signin.lockout" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d lockouts recorded, want 2 (the user and the unknown username)", n)
	}
}

func TestLockoutDoubles(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "partner1", lantern.UserPartner, "")
	ctx := t.Context()
	for range 5 {
		f.m.SignIn(ctx, "partner1", "wrong password!", "c")
	}
	f.clock.add(time.Minute)
	f.m.SignIn(ctx, "partner1", "wrong password!", "c") // the sixth: two minutes
	f.clock.add(time.Minute + 59*time.Second)
	_, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "c")
	wantCode(t, err, lantern.EFORBIDDEN)
	f.clock.add(time.Second)
	if _, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "c"); err != nil {
		t.Fatal(err)
	}
}

func TestClientLockout(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "partner1", lantern.UserPartner, "")
	ctx := t.Context()
	for i := range 20 {
		f.m.SignIn(ctx, "user"+string(rune('a'+i)), "wrong password!", "attacker")
	}
	_, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "attacker")
	wantCode(t, err, lantern.EFORBIDDEN)
	if _, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "colleague"); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

func TestDisabled(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "partner1", lantern.UserPartner, "")
	s := f.signIn(t, "partner1", cred)
	if _, err := f.m.SetUserDisabled(t.Context(), "cli:test", "partner1", true); err != nil {
		t.Fatal(err)
	}
	_, err := f.m.Principal(t.Context(), s)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	_, _, err = f.m.SignIn(t.Context(), "partner1", cred.Password, "c")
	wantCode(t, err, lantern.EFORBIDDEN)
	_, _, err = f.m.SignIn(t.Context(), "partner1", "wrong password!", "c")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	if _, err := f.m.SetUserDisabled(t.Context(), "cli:test", "partner1", false); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "partner1", cred)
}

func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "partner1", lantern.UserPartner, "")
	ctx := t.Context()
	s := f.signIn(t, "partner1", cred)
	// Used every 20 minutes, a session lives until its absolute timeout.
	for range 35 {
		f.clock.add(20 * time.Minute)
		if _, err := f.m.Principal(ctx, s); err != nil {
			t.Fatalf("at %v: %v", f.clock.now(), err)
		}
	}
	f.clock.add(20 * time.Minute) // 12 h since sign-in
	_, err := f.m.Principal(ctx, s)
	wantCode(t, err, lantern.EUNAUTHORIZED)

	s = f.signIn(t, "partner1", cred)
	f.clock.add(30 * time.Minute)
	_, err = f.m.Principal(ctx, s)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	if len(f.hook.signedOut) != 2 {
		t.Errorf("hooks told of %d ends, want 2", len(f.hook.signedOut))
	}
	ends := 0
	for _, e := range f.trail(t) {
		if e.Action == "session.end" {
			ends++
		}
	}
	if ends != 2 {
		t.Errorf("%d session ends recorded", ends)
	}
}

func TestRestrictedStaffAreLockedOut(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "analyst1", lantern.UserAnalyst, "S100")
	s := f.signIn(t, "analyst1", cred)
	ctx := t.Context()
	if err := f.m.RestrictStaff(ctx, "cli:test", "S100"); err != nil {
		t.Fatal(err)
	}
	p, err := f.m.Principal(ctx, s)
	if err != nil || !p.LockedOut {
		t.Fatalf("after restriction: %+v %v", p, err)
	}
	wantCode(t, lantern.Authorize(p, lantern.ActViewAlerts, ""), lantern.EFORBIDDEN)
	if err := f.m.UnrestrictStaff(ctx, "cli:test", "S100"); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.m.Principal(ctx, s); p.LockedOut {
		t.Error("still locked out")
	}
}

func TestResetEndsSessions(t *testing.T) {
	f := newFixture(t)
	_, cred := f.add(t, "analyst1", lantern.UserAnalyst, "")
	s := f.signIn(t, "analyst1", cred)
	_, fresh, err := f.m.ResetUser(t.Context(), "cli:test", "analyst1")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Password == cred.Password || fresh.TOTPSecret == cred.TOTPSecret || fresh.TOTPSecret == "" {
		t.Error("reset kept a credential")
	}
	_, err = f.m.Principal(t.Context(), s)
	wantCode(t, err, lantern.EUNAUTHORIZED)
	_, _, err = f.m.SignIn(t.Context(), "analyst1", cred.Password, "c")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	f.clock.add(30 * time.Second)
	f.signIn(t, "analyst1", fresh)
}

func TestAdministrationIsAuthorised(t *testing.T) {
	f := newFixture(t)
	analyst, _ := f.add(t, "analyst1", lantern.UserAnalyst, "S1")
	admin, _ := f.add(t, "admin1", lantern.UserAdministrator, "")
	head, _ := f.add(t, "head1", lantern.UserHeadOfPSD, "S9")
	as := func(u *lantern.User) context.Context {
		return lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: u.ID, Role: u.Role, StaffID: u.StaffID, SessionID: "s"})
	}
	_, _, err := f.m.AddUser(as(analyst), analyst.ID, NewUser{Username: "new1", Role: lantern.UserAnalyst})
	wantCode(t, err, lantern.EFORBIDDEN)
	if _, _, err := f.m.AddUser(as(admin), admin.ID, NewUser{Username: "new1", Role: lantern.UserAnalyst}); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.m.AddUser(as(admin), analyst.ID, NewUser{Username: "new2", Role: lantern.UserAnalyst})
	wantCode(t, err, lantern.EFORBIDDEN)
	wantCode(t, f.m.RestrictStaff(as(admin), admin.ID, "S1"), lantern.EFORBIDDEN)
	wantCode(t, f.m.RestrictStaff(as(head), head.ID, "S9"), lantern.EFORBIDDEN)
	if err := f.m.RestrictStaff(as(head), head.ID, "S1"); err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, e := range f.trail(t) {
		if e.Outcome == lantern.AuditDenied {
			denied++
		}
	}
	if denied != 4 {
		t.Errorf("%d refusals recorded, want 4", denied)
	}
}

func TestUnitUserWithoutSecondFactorIsRefused(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "auditor1", lantern.UserAuditor, "")
	if err := f.store.SetUserTOTP(t.Context(), u.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.m.SignIn(t.Context(), "auditor1", cred.Password, "c")
	wantCode(t, err, lantern.EFORBIDDEN)
}

func TestRehashOnSignIn(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "partner1", lantern.UserPartner, "")
	stronger := Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	m2, err := New(f.store, Config{Params: stronger, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m2.SignIn(t.Context(), "partner1", cred.Password, "c"); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.store.FindUserByID(t.Context(), u.ID)
	if !strings.Contains(stored.PasswordHash, "m=128,t=2,p=1") {
		t.Errorf("not rehashed: %s", stored.PasswordHash)
	}
}

func TestNilManagerHasNoOIDC(t *testing.T) {
	var m *Manager
	if m.OIDCEnabled() {
		t.Error("a nil Manager says OIDC is on")
	}
	f := newFixture(t)
	if f.m.OIDCEnabled() {
		t.Error("OIDC on without configuration")
	}
	_, _, err := f.m.OIDCStart(t.Context())
	wantCode(t, err, lantern.ENOTIMPLEMENTED)
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "partner1", lantern.UserPartner, "")
	ctx := t.Context()
	wantCode(t, f.m.ChangePassword(ctx, u.ID, "not my password", "a brand new password"), lantern.EUNAUTHORIZED)
	wantCode(t, f.m.ChangePassword(ctx, u.ID, cred.Password, "too short"), lantern.EINVALID)
	wantCode(t, f.m.ChangePassword(ctx, u.ID, cred.Password, "partner1 is my name"), lantern.EINVALID)
	f.hook.refuse = true
	wantCode(t, f.m.ChangePassword(ctx, u.ID, cred.Password, "a brand new password"), lantern.EINTERNAL)
	if _, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "c"); err != nil {
		t.Fatalf("a refused key re-wrap changed the password: %v", err)
	}
	f.hook.refuse = false
	if err := f.m.ChangePassword(ctx, u.ID, cred.Password, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if want := u.ID + "/" + cred.Password + "/a brand new password"; len(f.hook.changed) != 1 || f.hook.changed[0] != want {
		t.Errorf("password hook told %q, want [%q]", f.hook.changed, want)
	}
	_, _, err := f.m.SignIn(ctx, "partner1", cred.Password, "c")
	wantCode(t, err, lantern.EUNAUTHORIZED)
	if _, _, err := f.m.SignIn(ctx, "partner1", "a brand new password", "c"); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownUsersCostAHash checks that a sign-in for an unknown username
// checks a password against a hash made with the same parameters as real
// ones, so that it takes as long.
func TestUnknownUsersCostAHash(t *testing.T) {
	f := newFixture(t)
	f.m.SignIn(t.Context(), "nobody", "some password here", "c")
	p, _, _, err := parseHash(f.m.dummy)
	if err != nil || p != fast {
		t.Errorf("stand-in hash %q: %+v, %v", f.m.dummy, p, err)
	}
}

func TestAdministratorsNeedASecondFactor(t *testing.T) {
	f := newFixture(t)
	u, cred := f.add(t, "admin1", lantern.UserAdministrator, "")
	if cred.TOTPSecret == "" {
		t.Fatal("an administrator was given no second factor")
	}
	ch, s, err := f.m.SignIn(t.Context(), "admin1", cred.Password, "c")
	if err != nil || ch == "" || s != "" {
		t.Fatalf("SignIn: %q %q %v", ch, s, err)
	}
	if err := f.store.SetUserTOTP(t.Context(), u.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.m.SignIn(t.Context(), "admin1", cred.Password, "c")
	wantCode(t, err, lantern.EFORBIDDEN)
}
