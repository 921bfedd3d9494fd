package workspace_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lantern"
	"lantern/detect"
	"lantern/rules"
	"lantern/sqlite"
	"lantern/workspace"
)

// memAudit is an in-memory audit trail for these tests (the stores carry
// the real one). fail makes appends fail.
type memAudit struct {
	mu      sync.Mutex
	entries []lantern.AuditEntry
	fail    bool
}

func (m *memAudit) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return e, fmt.Errorf("disk full")
	}
	e.Seq = int64(len(m.entries) + 1)
	m.entries = append(m.entries, e)
	return e, nil
}

func (m *memAudit) AuditEntries(_ context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lantern.AuditEntry
	for _, e := range m.entries {
		if (q.UserID == "" || e.UserID == q.UserID) && (q.Object == "" || e.Object == q.Object) &&
			(q.Action == "" || e.Action == q.Action) && e.Seq > q.AfterSeq {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memAudit) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *memAudit) last() lantern.AuditEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.entries[len(m.entries)-1]
}

// builtin is the rule library as a RuleSource.
type builtin struct{ set *detect.RuleSet }

func (b builtin) Rules() *detect.RuleSet { return b.set }

func (b builtin) Fixtures() (fs.FS, string) { return rules.FS(), "testdata" }

var t0 = time.Date(2025, time.May, 1, 0, 0, 0, 0, time.UTC)

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

// env is a workspace over a real SQLite store holding a small force.
type env struct {
	svc   *workspace.Service
	store *sqlite.DB
	audit *memAudit
}

// Staff: S1 and S2 are response officers in teams A and B; S9 is the
// analyst's own staff record. P1 is a vulnerable person in incident I1, to
// which S2 is assigned. Alerts: A1 about S1, A2 about S2, A9 about S9, and
// one per user role (AR-<role>, about S1) for decisions.
func newEnv(t *testing.T, capacity int) *env {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	must(t, store.UpsertStaff(ctx,
		&lantern.Staff{ID: "S1", Category: "officer", Role: "response", Team: "A", Gender: "male", StartDate: t0.AddDate(-5, 0, 0), Name: "Alan Smith"},
		&lantern.Staff{ID: "S2", Category: "officer", Role: "response", Team: "B", Gender: "male", StartDate: t0.AddDate(-5, 0, 0)},
		&lantern.Staff{ID: "S9", Category: "staff", Role: "analyst", Team: "U", Gender: "female", StartDate: t0.AddDate(-5, 0, 0)},
	))
	must(t, store.UpsertPersons(ctx, &lantern.Person{ID: "P1", Gender: "female", BirthYear: 1995, Area: "north",
		Flags: []string{"domestic_abuse_victim"}, PhoneHashes: []string{"secrethash1"}}))
	must(t, store.UpsertIncidents(ctx, &lantern.Incident{ID: "I1", Type: "domestic_abuse", Status: "open", OpenedAt: at(-48)}))
	must(t, store.AddInvolvements(ctx, &lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: "victim", At: at(-47)}))
	must(t, store.AddAssignments(ctx, &lantern.Assignment{IncidentID: "I1", StaffID: "S2", Kind: "assigned", At: at(-46)}))
	must(t, store.AddShifts(ctx, &lantern.Shift{StaffID: "S1", Kind: "duty", Start: at(-10), End: at(-2)}))
	must(t, store.SaveIndexedEvents(ctx,
		&lantern.IndexedEvent{ID: "E1", Kind: "access", Time: at(1), StaffID: "S1", System: "rms", Action: "view",
			PersonID: "P1", Fields: []string{"address"}, Purpose: lantern.PurposeNo, PurposeReason: "no link to the person; off duty"},
		&lantern.IndexedEvent{ID: "E0", Kind: "access", Time: at(-20), StaffID: "S1", System: "pnd", Action: "search",
			PersonID: "P1", Purpose: lantern.PurposeNo, PurposeReason: "no link to the person; off duty"},
		&lantern.IndexedEvent{ID: "E2", Kind: "access", Time: at(2), StaffID: "S2", System: "rms", Action: "view",
			PersonID: "P1", IncidentID: "I1", Purpose: lantern.PurposeYes, PurposeReason: "assigned to incident I1 (open)"},
	))
	alert := func(id, staff, rule string, score float64, h float64) *lantern.Alert {
		return &lantern.Alert{ID: id, Rule: rule, StaffID: staff, Key: "P1", Severity: "high", Score: score,
			FirstEvidence: at(h), LastEvidence: at(h), EvidenceIDs: []string{"E1", "GONE"}, Matches: 1,
			Explanation: "Viewed a vulnerable person's record off duty."}
	}
	as := []*lantern.Alert{alert("A1", "S1", "off_duty_access", 4, 1), alert("A2", "S2", "off_duty_access", 8, 2), alert("A9", "S9", "off_duty_access", 16, 3)}
	for _, r := range lantern.UserRoles {
		as = append(as, alert("AR-"+string(r), "S1", "renewed_interest_after_contact", 1, 0.5))
	}
	must(t, store.SaveAlerts(ctx, as...))
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	audit := &memAudit{}
	svc, err := workspace.New(workspace.Config{
		Alerts: store, Staff: store, Persons: store, Incidents: store, Roster: store, Quarantine: store,
		Sources: store, Index: store, Audit: audit, Intel: store, Rules: builtin{set}, Capacity: capacity,
		Now: func() time.Time { return at(100) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, store: store, audit: audit}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func as(p lantern.Principal) context.Context {
	return lantern.WithPrincipal(context.Background(), p)
}

func principal(r lantern.UserRole, staffID string) lantern.Principal {
	return lantern.Principal{UserID: "u-" + string(r), Name: "User", Role: r, StaffID: staffID, SessionID: "sess"}
}

func ids(q workspace.Queue) []string {
	var out []string
	for _, it := range q.Items {
		out = append(out, it.Alert.ID)
	}
	return out
}

func hasID(list []string, id string) bool { return slices.Contains(list, id) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func workspaceQueueFilter() workspace.QueueFilter { return workspace.QueueFilter{} }
