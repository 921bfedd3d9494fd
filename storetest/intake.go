package storetest

import (
	"bytes"
	"strings"
	"testing"

	"lantern"
)

// newReportRecord returns a sealed-looking report record; the store treats
// the sealed fields as opaque bytes.
func newReportRecord(id string, kind string, h float64) *lantern.ReportRecord {
	r := &lantern.ReportRecord{
		ID: id, Kind: kind, ReceivedAt: fine(hour(h)),
		Answers:       []byte("sealed-answers-" + id),
		ReceiptLookup: bytes.Repeat([]byte{byte(len(id)), id[len(id)-1]}, 16),
		ReceiptKey:    []byte("wrapped-" + id),
	}
	if kind == lantern.ReportConfidential {
		r.Identity = []byte("sealed-identity-" + id)
	}
	return r
}

func reportKey(reportID, recipient, purpose string) lantern.ReportKey {
	return lantern.ReportKey{ReportID: reportID, RecipientID: recipient, Purpose: purpose,
		Wrapped: []byte("age:" + reportID + ":" + recipient + ":" + purpose), CreatedAt: hour(1)}
}

func testReports(t *testing.T, open Opener) {
	t.Run("CreateAndRead", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		r := newReportRecord("r1", lantern.ReportConfidential, 1)
		must(t, s.CreateReport(ctx, r, []lantern.ReportKey{reportKey("r1", "ann", lantern.KeyContent), reportKey("r1", "hop", lantern.KeyIdentity)}))
		if r.Status != lantern.ReportReceived {
			t.Errorf("status = %q, want received", r.Status)
		}
		got, err := s.Report(ctx, "r1")
		must(t, err)
		same(t, "report", got, r)
		for _, b := range []struct {
			name      string
			got, want []byte
		}{{"answers", got.Answers, r.Answers}, {"identity", got.Identity, r.Identity}, {"receipt_lookup", got.ReceiptLookup, r.ReceiptLookup}, {"receipt_key", got.ReceiptKey, r.ReceiptKey}} {
			if !bytes.Equal(b.got, b.want) {
				t.Errorf("%s = %q, want %q", b.name, b.got, b.want)
			}
		}
		byReceipt, err := s.ReportByReceipt(ctx, r.ReceiptLookup)
		must(t, err)
		if byReceipt.ID != "r1" {
			t.Errorf("by receipt: got %q", byReceipt.ID)
		}
		_, err = s.ReportByReceipt(ctx, bytes.Repeat([]byte{9}, 32))
		wantCode(t, err, lantern.ENOTFOUND)
		_, err = s.Report(ctx, "nope")
		wantCode(t, err, lantern.ENOTFOUND)
		k, err := s.ReportKey(ctx, "r1", "hop", lantern.KeyIdentity)
		must(t, err)
		if string(k.Wrapped) != "age:r1:hop:identity" {
			t.Errorf("wrapped = %q", k.Wrapped)
		}
		_, err = s.ReportKey(ctx, "r1", "hop", lantern.KeyContent)
		wantCode(t, err, lantern.ENOTFOUND)
		// The same ID or receipt again is a conflict.
		wantCode(t, s.CreateReport(ctx, newReportRecord("r1", lantern.ReportAnonymous, 2), nil), lantern.ECONFLICT)
		dup := newReportRecord("r2", lantern.ReportAnonymous, 2)
		dup.ReceiptLookup = r.ReceiptLookup
		wantCode(t, s.CreateReport(ctx, dup, nil), lantern.ECONFLICT)
	})
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		anon := newReportRecord("r1", lantern.ReportAnonymous, 1)
		anon.Identity = []byte("x")
		wantInvalid(t, s.CreateReport(ctx, anon, nil), "identity")
		short := newReportRecord("r2", lantern.ReportAnonymous, 1)
		short.ReceiptLookup = []byte("short")
		wantInvalid(t, s.CreateReport(ctx, short, nil), "receipt_lookup")
		other := newReportRecord("r3", lantern.ReportAnonymous, 1)
		wantInvalid(t, s.CreateReport(ctx, other, []lantern.ReportKey{reportKey("r4", "ann", lantern.KeyContent)}), "report_id")
		_, n, err := s.FindReports(ctx, lantern.ReportFilter{})
		must(t, err)
		if n != 0 {
			t.Errorf("a refused report was stored: %d reports", n)
		}
	})
	t.Run("FindAndStatus", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		for i, id := range []string{"ra", "rb", "rc"} {
			must(t, s.CreateReport(ctx, newReportRecord(id, lantern.ReportAnonymous, float64(i)), nil))
		}
		list, n, err := s.FindReports(ctx, lantern.ReportFilter{Limit: 2})
		must(t, err)
		if n != 3 || len(list) != 2 || list[0].ID != "rc" || list[1].ID != "rb" {
			t.Fatalf("FindReports = %d, %v", n, list)
		}
		if list[0].Answers != nil || list[0].ReceiptKey != nil {
			t.Errorf("FindReports returned sealed fields")
		}
		_, err = s.SetReportStatus(ctx, "ra", lantern.ReportStatusUpdate{Status: lantern.ReportClosed, Reason: "x", By: "ann", At: hour(5)})
		wantCode(t, err, lantern.ECONFLICT)
		if msg := lantern.ErrorMessage(err); !strings.Contains(msg, "received") || !strings.Contains(msg, "closed") {
			t.Errorf("message %q does not name both states", msg)
		}
		got, err := s.SetReportStatus(ctx, "ra", lantern.ReportStatusUpdate{Status: lantern.ReportInReview, By: "ann", At: hour(5)})
		must(t, err)
		if got.Status != lantern.ReportInReview || got.StatusBy != "ann" || !got.StatusAt.Equal(hour(5)) {
			t.Errorf("after move: %+v", got)
		}
		_, err = s.SetReportStatus(ctx, "ra", lantern.ReportStatusUpdate{Status: lantern.ReportClosed, By: "ann", At: hour(6)})
		wantInvalid(t, err, "reason")
		_, err = s.SetReportStatus(ctx, "zz", lantern.ReportStatusUpdate{Status: lantern.ReportInReview, By: "ann", At: hour(6)})
		wantCode(t, err, lantern.ENOTFOUND)
		list, n, err = s.FindReports(ctx, lantern.ReportFilter{Status: lantern.ReportReceived})
		must(t, err)
		if n != 2 || len(list) != 2 {
			t.Errorf("received: %d", n)
		}
	})
	t.Run("Thread", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		must(t, s.CreateReport(ctx, newReportRecord("r1", lantern.ReportAnonymous, 1), nil))
		q := &lantern.ReportMessage{ReportID: "r1", From: lantern.FromUnit, By: "ann", At: hour(2), Body: []byte("q")}
		must(t, s.AddReportMessage(ctx, q))
		a := &lantern.ReportMessage{ReportID: "r1", From: lantern.FromReporter, At: hour(3), Body: []byte("a")}
		must(t, s.AddReportMessage(ctx, a))
		if q.ID <= 0 || a.ID <= q.ID {
			t.Errorf("ids %d, %d", q.ID, a.ID)
		}
		list, err := s.ReportMessages(ctx, "r1")
		must(t, err)
		same(t, "thread", list, []*lantern.ReportMessage{q, a})
		if !bytes.Equal(list[1].Body, []byte("a")) {
			t.Errorf("body %q", list[1].Body)
		}
		r, err := s.Report(ctx, "r1")
		must(t, err)
		if !r.ReporterAt.Equal(hour(3)) {
			t.Errorf("reporter_at = %s, want %s", r.ReporterAt, hour(3))
		}
		wantCode(t, s.AddReportMessage(ctx, &lantern.ReportMessage{ReportID: "zz", From: lantern.FromReporter, At: hour(3), Body: []byte("a")}), lantern.ENOTFOUND)
		wantInvalid(t, s.AddReportMessage(ctx, &lantern.ReportMessage{ReportID: "r1", From: lantern.FromReporter, By: "ann", At: hour(3), Body: []byte("a")}), "by")
	})
	t.Run("Attachments", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		must(t, s.CreateReport(ctx, newReportRecord("r1", lantern.ReportAnonymous, 1), nil))
		a1 := &lantern.Attachment{ID: "a1", ReportID: "r1", At: hour(1), Meta: []byte("m1"), Original: []byte("o1"), Sanitised: []byte("s1")}
		a2 := &lantern.Attachment{ID: "a2", ReportID: "r1", At: hour(1), Meta: []byte("m2"), Original: []byte("o2")}
		must(t, s.AddAttachment(ctx, a2))
		must(t, s.AddAttachment(ctx, a1))
		wantCode(t, s.AddAttachment(ctx, a1), lantern.ECONFLICT)
		wantCode(t, s.AddAttachment(ctx, &lantern.Attachment{ID: "a3", ReportID: "zz", At: hour(1), Meta: []byte("m"), Original: []byte("o")}), lantern.ENOTFOUND)
		list, err := s.Attachments(ctx, "r1")
		must(t, err)
		if len(list) != 2 || list[0].ID != "a1" || list[1].ID != "a2" || list[0].Original != nil || string(list[0].Meta) != "m1" {
			t.Fatalf("Attachments = %+v", list)
		}
		got, err := s.Attachment(ctx, "a1")
		must(t, err)
		if string(got.Original) != "o1" || string(got.Sanitised) != "s1" {
			t.Errorf("a1 copies %q %q", got.Original, got.Sanitised)
		}
		got, err = s.Attachment(ctx, "a2")
		must(t, err)
		if got.Sanitised != nil {
			t.Errorf("a2 sanitised = %q, want nil", got.Sanitised)
		}
		_, err = s.Attachment(ctx, "zz")
		wantCode(t, err, lantern.ENOTFOUND)
	})
	t.Run("KeysAndRecipients", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		for _, id := range []string{"r1", "r2"} {
			must(t, s.CreateReport(ctx, newReportRecord(id, lantern.ReportAnonymous, 1), []lantern.ReportKey{reportKey(id, "ann", lantern.KeyContent)}))
		}
		k := reportKey("r1", "ann", lantern.KeyContent)
		k.Wrapped = []byte("rewrapped")
		must(t, s.PutReportKeys(ctx, []lantern.ReportKey{k, reportKey("r2", "bob", lantern.KeyContent)}))
		wantCode(t, s.PutReportKeys(ctx, []lantern.ReportKey{reportKey("zz", "bob", lantern.KeyContent)}), lantern.ENOTFOUND)
		keys, err := s.RecipientKeys(ctx, "ann", lantern.KeyContent)
		must(t, err)
		if len(keys) != 2 || keys[0].ReportID != "r1" || string(keys[0].Wrapped) != "rewrapped" || keys[1].ReportID != "r2" {
			t.Errorf("RecipientKeys = %+v", keys)
		}
		rec := &lantern.KeyRecipient{UserID: "ann", Role: lantern.UserAnalyst, PublicKey: "age1pqxyz", WrappedIdentity: []byte("w"), CreatedAt: hour(1)}
		must(t, s.PutKeyRecipient(ctx, rec))
		rec.WrappedIdentity = []byte("w2")
		must(t, s.PutKeyRecipient(ctx, rec))
		wantInvalid(t, s.PutKeyRecipient(ctx, &lantern.KeyRecipient{UserID: "adm", Role: lantern.UserAdministrator, PublicKey: "age1x", WrappedIdentity: []byte("w"), CreatedAt: hour(1)}), "role")
		got, err := s.KeyRecipient(ctx, "ann")
		must(t, err)
		if string(got.WrappedIdentity) != "w2" || got.PublicKey != "age1pqxyz" {
			t.Errorf("recipient %+v", got)
		}
		_, err = s.KeyRecipient(ctx, "zz")
		wantCode(t, err, lantern.ENOTFOUND)
		all, err := s.KeyRecipients(ctx)
		must(t, err)
		if len(all) != 1 {
			t.Errorf("KeyRecipients = %d", len(all))
		}
		must(t, s.DeleteKeyRecipient(ctx, "ann"))
		wantCode(t, s.DeleteKeyRecipient(ctx, "ann"), lantern.ENOTFOUND)
		_, err = s.KeyRecipient(ctx, "ann")
		wantCode(t, err, lantern.ENOTFOUND)
		keys, err = s.RecipientKeys(ctx, "ann", lantern.KeyContent)
		must(t, err)
		if len(keys) != 0 {
			t.Errorf("%d keys left for a removed recipient", len(keys))
		}
		if _, err := s.ReportKey(ctx, "r2", "bob", lantern.KeyContent); err != nil {
			t.Errorf("another recipient's key went too: %v", err)
		}
	})
	t.Run("Disclosure", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		must(t, s.CreateReport(ctx, newReportRecord("rc", lantern.ReportConfidential, 1), nil))
		must(t, s.CreateReport(ctx, newReportRecord("ra", lantern.ReportAnonymous, 1), nil))
		wantInvalid(t, s.RequestDisclosure(ctx, &lantern.DisclosureRequest{ReportID: "ra", RequestedBy: "ann", Reason: "why", RequestedAt: hour(2)}), "report_id")
		wantCode(t, s.RequestDisclosure(ctx, &lantern.DisclosureRequest{ReportID: "zz", RequestedBy: "ann", Reason: "why", RequestedAt: hour(2)}), lantern.ENOTFOUND)
		d := &lantern.DisclosureRequest{ReportID: "rc", RequestedBy: "ann", Reason: "to interview", RequestedAt: hour(2)}
		must(t, s.RequestDisclosure(ctx, d))
		_, err := s.DecideDisclosure(ctx, d.ID, lantern.DisclosureDecision{Approve: true, By: "ann", At: hour(3)})
		wantInvalid(t, err, "decided_by")
		got, err := s.DecideDisclosure(ctx, d.ID, lantern.DisclosureDecision{Approve: true, By: "hop", Note: "ok", At: hour(3)})
		must(t, err)
		if got.State != lantern.DisclosureApproved || got.DecidedBy != "hop" || !got.DecidedAt.Equal(hour(3)) {
			t.Errorf("decided: %+v", got)
		}
		_, err = s.DecideDisclosure(ctx, d.ID, lantern.DisclosureDecision{By: "hop", At: hour(4)})
		wantCode(t, err, lantern.ECONFLICT)
		_, err = s.DecideDisclosure(ctx, 999, lantern.DisclosureDecision{By: "hop", At: hour(4)})
		wantCode(t, err, lantern.ENOTFOUND)
		one, err := s.DisclosureRequest(ctx, d.ID)
		must(t, err)
		same(t, "request", one, got)
		_, err = s.DisclosureRequest(ctx, 999)
		wantCode(t, err, lantern.ENOTFOUND)
		list, err := s.DisclosureRequests(ctx, "rc")
		must(t, err)
		same(t, "requests", list, []*lantern.DisclosureRequest{got})
	})
}

