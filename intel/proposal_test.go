package intel

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"lantern"
	"lantern/sqlite"
)

// TestProposals checks the generic mechanism: the proposer for the item's
// source is asked with its SourceRef; its order is kept; the user's own
// record, repeats and records that do not exist are left out; only analysts
// are given proposals, and each request is audited by count.
func TestProposals(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"S1", "S2", "S100"} {
		if err := st.UpsertStaff(t.Context(), &lantern.Staff{ID: id, Category: "officer", Role: "response", Gender: "male", StartDate: start, Name: "Officer " + id}); err != nil {
			t.Fatal(err)
		}
	}
	var asked []string
	audit := &memAudit{}
	s, err := NewService(Config{Store: st, Audit: audit, Staff: st, Proposers: map[string]func(context.Context, string) ([]Proposal, error){
		lantern.IntelFromReferral: func(_ context.Context, ref string) ([]Proposal, error) {
			asked = append(asked, ref)
			return []Proposal{{"S2", "collar number matches"}, {"S100", "the analyst's own record"}, {"S9", "no such record"}, {"S1", "name matches"}, {"S2", "again"}}, nil
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:7", Summary: "s", State: lantern.IntelUngraded, CreatedBy: "ann", CreatedAt: start}
	other := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:r1", Summary: "s", State: lantern.IntelUngraded, CreatedBy: "ann", CreatedAt: start}
	for _, x := range []*lantern.IntelItem{it, other} {
		if err := st.CreateIntelItem(t.Context(), x); err != nil {
			t.Fatal(err)
		}
	}
	ann := as(t, "ann", lantern.UserAnalyst, "S100")
	got, err := s.Proposals(ann, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Staff.ID != "S2" || got[0].Reason != "collar number matches" || got[1].Staff.ID != "S1" || got[1].Staff.Name != "Officer S1" {
		t.Fatalf("proposals: %+v", got)
	}
	if len(asked) != 1 || asked[0] != "referral:7" {
		t.Errorf("proposer asked %v", asked)
	}
	if got, err := s.Proposals(ann, other.ID); err != nil || got != nil {
		t.Errorf("a source with no proposer: %v %v", got, err)
	}
	_, err = s.Proposals(as(t, "ivy", lantern.UserInvestigator, "S200"), it.ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.Proposals(as(t, "pat", lantern.UserPartner, ""), it.ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.Proposals(ann, 9999)
	wantCode(t, err, lantern.ENOTFOUND)
	// An item already linked to the analyst is refused, as on every path.
	if _, err := st.LinkIntelStaff(t.Context(), it.ID, lantern.StaffLink{StaffID: "S100", By: "amy", At: start}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Proposals(ann, it.ID)
	wantCode(t, err, lantern.EFORBIDDEN)
	var allowed, denied int
	for _, e := range audit.entries {
		if e.Action == "intel.propose" {
			if e.Outcome == lantern.AuditAllowed && e.Detail == "2 proposals" {
				allowed++
			}
			if e.Outcome == lantern.AuditDenied {
				denied++
			}
		}
	}
	if allowed != 1 || denied != 2 {
		t.Errorf("audit: %d allowed, %d denied: %+v", allowed, denied, audit.entries)
	}
}
