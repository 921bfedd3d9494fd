package report

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"filippo.io/age"

	"lantern"
)

// Config is what a Service needs.
type Config struct {
	Store    lantern.IntakeStore
	Keyring  *Keyring
	Receipts *Receipts
	Limiter  *Limiter
	// Audit records every use of a report by the unit. The unit-side
	// operations refuse to run without it.
	Audit    lantern.AuditService
	Notifier Notifier
	Limits   Limits
	// ReceiptTime is the least time every receipt check takes, whether the
	// receipt is right, wrong or malformed, so that timing tells nothing;
	// 0 means one second.
	ReceiptTime time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
	Rand        io.Reader
}

// Service is the reporting channel's core: what reporters do with their
// receipts, and what the unit does with reports.
type Service struct {
	cfg Config
}

// NewService checks cfg and returns a Service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Keyring == nil || cfg.Receipts == nil {
		return nil, errors.New("report: Store, Keyring and Receipts are required")
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(5, 200, 15*time.Minute)
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.ReceiptTime == 0 {
		cfg.ReceiptTime = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Notifier == nil {
		cfg.Notifier = Notifiers(nil)
	}
	return &Service{cfg: cfg}, nil
}

// Limits returns the attachment limits in force.
func (s *Service) Limits() Limits { return s.cfg.Limits }

// Submitted is what a reporter is told once a report is stored.
type Submitted struct {
	Receipt string // shown once, never stored
	// FilesNotSaved counts attachments that could not be stored after the
	// report was; the reporter can add them again with the receipt.
	FilesNotSaved int
}

// errNotReady is returned when nobody in the unit could read a report.
var errNotReady = lantern.Errorf(lantern.EUNAVAILABLE, "The reporting service cannot take reports at the moment. Please try again later.")