func newReferral(partner string) *lantern.Referral {
	return &lantern.Referral{Partner: partner, SubmittedBy: partner + "-worker", Concern: "He texted her after the case closed.",
		Officer:       lantern.OfficerDetails{Name: "Dan", CollarNumber: "1234", Force: "Midshire", Vehicle: "red Fiesta"},
		VictimConsent: lantern.ConsentGiven, Safeguarding: lantern.SafeguardingInPlace, SubmittedAt: fine(hour(1))}
}

func testReferrals(t *testing.T, open Opener) {
	t.Parallel()
	s := open(t)
	ctx := t.Context()
	a1, b1, a2 := newReferral("refuge-a"), newReferral("refuge-b"), newReferral("refuge-a")
	a2.SubmittedAt = hour(2)
	for _, r := range []*lantern.Referral{a1, b1, a2} {
		must(t, s.CreateReferral(ctx, r))
	}
	if a1.Status != lantern.ReferralSubmitted || a1.ID <= 0 {
		t.Errorf("created: %+v", a1)
	}
	got, err := s.Referral(ctx, a1.ID)
	must(t, err)
	same(t, "referral", got, a1)
	list, n, err := s.FindReferrals(ctx, lantern.ReferralFilter{Partner: "refuge-a"})
	must(t, err)
	if n != 2 || len(list) != 2 || list[0].ID != a2.ID || list[1].ID != a1.ID {
		t.Errorf("partner's referrals: %d %v", n, list)
	}
	bad := newReferral("refuge-a")
	bad.Officer = lantern.OfficerDetails{}
	wantInvalid(t, s.CreateReferral(ctx, bad), "officer_name")
	_, err = s.SetReferralStatus(ctx, a1.ID, lantern.ReferralStatusUpdate{Status: lantern.ReferralActioned, By: "ann", At: hour(3)})
	wantCode(t, err, lantern.ECONFLICT)
	got, err = s.SetReferralStatus(ctx, a1.ID, lantern.ReferralStatusUpdate{Status: lantern.ReferralAcknowledged, Feedback: "Received, thank you.", By: "ann", At: hour(3)})
	must(t, err)
	if got.Status != lantern.ReferralAcknowledged || got.StatusBy != "ann" || !got.StatusAt.Equal(hour(3)) {
		t.Errorf("acknowledged: %+v", got)
	}
	got, err = s.SetReferralStatus(ctx, a1.ID, lantern.ReferralStatusUpdate{Status: lantern.ReferralAssessing, By: "ann", At: hour(4)})
	must(t, err)
	if got.Feedback != "Received, thank you." || got.Status != lantern.ReferralAssessing {
		t.Errorf("feedback lost or status wrong: %+v", got)
	}
	_, err = s.SetReferralStatus(ctx, 999, lantern.ReferralStatusUpdate{Status: lantern.ReferralAcknowledged, By: "ann", At: hour(3)})
	wantCode(t, err, lantern.ENOTFOUND)
	m := &lantern.ReferralMessage{ReferralID: a1.ID, From: lantern.FromUnit, By: "ann", At: hour(5), Body: "Can she speak to us?"}
	must(t, s.AddReferralMessage(ctx, m))
	wantCode(t, s.AddReferralMessage(ctx, &lantern.ReferralMessage{ReferralID: 999, From: lantern.FromPartner, By: "x", At: hour(5), Body: "b"}), lantern.ENOTFOUND)
	msgs, err := s.ReferralMessages(ctx, a1.ID)
	must(t, err)
	same(t, "messages", msgs, []*lantern.ReferralMessage{m})
}

