package referral

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"lantern"
	"lantern/sqlite"
)

type memAudit struct {
	mu      sync.Mutex
	entries []lantern.AuditEntry
}

func (a *memAudit) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return e, nil
}

func (a *memAudit) AuditEntries(context.Context, lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	return nil, nil
}

func (a *memAudit) count(action, outcome string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.entries {
		if e.Action == action && e.Outcome == outcome {
			n++
		}
	}
	return n
}

var orgs = map[string]string{"pat": "refuge-north", "pam": "refuge-north", "sam": "rape-crisis-east"}

func setup(t *testing.T) (*Service, *memAudit) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	audit := &memAudit{}
	s, err := NewService(Config{Store: st, Audit: audit, PartnerOf: func(_ context.Context, id string) (string, error) { return orgs[id], nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s, audit
}

func as(t *testing.T, user string, role lantern.UserRole) context.Context {
	return lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: user, Role: role, SessionID: "s-" + user})
}

func partner(t *testing.T, user string) context.Context { return as(t, user, lantern.UserPartner) }
func analyst(t *testing.T) context.Context              { return as(t, "ann", lantern.UserAnalyst) }

func referral() lantern.Referral {
	return lantern.Referral{Concern: "A PC gave her his personal number at the scene and has messaged her since.",
		Officer:       lantern.OfficerDetails{Name: "Gary", CollarNumber: "PC 2210", Force: "Midshire", Vehicle: "silver Astra"},
		VictimConsent: lantern.ConsentGiven, Safeguarding: lantern.SafeguardingInPlace}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := lantern.ErrorCode(err); got != code {
		t.Fatalf("error code %q, want %q (%v)", got, code, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPartnersSeeOnlyTheirOwn checks that a partner sees their own
// organisation's referrals (a colleague's included) and nothing of another
// organisation's: not in lists, not by id, not to message or withdraw, and
// the answer for another's is the answer for one that does not exist.
func TestPartnersSeeOnlyTheirOwn(t *testing.T) {
	s, audit := setup(t)
	north, err := s.Submit(partner(t, "pat"), referral())
	must(t, err)
	east, err := s.Submit(partner(t, "sam"), referral())
	must(t, err)
	if north.Partner != "refuge-north" || north.SubmittedBy != "pat" || north.Status != lantern.ReferralSubmitted {
		t.Fatalf("submitted %+v", north)
	}
	list, n, err := s.List(partner(t, "pam"), lantern.ReferralFilter{Partner: "rape-crisis-east"})
	must(t, err)
	if n != 1 || len(list) != 1 || list[0].ID != north.ID {
		t.Fatalf("pam sees %d: %+v", n, list)
	}
	_, _, err = s.Get(partner(t, "pat"), east.ID)
	wantCode(t, err, lantern.ENOTFOUND)
	_, _, errMissing := s.Get(partner(t, "pat"), 9999)
	if lantern.ErrorMessage(err) != lantern.ErrorMessage(errMissing) {
		t.Errorf("another's referral answered %q, a missing one %q", lantern.ErrorMessage(err), lantern.ErrorMessage(errMissing))
	}
	_, err = s.Message(partner(t, "pat"), east.ID, "hello")
	wantCode(t, err, lantern.ENOTFOUND)
	_, err = s.SetStatus(partner(t, "pat"), east.ID, lantern.ReferralWithdrawn, "")
	wantCode(t, err, lantern.ENOTFOUND)
	if audit.count("referral.view", lantern.AuditDenied) < 1 {
		t.Errorf("refusals not audited")
	}

	// The unit sees everything, acknowledges with feedback and asks.
	all, n, err := s.List(analyst(t), lantern.ReferralFilter{})
	must(t, err)
	if n != 2 || len(all) != 2 {
		t.Fatalf("unit sees %d", n)
	}
	r, err := s.SetStatus(analyst(t), north.ID, lantern.ReferralAcknowledged, "Thank you; we are looking at this.")
	must(t, err)
	if r.StatusBy != "ann" {
		t.Errorf("unit's view lacks who: %+v", r)
	}
	_, err = s.Message(analyst(t), north.ID, "Would she speak to an investigator?")
	must(t, err)
	got, msgs, err := s.Get(partner(t, "pat"), north.ID)
	must(t, err)
	if got.Status != lantern.ReferralAcknowledged || got.Feedback == "" || got.StatusBy != "" {
		t.Errorf("partner's view %+v", got)
	}
	if len(msgs) != 1 || msgs[0].By != "" || msgs[0].From != lantern.FromUnit {
		t.Errorf("partner's messages %+v", msgs)
	}
	_, err = s.Message(partner(t, "pat"), north.ID, "Yes, on Tuesdays.")
	must(t, err)

	// Partners may only withdraw; the unit may not withdraw for them.
	_, err = s.SetStatus(partner(t, "pat"), north.ID, lantern.ReferralAssessing, "")
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.SetStatus(analyst(t), east.ID, lantern.ReferralWithdrawn, "")
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.SetStatus(partner(t, "sam"), east.ID, lantern.ReferralWithdrawn, "")
	must(t, err)
	_, err = s.SetStatus(analyst(t), north.ID, lantern.ReferralAssessing, "")
	must(t, err)
	_, err = s.SetStatus(partner(t, "pat"), north.ID, lantern.ReferralWithdrawn, "")
	wantCode(t, err, lantern.ECONFLICT)

	// Only the unit records intelligence, and only unit roles and partners
	// have any part here.
	_, err = s.CreateIntel(partner(t, "pat"), north.ID, "x")
	wantCode(t, err, lantern.EFORBIDDEN)
	it, err := s.CreateIntel(analyst(t), north.ID, "A PC may be pursuing a domestic abuse victim.")
	must(t, err)
	if it.SourceRef != "referral:1" || it.Source != lantern.IntelFromReferral {
		t.Errorf("item %+v", it)
	}
	for _, role := range []lantern.UserRole{lantern.UserAdministrator, lantern.UserAuditor, lantern.UserInspector} {
		_, _, err := s.List(as(t, "x", role), lantern.ReferralFilter{})
		wantCode(t, err, lantern.EFORBIDDEN)
	}
	_, _, err = s.List(t.Context(), lantern.ReferralFilter{})
	wantCode(t, err, lantern.EUNAUTHORIZED)
	_, err = s.Submit(analyst(t), referral())
	wantCode(t, err, lantern.EFORBIDDEN)
	bad := referral()
	bad.Concern = ""
	_, err = s.Submit(partner(t, "pat"), bad)
	wantCode(t, err, lantern.EINVALID)
}

// countNotifier counts arrival notices; it is given nothing else.
type countNotifier struct{ n int }

func (c *countNotifier) Arrived(context.Context) { c.n++ }

// TestUnitToldOfArrivals checks that a new referral and a partner's message
// each tell the unit something arrived, and that the unit's own message,
// and a refused submission, do not.
func TestUnitToldOfArrivals(t *testing.T) {
	s, _ := setup(t)
	notes := &countNotifier{}
	s.cfg.Notifier = notes
	r, err := s.Submit(partner(t, "pat"), referral())
	must(t, err)
	if notes.n != 1 {
		t.Fatalf("after a referral: %d notices", notes.n)
	}
	bad := referral()
	bad.Concern = ""
	_, err = s.Submit(partner(t, "pat"), bad)
	wantCode(t, err, lantern.EINVALID)
	_, err = s.Message(analyst(t), r.ID, "Thank you: we are looking at this.")
	must(t, err)
	if notes.n != 1 {
		t.Fatalf("after a refused referral and the unit's message: %d notices", notes.n)
	}
	_, err = s.Message(partner(t, "pam"), r.ID, "She has had another message from him.")
	must(t, err)
	if notes.n != 2 {
		t.Fatalf("after the partner's message: %d notices", notes.n)
	}
}
