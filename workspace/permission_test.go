package workspace_test

import (
	"context"
	"testing"

	"lantern"
)

// method is one Service method, called for a test with the alert it may
// change, and the action it needs.
type method struct {
	name   string
	action lantern.Action
	call   func(e *env, ctx context.Context, role lantern.UserRole) error
}

var methods = []method{
	{"Queue", lantern.ActViewAlerts, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.Queue(ctx, workspaceQueueFilter())
		return err
	}},
	{"Alert", lantern.ActViewAlerts, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.Alert(ctx, "A1")
		return err
	}},
	{"ChangeAlert", lantern.ActChangeAlert, func(e *env, ctx context.Context, r lantern.UserRole) error {
		_, err := e.svc.ChangeAlert(ctx, "AR-"+string(r), lantern.AlertStateUpdate{State: lantern.AlertTriaged})
		return err
	}},
	{"StaffProfile", lantern.ActViewStaff, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.StaffProfile(ctx, "S1")
		return err
	}},
	{"Person", lantern.ActViewPerson, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.Person(ctx, "P1", lantern.IndexPage{})
		return err
	}},
	{"Rules", lantern.ActViewRules, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.Rules(ctx)
		return err
	}},
	{"Intake", lantern.ActViewIntake, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.Intake(ctx)
		return err
	}},
	{"AuditSearch", lantern.ActViewAudit, func(e *env, ctx context.Context, _ lantern.UserRole) error {
		_, err := e.svc.AuditSearch(ctx, lantern.AuditQuery{Object: "alert:A1"})
		return err
	}},
}

// TestPermissions calls every method as every role, and as a user locked
// out and as nobody, and checks the outcome against the policy in
// access.go, and that each call left exactly one audit entry saying so.
func TestPermissions(t *testing.T) {
	e := newEnv(t, 10)
	type who struct {
		name string
		p    lantern.Principal
		want func(m method) string // the error code expected, "" for success
	}
	var cases []who
	for _, r := range lantern.UserRoles {
		cases = append(cases, who{string(r), principal(r, "S9"), func(m method) string {
			if r.Allowed(m.action) {
				return ""
			}
			return lantern.EFORBIDDEN
		}})
	}
	for _, r := range lantern.UserRoles {
		p := principal(r, "S9")
		p.LockedOut = true
		cases = append(cases, who{"locked-out " + string(r), p, func(method) string { return lantern.EFORBIDDEN }})
	}
	cases = append(cases, who{"nobody", lantern.Principal{}, func(method) string { return lantern.EUNAUTHORIZED }})
	for _, c := range cases {
		for _, m := range methods {
			t.Run(c.name+"/"+m.name, func(t *testing.T) {
				before := e.audit.len()
				err := m.call(e, as(c.p), c.p.Role)
				want := c.want(m)
				if got := codeOf(err); got != want {
					t.Fatalf("error %v (code %q), want code %q", err, got, want)
				}
				if n := e.audit.len() - before; n != 1 {
					t.Fatalf("%d audit entries, want 1", n)
				}
				entry := e.audit.last()
				outcome := lantern.AuditAllowed
				if want != "" {
					outcome = lantern.AuditDenied
				}
				if entry.Outcome != outcome || entry.Action != string(m.action) || entry.Object == "" {
					t.Errorf("audit entry %+v, want outcome %s for %s", entry, outcome, m.action)
				}
				if c.p.UserID != "" && (entry.UserID != c.p.UserID || entry.Role != c.p.Role) {
					t.Errorf("audit entry names %s/%s", entry.UserID, entry.Role)
				}
			})
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return lantern.ErrorCode(err)
}

// TestSelfView checks that nobody sees or changes alerts, or a profile,
// about themselves, whatever their role, that the refusal is audited, and
// that the queue leaves their own alerts out.
func TestSelfView(t *testing.T) {
	e := newEnv(t, 10)
	for _, r := range []lantern.UserRole{lantern.UserAnalyst, lantern.UserInvestigator, lantern.UserHeadOfPSD} {
		t.Run(string(r), func(t *testing.T) {
			ctx := as(principal(r, "S1"))
			for name, call := range map[string]func() error{
				"Alert": func() error { _, err := e.svc.Alert(ctx, "A1"); return err },
				"ChangeAlert": func() error {
					_, err := e.svc.ChangeAlert(ctx, "A1", lantern.AlertStateUpdate{State: lantern.AlertTriaged})
					return err
				},
				"StaffProfile": func() error { _, err := e.svc.StaffProfile(ctx, "S1"); return err },
			} {
				before := e.audit.len()
				if err := call(); codeOf(err) != lantern.EFORBIDDEN {
					t.Errorf("%s about oneself: %v", name, err)
				}
				if e.audit.len()-before != 1 || e.audit.last().Outcome != lantern.AuditDenied {
					t.Errorf("%s about oneself: audit %+v", name, e.audit.last())
				}
			}
			q, err := e.svc.Queue(ctx, workspaceQueueFilter())
			must(t, err)
			for _, it := range q.Items {
				if it.Alert.StaffID == "S1" {
					t.Errorf("the queue shows %s alert %s about the user", r, it.Alert.ID)
				}
			}
			if !hasID(ids(q), "A2") || !hasID(ids(q), "A9") {
				t.Errorf("queue %v misses others' alerts", ids(q))
			}
		})
	}
	// Someone else may see A1, but not A9 about themselves (S9).
	a, err := e.svc.Alert(as(principal(lantern.UserAnalyst, "S9")), "A1")
	must(t, err)
	if a.Alert.ID != "A1" {
		t.Errorf("alert %s", a.Alert.ID)
	}
}

// TestAuditFailureShowsNothing checks that when the trail cannot be
// written, the call fails and returns nothing.
func TestAuditFailureShowsNothing(t *testing.T) {
	e := newEnv(t, 10)
	e.audit.fail = true
	q, err := e.svc.Queue(as(principal(lantern.UserAnalyst, "S9")), workspaceQueueFilter())
	if codeOf(err) != lantern.EINTERNAL || len(q.Items) != 0 {
		t.Errorf("queue with a broken trail: %v, %d items", err, len(q.Items))
	}
	_, err = e.svc.Person(as(principal(lantern.UserAnalyst, "S9")), "P1", lantern.IndexPage{})
	if codeOf(err) != lantern.EINTERNAL {
		t.Errorf("person with a broken trail: %v", err)
	}
}