func testIntel(t *testing.T, open Opener) {
	t.Parallel()
	s := open(t)
	ctx := t.Context()
	it := &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "report:r1", Summary: "A PC contacted a victim.", CreatedBy: "ann", CreatedAt: fine(hour(1))}
	must(t, s.CreateIntelItem(ctx, it))
	if it.ID <= 0 || it.State != lantern.IntelUngraded {
		t.Fatalf("created %+v", it)
	}
	got, err := s.IntelItem(ctx, it.ID)
	must(t, err)
	same(t, "item", got, it)
	_, err = s.ShareIntelItem(ctx, it.ID, lantern.Sharing{Sanitised: "s", With: "ACU", By: "ann", At: hour(2)})
	wantCode(t, err, lantern.ECONFLICT)
	g := lantern.Grade{Source: 2, Intelligence: "B", Handling: lantern.HandlingC, Conditions: "Not to be shared outside PSD."}
	got, err = s.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: g, By: "ann", At: hour(2)})
	must(t, err)
	if got.State != lantern.IntelGraded || *got.Grade != g || got.Grade.String() != "2/B/C" {
		t.Errorf("graded %+v", got)
	}
	_, err = s.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: lantern.Grade{Source: 4, Intelligence: "B", Handling: "P"}, By: "ann", At: hour(2)})
	wantInvalid(t, err, "source")
	_, err = s.ShareIntelItem(ctx, it.ID, lantern.Sharing{With: "ACU", By: "ann", At: hour(3)})
	wantInvalid(t, err, "sanitised")
	got, err = s.ShareIntelItem(ctx, it.ID, lantern.Sharing{Sanitised: "An officer may have misused systems.", With: "ACU", By: "ann", At: hour(3)})
	must(t, err)
	if got.State != lantern.IntelShared {
		t.Errorf("shared %+v", got)
	}
	_, err = s.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: g, By: "ann", At: hour(4)})
	wantCode(t, err, lantern.ECONFLICT)
	got, err = s.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: "S1", By: "ann", At: hour(4)})
	must(t, err)
	stored, err := s.IntelItem(ctx, it.ID)
	must(t, err)
	same(t, "stored item", stored, got)
	_, err = s.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: "S1", At: hour(4)})
	wantInvalid(t, err, "linked_by")
	list, n, err := s.FindIntelItems(ctx, lantern.IntelFilter{StaffID: "S1"})
	must(t, err)
	if n != 1 || len(list) != 1 {
		t.Errorf("by staff: %d", n)
	}
	wantCode(t, s.CreateIntelItem(ctx, &lantern.IntelItem{Source: lantern.IntelFromReport, SourceRef: "r", Summary: "x", CreatedBy: "ann", CreatedAt: hour(1), StaffID: "S1"}), lantern.EINVALID)
	_, err = s.IntelItem(ctx, 999)
	wantCode(t, err, lantern.ENOTFOUND)
}

