package lantern

import (
	"fmt"
	"testing"
)

// TestAuthorizeEveryRoleAndAction checks the policy, written out here by
// hand rather than read from the permissions map, for every role against
// every action.
func TestAuthorizeEveryRoleAndAction(t *testing.T) {
	const (
		y = true
		n = false
	)
	// Columns follow Actions: alerts.view, alerts.change, staff.view,
	// person.view, rules.view, rules.reload, intake.view, audit.view,
	// users.manage, staff.restrict, reports.view, reports.change,
	// identity.request, identity.decide, referrals.partner, referrals.view,
	// referrals.change, intel.view, intel.change, intel.link.
	want := map[UserRole][]bool{
		UserAnalyst:       {y, y, y, y, y, n, y, n, n, n, y, y, y, n, n, y, y, y, y, y},
		UserInvestigator:  {y, y, y, y, y, n, n, n, n, n, y, y, y, n, n, y, y, y, y, n},
		UserHeadOfPSD:     {y, y, y, y, y, n, y, n, n, y, y, y, n, y, n, y, y, y, y, n},
		UserAuditor:       {n, n, n, n, n, n, n, y, n, n, n, n, n, n, n, n, n, n, n, n},
		UserAdministrator: {n, n, n, n, y, y, y, n, y, n, n, n, n, n, n, n, n, n, n, n},
		UserPartner:       {n, n, n, n, n, n, n, n, n, n, n, n, n, n, y, n, n, n, n, n},
		UserInspector:     {n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n},
	}
	if len(want) != len(UserRoles) {
		t.Fatalf("the table covers %d roles, there are %d", len(want), len(UserRoles))
	}
	for _, role := range UserRoles {
		row := want[role]
		if len(row) != len(Actions) {
			t.Fatalf("%s: the table has %d actions, there are %d", role, len(row), len(Actions))
		}
		for i, act := range Actions {
			t.Run(fmt.Sprintf("%s/%s", role, act), func(t *testing.T) {
				p := Principal{UserID: "u1", Role: role, StaffID: "S1", SessionID: "s1"}
				for _, about := range []string{"", "S2"} {
					err := Authorize(p, act, about)
					if row[i] && err != nil {
						t.Errorf("about %q: refused: %v", about, err)
					}
					if !row[i] && ErrorCode(err) != EFORBIDDEN {
						t.Errorf("about %q: got %v, want EFORBIDDEN", about, err)
					}
				}
				if role.Allowed(act) != row[i] {
					t.Errorf("Allowed = %v", role.Allowed(act))
				}

				// Locked out: nothing at all, whatever the role.
				locked := p
				locked.LockedOut = true
				if err := Authorize(locked, act, ""); ErrorCode(err) != EFORBIDDEN {
					t.Errorf("locked out: got %v, want EFORBIDDEN", err)
				}
				// Not signed in.
				if err := Authorize(Principal{Role: role}, act, ""); ErrorCode(err) != EUNAUTHORIZED {
					t.Errorf("no user: got %v, want EUNAUTHORIZED", err)
				}
				// Self-view: material about the user's own staff id.
				err := Authorize(p, act, "S1")
				selfDenied := act == ActViewAlerts || act == ActChangeAlert || act == ActViewStaff || act == ActViewAudit || act == ActRestrictStaff
				switch {
				case !row[i] || selfDenied:
					if ErrorCode(err) != EFORBIDDEN {
						t.Errorf("about themselves: got %v, want EFORBIDDEN", err)
					}
				case err != nil:
					t.Errorf("about themselves, an action that is not about staff: %v", err)
				}
				// A user who is not on the staff has no self to protect.
				outsider := p
				outsider.StaffID = ""
				if err := Authorize(outsider, act, "S1"); row[i] && err != nil {
					t.Errorf("no staff id: %v", err)
				}
			})
		}
	}
}

func TestUserRoleUnitRole(t *testing.T) {
	for _, r := range UserRoles {
		want := r == UserAnalyst || r == UserInvestigator || r == UserHeadOfPSD || r == UserAuditor
		if r.UnitRole() != want || !r.Valid() {
			t.Errorf("%s: UnitRole %v, Valid %v", r, r.UnitRole(), r.Valid())
		}
	}
	if UserRole("chief").Valid() {
		t.Error("an unknown role is valid")
	}
}
