package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"lantern"
)

// TestIntelPages walks an item through the intelligence log's pages:
// grading with its errors, sharing refused until graded, and the
// analyst's confirmed link to a member of staff, with the analyst's own
// staff record never proposed nor shown.
func TestIntelPages(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if err := e.store.UpsertStaff(ctx,
		&lantern.Staff{ID: "S3", Category: "officer", Role: "response", Team: "Team 3", Gender: "male", StartDate: t0.AddDate(-2, 0, 0), Name: "Brian Clarke", CollarNumber: "4512"},
		&lantern.Staff{ID: "S10", Category: "staff", Role: "ccu", Team: "PSD", Gender: "male", StartDate: t0.AddDate(-2, 0, 0), Name: "Brian Analyst", CollarNumber: "9001"},
	); err != nil {
		t.Fatal(err)
	}
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S10"))
	ivy := e.signIn(e.addUser("ivy", lantern.UserInvestigator, "S8"))
	mk := func(summary string) int64 {
		it := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:A2", Summary: summary, State: lantern.IntelUngraded, CreatedBy: "system", CreatedAt: t0}
		if err := e.store.CreateIntelItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	id := mk("He was seen at the victim's address off duty.")
	self := mk("A note about the analyst herself.")
	if _, err := e.store.LinkIntelStaff(ctx, self, lantern.StaffLink{StaffID: "S10", By: "someone", At: t0}); err != nil {
		t.Fatal(err)
	}
	page := "/intel/" + strconv.FormatInt(id, 10)

	// The list shows the item and not the one about the analyst.
	list := ann.get("/intel?state=ungraded")
	if list.Status != 200 || !strings.Contains(list.Body, page) || strings.Contains(list.Body, "/intel/"+strconv.FormatInt(self, 10)+`"`) {
		t.Fatalf("list: %d %.3000s", list.Status, list.Body)
	}
	if r := ann.get("/intel/" + strconv.FormatInt(self, 10)); r.Status != 403 || strings.Contains(r.Body, "analyst herself") {
		t.Fatalf("own item: %d", r.Status)
	}
	if r := ann.get("/intel?state=graded"); strings.Contains(r.Body, page+`"`) {
		t.Fatal("an ungraded item in the graded list")
	}

	// The grading form explains each grade.
	body := ann.get(page).Body
	for _, s := range []string{"1: Reliable", "E: Suspected to be false", "C: Sharing permitted with conditions", "Grade the item before you share it"} {
		if !strings.Contains(body, s) {
			t.Errorf("item page lacks %q", s)
		}
	}
	tok := ann.token(page)
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf_token": {tok}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// Sharing before grading is refused.
	if r := ann.do("POST", page+"/share", form("sanitised", "An officer may be misusing his position.", "with", "Force B ACU")); r.Status != 400 || !strings.Contains(r.Body, "must be graded before it can be shared") {
		t.Fatalf("share ungraded: %d %.500s", r.Status, r.Body)
	}
	// Grading errors.
	if r := ann.do("POST", page+"/grade", form("intelligence", "B", "handling", "P")); r.Status != 400 || !strings.Contains(r.Body, "Choose how reliable the source is") {
		t.Fatalf("no source: %d", r.Status)
	}
	if r := ann.do("POST", page+"/grade", form("source", "2", "intelligence", "B", "handling", "C")); r.Status != 400 || !strings.Contains(r.Body, "needs the conditions") {
		t.Fatalf("C without conditions: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", page+"/grade", form("source", "4", "intelligence", "B", "handling", "P")); r.Status != 400 || !strings.Contains(r.Body, "must be 1, 2 or 3") {
		t.Fatalf("source 4: %d", r.Status)
	}
	if r := ann.do("POST", page+"/grade", form("source", "2", "intelligence", "B", "handling", "C", "conditions", "Not outside the force")); r.Status != http.StatusSeeOther {
		t.Fatalf("grade: %d %.500s", r.Status, r.Body)
	}
	if body := ann.get(page + "?done=graded").Body; !strings.Contains(body, "2/B/C") || !strings.Contains(body, "Not outside the force") {
		t.Fatalf("grade not shown: %.2000s", body)
	}
	// Sharing needs sanitised text and a recipient.
	if r := ann.do("POST", page+"/share", form("with", "Force B ACU")); r.Status != 400 || !strings.Contains(r.Body, "sanitised text") {
		t.Fatalf("share without text: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", page+"/share", form("sanitised", "An officer may be misusing his position.")); r.Status != 400 || !strings.Contains(r.Body, "Enter who the item is shared with") {
		t.Fatalf("share without recipient: %d", r.Status)
	}

	// Linking: the analyst searches by name; the analyst's own record is
	// never proposed.
	r := ann.get(page + "?name=brian")
	if r.Status != 200 || !strings.Contains(r.Body, `value="S3"`) || !strings.Contains(r.Body, `value="S2"`) || strings.Contains(r.Body, `value="S10"`) {
		t.Fatalf("candidates: %d %.3000s", r.Status, r.Body)
	}
	if r := ann.get(page + "?collar=4512"); !strings.Contains(r.Body, `value="S3"`) || strings.Contains(r.Body, `value="S2"`) {
		t.Fatalf("by collar: %.3000s", r.Body)
	}
	if r := ann.get(page + "?name=&collar="); r.Status != 400 || !strings.Contains(r.Body, "Enter a name or a collar number") {
		t.Fatalf("empty search: %d", r.Status)
	}
	if r := ann.do("POST", page+"/link", form("staff_id", "S3", "name", "brian")); r.Status != 400 || !strings.Contains(r.Body, "Confirm that you have checked") || !strings.Contains(r.Body, `value="S3"`) {
		t.Fatalf("link without confirmation: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", page+"/link", form("staff_id", "S10", "confirm", "yes")); r.Status != 403 {
		t.Fatalf("link to self: %d", r.Status)
	}
	if r := ivy.do("POST", page+"/link", url.Values{"csrf_token": {ivy.token(page)}, "staff_id": {"S3"}, "confirm": {"yes"}}); r.Status != 403 {
		t.Fatalf("investigator linked: %d", r.Status)
	}
	if r := ann.do("POST", page+"/link", form("staff_id", "S3", "confirm", "yes")); r.Status != http.StatusSeeOther {
		t.Fatalf("link: %d %.500s", r.Status, r.Body)
	}
	// The investigator shares it; after that it cannot be regraded.
	itok := ivy.token(page)
	if r := ivy.do("POST", page+"/share", url.Values{"csrf_token": {itok}, "sanitised": {"An officer may be misusing his position."}, "with": {"Force B ACU"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("share: %d %.500s", r.Status, r.Body)
	}
	body = ivy.get(page).Body
	if !strings.Contains(body, "Force B ACU") || strings.Contains(body, "Save grade") || !strings.Contains(body, "/staff/S3") {
		t.Fatalf("shared page: %.3000s", body)
	}
	if r := ivy.do("POST", page+"/grade", url.Values{"csrf_token": {itok}, "source": {"1"}, "intelligence": {"A"}, "handling": {"P"}}); r.Status != 400 || !strings.Contains(r.Body, "cannot be graded again") {
		t.Fatalf("regrade after sharing: %d", r.Status)
	}

	// The item is on S3's profile with its weight; the risk API counts it.
	if r := ivy.get("/staff/S3"); r.Status != 200 || !strings.Contains(r.Body, `href="`+page+`"`) || !strings.Contains(r.Body, "graded 2/B/C") || !strings.Contains(r.Body, "adds 4.8 to the risk score") {
		t.Fatalf("profile: %d %.4000s", r.Status, r.Body)
	}

	// The API gives the same item; the candidates API never proposes the
	// user's own record.
	var it lantern.IntelItem
	if r := ann.get("/api/v1/workspace/intel/" + strconv.FormatInt(id, 10)); r.Status != 200 || json.Unmarshal([]byte(r.Body), &it) != nil ||
		it.State != lantern.IntelShared || it.StaffID != "S3" || it.LinkedBy == "" || it.Grade == nil || it.Grade.String() != "2/B/C" {
		t.Fatalf("item API: %d %s", r.Status, r.Body)
	}
	var listed intelListReply
	if r := ann.get("/api/v1/workspace/intel"); json.Unmarshal([]byte(r.Body), &listed) != nil || listed.Total != 1 || len(listed.Items) != 1 {
		t.Fatalf("list API for the analyst: %s", r.Body)
	}
	if r := ann.get("/api/v1/workspace/intel/" + strconv.FormatInt(id, 10) + "/candidates?name=Brian"); r.Status != 200 || strings.Contains(r.Body, "S10") || !strings.Contains(r.Body, `"S3"`) {
		t.Fatalf("candidates API: %d %s", r.Status, r.Body)
	}

	// Every step is on the audit trail, and no identifier typed in a search.
	entries, err := e.store.AuditEntries(ctx, lantern.AuditQuery{Object: "intel:" + strconv.FormatInt(id, 10), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, a := range entries {
		trail = append(trail, a.Action+" "+a.Outcome)
		if strings.Contains(strings.ToLower(a.Detail), "brian") || strings.Contains(a.Detail, "4512") {
			t.Errorf("identifiers on the audit trail: %+v", a)
		}
	}
	all := strings.Join(trail, ", ")
	for _, want := range []string{"intel.view allowed", "intel.grade allowed", "intel.share failed", "intel.share allowed", "intel.resolve allowed", "intel.link allowed", "intel.link denied"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit trail lacks %q: %s", want, all)
		}
	}
}

// TestIntelSealedPages reads a sealed item through the pages and the API:
// the analyst whose key it was wrapped for reads its text; a colleague who
// joined later sees the item, its grade and a notice in place of the
// text, and cannot write sanitised text under a key they do not hold.
func TestIntelSealedPages(t *testing.T) {
	e := newTestEnv(t)
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, ""))
	const summary = "Sergeant Quillfeather was seen at the victim's address off duty."
	it := &lantern.IntelItem{Source: lantern.IntelFromScreening, SourceRef: "screening:S3", Summary: summary, CreatedBy: "system", CreatedAt: t0}
	if err := e.intel.CreateIntelItem(context.Background(), it); err != nil { // by the system: no one signed in
		t.Fatal(err)
	}
	stored, err := e.store.IntelItem(context.Background(), it.ID)
	if err != nil || stored.Summary != "" || stored.Sealed == nil {
		t.Fatalf("stored %+v %v", stored, err)
	}
	page := "/intel/" + strconv.FormatInt(it.ID, 10)
	if r := ann.get(page); r.Status != 200 || !strings.Contains(r.Body, "Quillfeather was seen") || strings.Contains(r.Body, "Sign in again") {
		t.Fatalf("analyst's page: %d %.2000s", r.Status, r.Body)
	}
	tok := ann.token(page)
	if r := ann.do("POST", page+"/grade", url.Values{"csrf_token": {tok}, "source": {"2"}, "intelligence": {"B"}, "handling": {"P"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("grade: %d", r.Status)
	}

	nia := e.signIn(e.addUser("nia", lantern.UserAnalyst, ""))
	r := nia.get(page)
	if r.Status != 200 || strings.Contains(r.Body, "Quillfeather") || !strings.Contains(r.Body, "was not wrapped for you") || !strings.Contains(r.Body, "2/B/P") {
		t.Fatalf("newcomer's page: %d %.3000s", r.Status, r.Body)
	}
	var got lantern.IntelItem
	if r := nia.get("/api/v1/workspace/intel/" + strconv.FormatInt(it.ID, 10)); r.Status != 200 || json.Unmarshal([]byte(r.Body), &got) != nil ||
		got.Summary != "" || !strings.Contains(got.Unreadable, "ask a colleague") || got.Grade == nil {
		t.Fatalf("newcomer's API: %d %s", r.Status, r.Body)
	}
	if r := nia.get("/intel"); r.Status != 200 || !strings.Contains(r.Body, page) {
		t.Fatalf("newcomer's list: %d", r.Status)
	}
	if r := nia.do("POST", page+"/share", url.Values{"csrf_token": {nia.token(page)}, "sanitised": {"An officer may be misusing his position."}, "with": {"Force B ACU"}}); r.Status != 403 || !strings.Contains(r.Body, "was not wrapped for you") {
		t.Fatalf("newcomer shared: %d %.500s", r.Status, r.Body)
	}
	if r := ann.do("POST", page+"/share", url.Values{"csrf_token": {tok}, "sanitised": {"An officer may be misusing his position."}, "with": {"Force B ACU"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("analyst shared: %d %.500s", r.Status, r.Body)
	}
	if r := ann.get(page); !strings.Contains(r.Body, "An officer may be misusing his position.") {
		t.Fatalf("sanitised text not shown: %.3000s", r.Body)
	}
	if stored, _ := e.store.IntelItem(context.Background(), it.ID); stored.Sanitised != "" || stored.Sealed == nil || stored.Sealed.Sanitised == nil {
		t.Fatalf("sanitised text stored in clear: %+v", stored)
	}
}