func testReferralAttachments(t *testing.T, open Opener) {
	t.Parallel()
	s := open(t)
	ctx := t.Context()
	r := newReferral("refuge-a")
	must(t, s.CreateReferral(ctx, r))
	pic := &lantern.ReferralAttachment{ReferralID: r.ID, By: "refuge-a-worker", At: fine(hour(2)),
		AttachmentMeta: lantern.AttachmentMeta{Name: "photo.jpg", ContentType: "image/jpeg", Size: 4, SHA256: strings.Repeat("a", 64),
			SanitisedType: "image/jpeg", SanitisedSize: 3, SanitisedSHA256: strings.Repeat("b", 64)},
		Original: []byte{0xff, 0xd8, 0xff, 0x00}, Sanitised: []byte{0xff, 0xd8, 0x01}}
	pdf := &lantern.ReferralAttachment{ReferralID: r.ID, By: "refuge-a-worker", At: fine(hour(3)),
		AttachmentMeta: lantern.AttachmentMeta{Name: "letter.pdf", ContentType: "application/pdf", Size: 5, SHA256: strings.Repeat("c", 64),
			NotSanitised: "Only the original is kept."},
		Original: []byte("%PDF-")}
	must(t, s.AddReferralAttachments(ctx, pic, pdf))
	if pic.ID <= 0 || pdf.ID <= pic.ID {
		t.Fatalf("ids %d %d", pic.ID, pdf.ID)
	}
	got, err := s.ReferralAttachment(ctx, pic.ID)
	must(t, err)
	same(t, "attachment", got, pic)
	if !bytes.Equal(got.Original, pic.Original) || !bytes.Equal(got.Sanitised, pic.Sanitised) {
		t.Errorf("contents: %x %x", got.Original, got.Sanitised)
	}
	got, err = s.ReferralAttachment(ctx, pdf.ID)
	must(t, err)
	if got.Sanitised != nil || !bytes.Equal(got.Original, pdf.Original) || got.NotSanitised != pdf.NotSanitised {
		t.Errorf("pdf: %+v", got)
	}
	list, err := s.ReferralAttachments(ctx, r.ID)
	must(t, err)
	if len(list) != 2 || list[0].ID != pic.ID || list[1].ID != pdf.ID || list[0].Original != nil || list[0].Sanitised != nil {
		t.Errorf("list: %+v", list)
	}
	if list[0].SanitisedSHA256 != pic.SanitisedSHA256 || list[1].Name != "letter.pdf" || !list[0].At.Equal(pic.At) {
		t.Errorf("listed descriptions: %+v %+v", list[0], list[1])
	}
	other, err := s.ReferralAttachments(ctx, r.ID+100)
	must(t, err)
	if len(other) != 0 {
		t.Errorf("another referral's: %v", other)
	}
	bad := *pdf
	bad.ID, bad.ReferralID = 0, r.ID+100
	wantCode(t, s.AddReferralAttachments(ctx, &bad), lantern.ENOTFOUND)
	bad.ReferralID, bad.Size = r.ID, 6
	wantInvalid(t, s.AddReferralAttachments(ctx, &bad), "original")
	bad.Size, bad.SHA256 = 5, "XYZ"
	wantInvalid(t, s.AddReferralAttachments(ctx, &bad), "sha256")
	_, err = s.ReferralAttachment(ctx, 99999)
	wantCode(t, err, lantern.ENOTFOUND)

	// All or none: a bad file among good ones stores none of them, and a
	// referral is created with its files in one transaction, or not at all.
	good := *pdf
	good.ID = 0
	bad.Size, bad.SHA256 = 5, "XYZ"
	wantInvalid(t, s.AddReferralAttachments(ctx, &good, &bad), "sha256")
	if list, _ := s.ReferralAttachments(ctx, r.ID); len(list) != 2 {
		t.Errorf("a refused batch stored %d files", len(list)-2)
	}
	r2 := newReferral("refuge-a")
	withFiles := *pic
	withFiles.ID, withFiles.ReferralID = 0, 0
	brokenFile := good
	brokenFile.ReferralID, brokenFile.Original = 0, nil
	wantInvalid(t, s.CreateReferral(ctx, r2, &withFiles, &brokenFile), "original")
	if _, n, _ := s.FindReferrals(ctx, lantern.ReferralFilter{Partner: "refuge-a"}); n != 1 {
		t.Errorf("a referral with a refused file was stored: %d referrals", n)
	}
	must(t, s.CreateReferral(ctx, r2, &withFiles))
	if withFiles.ReferralID != r2.ID || withFiles.ID <= 0 {
		t.Errorf("file stored with the referral: %+v", withFiles)
	}
	if list, _ := s.ReferralAttachments(ctx, r2.ID); len(list) != 1 || list[0].Name != "photo.jpg" {
		t.Errorf("the new referral's files: %+v", list)
	}
}
