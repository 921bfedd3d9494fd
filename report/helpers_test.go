package report

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lantern"
	"lantern/sqlite"
)

// memAudit is an in-memory audit trail for tests.
type memAudit struct {
	mu      sync.Mutex
	entries []lantern.AuditEntry
}

func (a *memAudit) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e.Seq = int64(len(a.entries) + 1)
	a.entries = append(a.entries, e)
	return e, nil
}

func (a *memAudit) AuditEntries(context.Context, lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]lantern.AuditEntry(nil), a.entries...), nil
}

// has reports whether an entry with action and outcome was recorded.
func (a *memAudit) has(action, outcome string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.entries {
		if e.Action == action && e.Outcome == outcome {
			return true
		}
	}
	return false
}

// text returns every entry as text, for searching.
func (a *memAudit) text() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var b strings.Builder
	for _, e := range a.entries {
		b.WriteString(e.UserID + " " + e.Action + " " + e.Object + " " + e.Outcome + " " + e.Detail + "\n")
	}
	return b.String()
}

// fixture is a service over a SQLite store in a temporary data directory,
// with an analyst (ann), an investigator (ivy) and a head of PSD (hop)
// enrolled and signed in.
type fixture struct {
	dir     string
	store   lantern.Store
	keyring *Keyring
	svc     *Service
	intel   *SealedIntel
	audit   *memAudit
	roles   map[string]lantern.UserRole
}

// testWorkFactor keeps scrypt quick in tests; production uses
// DefaultWorkFactor.
const testWorkFactor = 10

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newFixtureOn(t, dir, st)
}

// emptyStore opens a fresh SQLite store.
func emptyStore(t *testing.T) lantern.Store {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFixtureOn(t testing.TB, dir string, st lantern.Store) *fixture {
	t.Helper()
	f := &fixture{dir: dir, store: st, audit: &memAudit{}, roles: map[string]lantern.UserRole{
		"ann": lantern.UserAnalyst, "ivy": lantern.UserInvestigator, "hop": lantern.UserHeadOfPSD, "adm": lantern.UserAdministrator,
	}}
	f.keyring = NewKeyring(KeyringConfig{Store: st, Audit: f.audit, WorkFactor: testWorkFactor,
		RoleOf: func(_ context.Context, id string) (lantern.UserRole, error) { return f.roles[id], nil }})
	rc, err := NewReceipts([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	if f.intel, err = NewSealedIntel(IntelConfig{Store: st, Keyring: f.keyring}); err != nil {
		t.Fatal(err)
	}
	f.svc, err = NewService(Config{Store: WithSealedIntel(st, f.intel), Keyring: f.keyring, Receipts: rc, Audit: f.audit,
		Limiter: NewLimiter(5, 100, time.Minute), ReceiptTime: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"ann", "ivy", "hop", "adm"} {
		f.keyring.SignedIn(t.Context(), u, "s-"+u, "password of "+u)
	}
	return f
}

// as returns a context acting for user in their session.
func (f *fixture) as(t *testing.T, user string) context.Context {
	return lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: user, Role: f.roles[user], SessionID: "s-" + user})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := lantern.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
}
