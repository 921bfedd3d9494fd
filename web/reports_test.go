package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lantern"
	"lantern/report"
)

// TestReportPagesConversation follows a report through the unit's pages: the
// list shows no content, the report page shows the answers, the file's
// sanitised copy and the thread; a question reaches the reporter and their
// answer reaches the unit; a confidential reporter's identity is shown only
// after the head of PSD approves an analyst's request; and every step is on
// the audit trail without the report's words.
func TestReportPagesConversation(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S9"))
	hop := e.signIn(e.addUser("hop", lantern.UserHeadOfPSD, "S7"))
	aud := e.signIn(e.addUser("aud", lantern.UserAuditor, "S6"))

	const what = "Sergeant Quillfeather kept texting the woman he took a statement from."
	sub, err := e.reports.Submit(ctx, lantern.Report{Kind: lantern.ReportConfidential,
		Answers:  lantern.ReportAnswers{What: what, Where: "Northgate station"},
		Identity: &lantern.ReporterIdentity{Name: "Dana Reporter", Contact: "07700 900123"}},
		[]report.Upload{{Name: "messages.txt", Data: []byte("screenshot text: see you tonight")}})
	if err != nil || sub.FilesNotSaved != 0 {
		t.Fatalf("submit: %v %+v", err, sub)
	}

	list := ann.get("/reports")
	if list.Status != 200 || strings.Contains(list.Body, "Quillfeather") || !strings.Contains(list.Body, "Confidential") {
		t.Fatalf("list: %d %.800s", list.Status, list.Body)
	}
	id := regexp.MustCompile(`href="/reports/([a-z0-9]+)"`).FindStringSubmatch(list.Body)
	if id == nil {
		t.Fatalf("no report link: %.800s", list.Body)
	}
	page := "/reports/" + id[1]
	rep := ann.get(page)
	if rep.Status != 200 || !strings.Contains(rep.Body, "Quillfeather") || !strings.Contains(rep.Body, "Northgate station") ||
		strings.Contains(rep.Body, "Dana Reporter") || !strings.Contains(rep.Body, "messages.txt") {
		t.Fatalf("report page: %d %.2000s", rep.Status, rep.Body)
	}
	file := regexp.MustCompile(`href="(/reports/[a-z0-9]+/files/[a-z0-9]+)"`).FindStringSubmatch(rep.Body)
	if file == nil {
		t.Fatal("no file link")
	}
	if f := ann.get(file[1]); f.Status != 200 || f.Body != "screenshot text: see you tonight" ||
		!strings.Contains(f.Header.Get("Content-Disposition"), "messages.txt") {
		t.Fatalf("file: %d %v %q", f.Status, f.Header, f.Body)
	}

	// An empty question comes back with its error; a real one is sent.
	tok := ann.token(page)
	if r := ann.do("POST", page+"/ask", url.Values{"csrf_token": {tok}, "question": {"  "}}); r.Status != 400 || !strings.Contains(r.Body, "Enter a question") {
		t.Fatalf("empty question: %d %.500s", r.Status, r.Body)
	}
	r := ann.do("POST", page+"/ask", url.Values{"csrf_token": {tok}, "question": {"Which day was the statement taken?"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("ask: %d %.500s", r.Status, r.Body)
	}
	th, err := e.reports.Thread(ctx, sub.Receipt, "test")
	if err != nil || len(th.Messages) != 1 || th.Messages[0].Text != "Which day was the statement taken?" {
		t.Fatalf("reporter's thread: %v %+v", err, th)
	}
	if err := e.reports.Reply(ctx, sub.Receipt, "test", "It was Tuesday 3 March.", nil); err != nil {
		t.Fatal(err)
	}
	if body := ann.get(page).Body; !strings.Contains(body, "It was Tuesday 3 March.") || !strings.Contains(body, "The reporter's answer") {
		t.Fatalf("answer not shown: %.3000s", body)
	}

	// Closing needs a reason.
	if r := ann.do("POST", page+"/status", url.Values{"csrf_token": {tok}, "status": {"closed"}}); r.Status != 400 || !strings.Contains(r.Body, "Enter why") {
		t.Fatalf("close without reason: %d", r.Status)
	}

	// Identity: refused before approval, shown after.
	if r := ann.get(page + "/identity"); r.Status != 403 || strings.Contains(r.Body, "Dana") {
		t.Fatalf("identity before approval: %d", r.Status)
	}
	if r := ann.do("POST", page+"/disclosure", url.Values{"csrf_token": {tok}, "disclosure_reason": {"To take a witness statement."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request: %d %.500s", r.Status, r.Body)
	}
	hpage := hop.get(page)
	req := regexp.MustCompile(`name="request" value="(\d+)"`).FindStringSubmatch(hpage.Body)
	if req == nil {
		t.Fatalf("no decision form for the head of PSD: %.3000s", hpage.Body)
	}
	if strings.Contains(ann.get(page).Body, `name="request"`) {
		t.Error("the analyst is offered the decision")
	}
	htok := hop.token(page)
	if r := hop.do("POST", page+"/decide", url.Values{"csrf_token": {htok}, "request": {req[1]}, "decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("decide: %d %.500s", r.Status, r.Body)
	}
	if r := ann.get(page + "/identity"); r.Status != 200 || !strings.Contains(r.Body, "Dana Reporter") || !strings.Contains(r.Body, "07700 900123") {
		t.Fatalf("identity after approval: %d %.500s", r.Status, r.Body)
	}
	var who lantern.ReporterIdentity
	if r := ann.get("/api/v1/workspace/reports/" + id[1] + "/identity"); r.Status != 200 || json.Unmarshal([]byte(r.Body), &who) != nil || who.Name != "Dana Reporter" {
		t.Fatalf("identity API: %d %s", r.Status, r.Body)
	}

	// An intelligence item in the unit's words marks the report actioned.
	if r := ann.do("POST", page+"/intel", url.Values{"csrf_token": {tok}, "summary": {""}}); r.Status != 400 || !strings.Contains(r.Body, "Enter a summary") {
		t.Fatalf("empty intel: %d", r.Status)
	}
	if r := ann.do("POST", page+"/intel", url.Values{"csrf_token": {tok}, "summary": {"A sergeant may be pursuing a witness."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("intel: %d %.500s", r.Status, r.Body)
	}
	if body := ann.get(page).Body; !strings.Contains(body, "Actioned") {
		t.Error("the report is not marked actioned")
	}

	// The API shows the same thread.
	var out reportReply
	if r := ann.get("/api/v1/workspace/reports/" + id[1]); r.Status != 200 || json.Unmarshal([]byte(r.Body), &out) != nil ||
		out.Answers.What != what || len(out.Messages) != 2 || len(out.Files) != 1 || len(out.Disclosures) != 1 {
		t.Fatalf("report API: %d %s", r.Status, r.Body)
	}

	// The auditor cannot read reports, but sees every use of them, with no
	// content.
	if r := aud.get(page); r.Status != 403 {
		t.Fatalf("auditor opened a report: %d", r.Status)
	}
	entries, err := e.store.AuditEntries(ctx, lantern.AuditQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, en := range entries {
		seen[en.Action+" "+en.Outcome] = true
		for _, s := range []string{"Quillfeather", "Tuesday", "Dana", "07700", "statement taken"} {
			if strings.Contains(en.Detail+en.Object, s) {
				t.Errorf("audit entry holds content: %+v", en)
			}
		}
	}
	for _, want := range []string{"report.list allowed", "report.open allowed", "report.ask allowed", "report.attachment.sanitised allowed",
		"report.disclosure.request allowed", "report.disclosure.approve allowed", "report.identity.view allowed",
		"report.identity.view denied", "reports.view denied", "intel.create allowed"} {
		if !seen[want] {
			t.Errorf("no %q on the audit trail", want)
		}
	}
}
