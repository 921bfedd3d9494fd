package channel

import (
	"net/http"
	"strings"

	"lantern"
	"lantern/report"
)

// Purposes of the forms' tokens.
const (
	tokenNew    = "new"
	tokenReturn = "return"
	tokenReply  = "reply"
)

func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusOK, "start.html", h.page("Report a concern about police officers or staff"))
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	p := h.page("Tell us what happened")
	p.Token = h.tokens.Issue(tokenNew, h.cfg.Now())
	p.Values["kind"] = lantern.ReportAnonymous
	h.render(w, http.StatusOK, "new.html", p)
}

// submit stores a new report and shows its receipt, once: the receipt is
// in this response only and is never stored or sent again.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	p := h.page("Tell us what happened")
	f, done, err := h.readForm(w, r)
	defer done()
	if err != nil {
		p.Token = h.tokens.Issue(tokenNew, h.cfg.Now())
		h.fail(w, err, "new.html", p)
		return
	}
	for _, k := range []string{"kind", "name", "contact", "who", "what", "when", "where", "position", "others"} {
		p.Values[k] = f.fields[k]
	}
	rep := lantern.Report{Kind: f.fields["kind"], Answers: lantern.ReportAnswers{
		Who: f.fields["who"], What: f.fields["what"], When: f.fields["when"], Where: f.fields["where"],
		Position: f.fields["position"], Others: f.fields["others"],
	}}
	if rep.Kind == lantern.ReportConfidential {
		rep.Identity = &lantern.ReporterIdentity{Name: f.fields["name"], Contact: f.fields["contact"]}
	}
	// Check the report before spending the token, so that a mistake can be
	// put right and sent again with the same form.
	if err := rep.Validate(); err != nil {
		p.Token = f.fields["token"]
		h.fail(w, err, "new.html", p)
		return
	}
	if err := h.tokens.Spend(tokenNew, f.fields["token"], h.cfg.Now()); err != nil {
		p.Token = h.tokens.Issue(tokenNew, h.cfg.Now())
		h.fail(w, err, "new.html", p)
		return
	}
	sub, err := h.cfg.Service.Submit(contextOf(r), rep, f.files)
	if err != nil {
		p.Token = h.tokens.Issue(tokenNew, h.cfg.Now())
		if lantern.ErrorCode(err) == lantern.EINVALID {
			// Nothing was stored: the same form may be sent again.
			h.tokens.Refund(f.fields["token"])
			p.Token = f.fields["token"]
		}
		h.fail(w, err, "new.html", p)
		return
	}
	sent := h.page("Report sent")
	sent.Receipt = report.FormatReceipt(sub.Receipt)
	sent.NotSaved = sub.FilesNotSaved
	h.render(w, http.StatusOK, "sent.html", sent)
}

func (h *Handler) returnForm(w http.ResponseWriter, r *http.Request) {
	p := h.page("Return to your report")
	p.Token = h.tokens.Issue(tokenReturn, h.cfg.Now())
	h.render(w, http.StatusOK, "return.html", p)
}

// openThread shows the reporter's thread for a receipt. Every failure is
// answered with the same page, status and message.
func (h *Handler) openThread(w http.ResponseWriter, r *http.Request) {
	p := h.page("Return to your report")
	p.Token = h.tokens.Issue(tokenReturn, h.cfg.Now())
	f, done, err := h.readForm(w, r)
	defer done()
	if err == nil {
		err = h.tokens.Spend(tokenReturn, f.fields["token"], h.cfg.Now())
	}
	if err != nil {
		h.fail(w, err, "return.html", p)
		return
	}
	h.showThread(w, r, f.fields["receipt"], "return.html", p, "")
}

func (h *Handler) showThread(w http.ResponseWriter, r *http.Request, receipt, form string, p *page, notice string) {
	t, err := h.cfg.Service.Thread(contextOf(r), receipt, h.client(r))
	if err != nil {
		h.fail(w, err, form, p)
		return
	}
	out := h.page("Your report")
	out.Thread = t
	out.Receipt = strings.TrimSpace(receipt)
	out.Token = h.tokens.Issue(tokenReply, h.cfg.Now())
	out.Notice = notice
	h.render(w, http.StatusOK, "thread.html", out)
}

// reply adds a reporter's answer. The receipt travels in the form, as the
// reporter typed it; nothing keeps it between requests.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request) {
	p := h.page("Return to your report")
	p.Token = h.tokens.Issue(tokenReturn, h.cfg.Now())
	f, done, err := h.readForm(w, r)
	defer done()
	if err == nil {
		err = h.tokens.Spend(tokenReply, f.fields["token"], h.cfg.Now())
	}
	if err != nil {
		h.fail(w, err, "return.html", p)
		return
	}
	receipt := f.fields["receipt"]
	if err := h.cfg.Service.Reply(contextOf(r), receipt, h.client(r), f.fields["answer"], f.files); err != nil {
		if lantern.ErrorCode(err) == lantern.EINVALID {
			// Show the thread again with the error beside the answer box.
			t, terr := h.cfg.Service.Thread(contextOf(r), receipt, h.client(r))
			if terr == nil {
				out := h.page("Your report")
				out.Thread, out.Receipt = t, strings.TrimSpace(receipt)
				out.Token = h.tokens.Issue(tokenReply, h.cfg.Now())
				out.Values["answer"] = f.fields["answer"]
				h.fail(w, err, "thread.html", out)
				return
			}
		}
		h.fail(w, err, "return.html", p)
		return
	}
	h.showThread(w, r, receipt, "return.html", p, "Your answer has been sent to the unit.")
}
