package intel

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

func as(t *testing.T, user string, role lantern.UserRole, staff string) context.Context {
	return lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: user, Role: role, StaffID: staff, SessionID: "s"})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := lantern.ErrorCode(err); got != code {
		t.Fatalf("error code %q, want %q (%v)", got, code, err)
	}
}

func TestGradeShareLink(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := NewService(Config{Store: st, Audit: &memAudit{}})
	if err != nil {
		t.Fatal(err)
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:r1", Summary: "s", State: lantern.IntelUngraded, CreatedBy: "ann", CreatedAt: time.Now()}
	if err := st.CreateIntelItem(t.Context(), it); err != nil {
		t.Fatal(err)
	}
	ann := as(t, "ann", lantern.UserAnalyst, "S100")
	ivy := as(t, "ivy", lantern.UserInvestigator, "S200")
	_, err = s.Share(ann, it.ID, "sanitised", "ACU")
	wantCode(t, err, lantern.ECONFLICT)
	if _, err := s.Grade(ivy, it.ID, lantern.Grade{Source: 2, Intelligence: "C", Handling: "P"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.LinkStaff(ivy, it.ID, "S7")
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.LinkStaff(ann, it.ID, "S100")
	wantCode(t, err, lantern.EFORBIDDEN)
	got, err := s.LinkStaff(ann, it.ID, "S7")
	if err != nil || got.StaffID != "S7" || got.LinkedBy != "ann" {
		t.Fatalf("link: %+v %v", got, err)
	}
	_, err = s.Share(ann, it.ID, "", "ACU")
	wantCode(t, err, lantern.EINVALID)
	got, err = s.Share(ann, it.ID, "An officer may have contacted a victim.", "ACU")
	if err != nil || got.State != lantern.IntelShared {
		t.Fatalf("share: %+v %v", got, err)
	}
	// The member of staff the item concerns never sees it, even in the unit.
	subject := as(t, "sid", lantern.UserAnalyst, "S7")
	_, err = s.Get(subject, it.ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	_, _, err = s.List(subject, lantern.IntelFilter{StaffID: "S7"})
	wantCode(t, err, lantern.EFORBIDDEN)
	list, n, err := s.List(subject, lantern.IntelFilter{})
	if err != nil || n != 0 || len(list) != 0 {
		t.Errorf("subject lists %d items: %v", n, err)
	}
	list, n, err = s.List(ann, lantern.IntelFilter{StaffID: "S7"})
	if err != nil || n != 1 || len(list) != 1 {
		t.Errorf("analyst lists %d items: %v", n, err)
	}
	_, err = s.Get(as(t, "adm", lantern.UserAdministrator, ""), it.ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.Get(t.Context(), it.ID)
	wantCode(t, err, lantern.EUNAUTHORIZED)
}

// TestCandidates resolves name and collar number to staff records for an
// analyst, never proposing the analyst's own record, and refuses other
// roles and empty identifiers.
func TestCandidates(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	staff := func(id, name, collar string) *lantern.Staff {
		return &lantern.Staff{ID: id, Category: "officer", Role: "response", Team: "T", Gender: "male", StartDate: start, Name: name, CollarNumber: collar}
	}
	if err := st.UpsertStaff(t.Context(), staff("S1", "Brian Clarke", "4512"), staff("S2", "Brian Jones", "4513"), staff("S3", "Anne Clarke", "7001"), staff("S9", "Brian Self", "9000")); err != nil {
		t.Fatal(err)
	}
	audit := &memAudit{}
	s, err := NewService(Config{Store: st, Audit: audit, Staff: st})
	if err != nil {
		t.Fatal(err)
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:1", Summary: "s", State: lantern.IntelUngraded, CreatedBy: "ann", CreatedAt: time.Now()}
	if err := st.CreateIntelItem(t.Context(), it); err != nil {
		t.Fatal(err)
	}
	ann := as(t, "ann", lantern.UserAnalyst, "S9")
	ids := func(who Identifiers) []string {
		t.Helper()
		list, err := s.Candidates(ann, it.ID, who)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range list {
			out = append(out, x.ID)
		}
		return out
	}
	if got := ids(Identifiers{Name: "brian"}); len(got) != 2 || got[0] != "S1" || got[1] != "S2" {
		t.Errorf("brian: %v", got)
	}
	if got := ids(Identifiers{Name: "CLARKE"}); len(got) != 2 || got[0] != "S1" || got[1] != "S3" {
		t.Errorf("clarke: %v", got)
	}
	if got := ids(Identifiers{Name: "brian clarke"}); len(got) != 1 || got[0] != "S1" {
		t.Errorf("brian clarke: %v", got)
	}
	if got := ids(Identifiers{CollarNumber: " 4513 "}); len(got) != 1 || got[0] != "S2" {
		t.Errorf("collar: %v", got)
	}
	if got := ids(Identifiers{CollarNumber: "9000"}); len(got) != 0 {
		t.Errorf("own collar number proposed: %v", got)
	}
	_, err = s.Candidates(ann, it.ID, Identifiers{Name: "  "})
	wantCode(t, err, lantern.EINVALID)
	_, err = s.Candidates(as(t, "ivy", lantern.UserInvestigator, "S8"), it.ID, Identifiers{Name: "brian"})
	wantCode(t, err, lantern.EFORBIDDEN)
	for _, e := range audit.entries {
		if e.Action == "intel.resolve" && (e.Detail == "" || strings.Contains(strings.ToLower(e.Detail), "brian")) {
			t.Errorf("resolve entry %+v", e)
		}
	}
}
