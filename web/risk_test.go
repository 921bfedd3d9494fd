package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"lantern"
)

// TestRiskAPICountsIntelligence checks that GET /api/v1/risk ranks staff
// as the workspace does: a graded intelligence item linked to S2 lifts
// them above S1, whose alert alone scores more.
func TestRiskAPICountsIntelligence(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	token := "risk-reader-token"
	sum := sha256.Sum256([]byte(token))
	if err := e.store.CreateSource(ctx, &lantern.Source{Name: "analysis", Scope: lantern.ScopeAlerts, TokenHash: sum[:], CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	graded := false
	rank := func(withIntel bool) []string {
		t.Helper()
		svc := Services{Alerts: e.store, Sources: e.store, Audit: e.store}
		if withIntel {
			svc.IntelLog = e.store
		}
		e.srv.Attach(svc)
		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/risk", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var reply struct {
			Staff []struct {
				StaffID     string `json:"staff_id"`
				Explanation string `json:"explanation"`
			} `json:"staff"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /api/v1/risk: %d %v", resp.StatusCode, err)
		}
		var ids []string
		for _, s := range reply.Staff {
			ids = append(ids, s.StaffID)
			if s.StaffID == "S2" && withIntel && graded != strings.Contains(s.Explanation, "intelligence") {
				t.Errorf("S2's explanation %q (item graded: %v)", s.Explanation, graded)
			}
		}
		return ids
	}
	if got := rank(true); len(got) != 2 || got[0] != "S1" {
		t.Fatalf("alerts alone rank %v, want S1 first", got)
	}

	it := &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:1", Summary: "A concern about a PC.",
		State: lantern.IntelUngraded, CreatedBy: "u1", CreatedAt: time.Now()}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(nil, e.store.CreateIntelItem(ctx, it))
	must(e.store.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: "S2", By: "u1", At: time.Now()}))
	if got := rank(true); got[0] != "S1" {
		t.Errorf("an ungraded item changed the ranking: %v", got)
	}
	must(e.store.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: lantern.Grade{Source: 1, Intelligence: "B", Handling: "P"}, By: "u1", At: time.Now()}))
	graded = true
	if got := rank(true); len(got) != 2 || got[0] != "S2" {
		t.Errorf("with S2's graded item the ranking is %v, want S2 first", got)
	}
	if got := rank(false); got[0] != "S1" {
		t.Errorf("without the intelligence log the ranking is %v, want S1 first", got)
	}
}