// Submit seals and stores a new report and its files, and returns its
// receipt. EINVALID for a report or file that fails its checks (nothing is
// stored then); EUNAVAILABLE when the unit has no keys to seal it for.
func (s *Service) Submit(ctx context.Context, r lantern.Report, files []Upload) (*Submitted, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	preps, err := s.prepareAll(files)
	if err != nil {
		return nil, err
	}
	content, identity, err := s.cfg.Keyring.recipients(ctx)
	if err != nil {
		return nil, fmt.Errorf("submit report: %w", err)
	}
	if len(content) == 0 {
		s.cfg.Logger.Error("report refused: no unit member has a report key")
		return nil, errNotReady
	}
	if r.Kind == lantern.ReportConfidential && len(identity) == 0 {
		return nil, lantern.FieldErrorf("kind", "Confidential reports cannot be taken at the moment. You can report anonymously instead.")
	}
	now := s.cfg.Now().UTC()
	rec := &lantern.ReportRecord{ID: strings.ToLower(rand.Text()), Kind: r.Kind, ReceivedAt: now}
	ck, err := newKey(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	receipt, err := NewReceipt(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	var wrap key
	rec.ReceiptLookup, wrap = s.cfg.Receipts.derive(receipt)
	if rec.ReceiptKey, err = seal(wrap, label(rec.ID, "receipt"), ck[:], 64); err != nil {
		return nil, err
	}
	if rec.Answers, err = sealJSON(ck, label(rec.ID, "answers"), r.Answers); err != nil {
		return nil, err
	}
	keys, err := wrapFor(rec.ID, lantern.KeyContent, ck, content, now)
	if err != nil {
		return nil, err
	}
	if r.Kind == lantern.ReportConfidential {
		ik, err := newKey(s.cfg.Rand)
		if err != nil {
			return nil, err
		}
		if rec.Identity, err = sealJSON(ik, label(rec.ID, "identity"), r.Identity); err != nil {
			return nil, err
		}
		ikeys, err := wrapFor(rec.ID, lantern.KeyIdentity, ik, identity, now)
		if err != nil {
			return nil, err
		}
		keys = append(keys, ikeys...)
	}
	if err := s.cfg.Store.CreateReport(ctx, rec, keys); err != nil {
		return nil, fmt.Errorf("submit report: %w", err)
	}
	out := &Submitted{Receipt: receipt}
	for _, p := range preps {
		if err := s.addAttachment(ctx, rec.ID, ck, p, now); err != nil {
			s.cfg.Logger.Error("attachment not stored", "err", lantern.ErrorCode(err))
			out.FilesNotSaved++
		}
	}
	s.cfg.Notifier.Arrived(ctx)
	return out, nil
}

func (s *Service) prepareAll(files []Upload) ([]*prepared, error) {
	if len(files) > s.cfg.Limits.MaxFiles {
		return nil, lantern.FieldErrorf("file", "Attach %d files or fewer", s.cfg.Limits.MaxFiles)
	}
	var preps []*prepared
	for _, f := range files {
		p, err := prepare(f, s.cfg.Limits)
		if err != nil {
			return nil, err
		}
		preps = append(preps, p)
	}
	return preps, nil
}

// wrapFor wraps k for every recipient.
func wrapFor(reportID, purpose string, k key, to map[string]age.Recipient, now time.Time) ([]lantern.ReportKey, error) {
	var keys []lantern.ReportKey
	for id, r := range to {
		w, err := wrapKey(k, r)
		if err != nil {
			return nil, err
		}
		keys = append(keys, lantern.ReportKey{ReportID: reportID, RecipientID: id, Purpose: purpose, Wrapped: w, CreatedAt: now})
	}
	return keys, nil
}

func sealJSON(k key, lbl string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return seal(k, lbl, b, textBlock)
}

func openJSON(k key, lbl string, sealed []byte, v any) error {
	b, err := open(k, lbl, sealed)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// addAttachment seals and stores one prepared file.
func (s *Service) addAttachment(ctx context.Context, reportID string, ck key, p *prepared, at time.Time) error {
	a := &lantern.Attachment{ID: strings.ToLower(rand.Text()), ReportID: reportID, At: at}
	var err error
	if a.Meta, err = sealJSON(ck, label(reportID, "attachment/"+a.ID+"/meta"), p.meta); err != nil {
		return err
	}
	if a.Original, err = seal(ck, label(reportID, "attachment/"+a.ID+"/original"), p.original, fileBlock); err != nil {
		return err
	}
	if p.sanitised != nil {
		if a.Sanitised, err = seal(ck, label(reportID, "attachment/"+a.ID+"/sanitised"), p.sanitised, fileBlock); err != nil {
			return err
		}
	}
	return s.cfg.Store.AddAttachment(ctx, a)
}

// Message is one message in a report's thread, opened.
type Message struct {
	ID   int64
	From string // lantern.FromUnit or lantern.FromReporter
	By   string // the unit user; "" for the reporter and in the reporter's view
	At   time.Time
	Text string
}

type messageBody struct {
	Text string `json:"text"`
}

// File describes an attachment, opened.
type File struct {
	ID string
	At time.Time
	lantern.AttachmentMeta
}

// Thread is a report as its reporter or the unit sees it.
type Thread struct {
	ID         string // "" in the reporter's view
	Kind       string
	Status     string
	ReceivedAt time.Time
	Answers    lantern.ReportAnswers
	Messages   []Message
	Files      []File
}

// errReceipt is the one answer to every receipt that does not open a
// report, whatever the reason.
var errReceipt = lantern.Errorf(lantern.EUNAUTHORIZED, "We could not find a report with that receipt. Check the 16 digits and try again.")

// ErrTooManyAttempts is returned, before any receipt is checked, to a client
// (or to everyone) after too many wrong receipts.
var ErrTooManyAttempts = lantern.Errorf(lantern.EFORBIDDEN, "There have been too many attempts with receipts that were not right. Wait 15 minutes and try again.")

// unlock finds the report a receipt opens and its content key. Every call
// takes at least ReceiptTime and answers every failure with errReceipt.
// client is the network address of the request, used only for the
// in-memory rate limit.
func (s *Service) unlock(ctx context.Context, receipt, client string) (*lantern.ReportRecord, key, error) {
	start := time.Now()
	defer func() {
		if d := s.cfg.ReceiptTime - time.Since(start); d > 0 {
			time.Sleep(d)
		}
	}()
	var ck key
	if !s.cfg.Limiter.Attempt(client, s.cfg.Now()) {
		return nil, ck, ErrTooManyAttempts
	}
	norm, ok := normalise(receipt)
	if !ok {
		norm = "not a receipt"
	}
	lookup, wrap := s.cfg.Receipts.derive(norm)
	rec, err := s.cfg.Store.ReportByReceipt(ctx, lookup)
	if err != nil && lantern.ErrorCode(err) != lantern.ENOTFOUND {
		return nil, ck, err
	}
	var sealed []byte
	id := "none"
	if err == nil && ok {
		sealed, id = rec.ReceiptKey, rec.ID
	}
	b, oerr := open(wrap, label(id, "receipt"), sealed)
	if !ok || err != nil || oerr != nil || len(b) != len(ck) {
		return nil, ck, errReceipt
	}
	s.cfg.Limiter.Succeeded(client, s.cfg.Now())
	copy(ck[:], b)
	return rec, ck, nil
}

// Thread opens a reporter's own thread with their receipt: their answers,
// the unit's questions and their replies, and the names of their files.
func (s *Service) Thread(ctx context.Context, receipt, client string) (*Thread, error) {
	rec, ck, err := s.unlock(ctx, receipt, client)
	if err != nil {
		return nil, err
	}
	t, err := s.thread(ctx, rec, ck)
	if err != nil {
		return nil, err
	}
	t.ID = ""
	for i := range t.Messages {
		t.Messages[i].By = ""
	}
	return t, nil
}

// Reply adds a reporter's answer, and any files, to their thread. EINVALID
// for an empty or overlong answer or a refused file.
func (s *Service) Reply(ctx context.Context, receipt, client, text string, files []Upload) error {
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return lantern.FieldErrorf("answer", "Enter your answer or attach a file")
	}
	if len(text) > lantern.MaxMessageBytes || !validUTF8(text) {
		return lantern.FieldErrorf("answer", "Your answer must be %d characters or fewer", lantern.MaxMessageBytes)
	}
	preps, err := s.prepareAll(files)
	if err != nil {
		return err
	}
	rec, ck, err := s.unlock(ctx, receipt, client)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	if strings.TrimSpace(text) != "" {
		body, err := sealJSON(ck, label(rec.ID, "message"), messageBody{Text: text})
		if err != nil {
			return err
		}
		if err := s.cfg.Store.AddReportMessage(ctx, &lantern.ReportMessage{ReportID: rec.ID, From: lantern.FromReporter, At: now, Body: body}); err != nil {
			return err
		}
	}
	for _, p := range preps {
		if err := s.addAttachment(ctx, rec.ID, ck, p, now); err != nil {
			return err
		}
	}
	s.cfg.Notifier.Arrived(ctx)
	return nil
}

// thread opens everything sealed under ck.
func (s *Service) thread(ctx context.Context, rec *lantern.ReportRecord, ck key) (*Thread, error) {
	t := &Thread{ID: rec.ID, Kind: rec.Kind, Status: rec.Status, ReceivedAt: rec.ReceivedAt}
	if err := openJSON(ck, label(rec.ID, "answers"), rec.Answers, &t.Answers); err != nil {
		return nil, err
	}
	msgs, err := s.cfg.Store.ReportMessages(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		var b messageBody
		if err := openJSON(ck, label(rec.ID, "message"), m.Body, &b); err != nil {
			return nil, err
		}
		t.Messages = append(t.Messages, Message{ID: m.ID, From: m.From, By: m.By, At: m.At, Text: b.Text})
	}
	atts, err := s.cfg.Store.Attachments(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		f := File{ID: a.ID, At: a.At}
		if err := openJSON(ck, label(rec.ID, "attachment/"+a.ID+"/meta"), a.Meta, &f.AttachmentMeta); err != nil {
			return nil, err
		}
		t.Files = append(t.Files, f)
	}
	return t, nil
}

func validUTF8(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s
}
