package intel

import (
	"context"
	"path/filepath"
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
