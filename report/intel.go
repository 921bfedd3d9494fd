package report

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"filippo.io/age"

	"lantern"
)

// IntelConfig is what a SealedIntel needs.
type IntelConfig struct {
	// Store is the store's intelligence log, which keeps sealed text and
	// the items' wrapped keys.
	Store interface {
		lantern.IntelService
		lantern.IntelKeyService
	}
	// Keyring gives the recipients new items are wrapped for and the
	// unlocked key of the reader's session.
	Keyring *Keyring
	Logger  *slog.Logger
	Now     func() time.Time
	Rand    io.Reader
}

// SealedIntel is the intelligence log sealed at rest, in front of the
// store: it implements lantern.IntelService, so whatever records or reads
// items uses it unchanged.
//
// A new item's summary and sanitised text are sealed under a key of the
// item's own, wrapped with public keys only for every current report
// recipient (the unit members who read reports, and the escrow), so an
// item can be recorded without anyone's key being unlocked. Metadata
// (state, grade, staff link, source, times) stays in clear for lists and
// the risk score. Reading opens the text with the unlocked key of the
// principal's session in the context; without one, or without a wrap for
// them, the text comes back empty with Unreadable saying why, never an
// error. New colleagues receive items' keys as they receive reports' (see
// Keyring.Grant and Keyring.RecoverWithEscrow), and Keyring.Revoke removes
// them.
type SealedIntel struct{ cfg IntelConfig }

// NewSealedIntel returns a SealedIntel; Store and Keyring are required.
func NewSealedIntel(cfg IntelConfig) (*SealedIntel, error) {
	if cfg.Store == nil || cfg.Keyring == nil {
		return nil, errors.New("report: the sealed intelligence log needs a Store and a Keyring")
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
	return &SealedIntel{cfg: cfg}, nil
}

// The reasons an item's text is not shown (IntelItem.Unreadable).
const (
	IntelSignIn    = "Sign in again with your password to read this item's text."
	IntelNotForYou = "This item's key was not wrapped for you: ask a colleague to grant you the unit's keys, or the head of PSD to recover them."
	IntelOldKey    = "Your key does not open this item: it was replaced after the item was recorded. Ask the head of PSD to recover it."
	IntelDamaged   = "This item's text could not be opened."
	IntelNotOpened = "Open the item on the intelligence log to read its text."
)

// errNoIntelRecipients refuses an item nobody could ever read.
var errNoIntelRecipients = lantern.Errorf(lantern.EUNAVAILABLE,
	"Intelligence cannot be recorded yet: no unit member holds a key. A unit member signs in with their password first.")

// intelLabel names one sealed part of an item. The item's ID is not known
// when it is sealed, so the label binds what identifies it from the start:
// its source, its author and when it was recorded.
func intelLabel(it *lantern.IntelItem, part string) string {
	return "lantern/intel/v1/" + it.SourceRef + "/" + it.CreatedBy + "/" + strconv.FormatInt(it.CreatedAt.UnixMicro(), 10) + "/" + part
}

// CreateIntelItem seals the item's text and stores it with its key wrapped
// for every current recipient. it keeps its text in clear for the caller
// and gets the store's ID and times. EINVALID as the store;
// EUNAVAILABLE when no unit member holds a key yet.
func (s *SealedIntel) CreateIntelItem(ctx context.Context, it *lantern.IntelItem) error {
	if it.Sealed != nil {
		return lantern.FieldErrorf("summary", "the item is sealed already")
	}
	if it.State == "" {
		it.State = lantern.IntelUngraded
	}
	if err := it.Validate(); err != nil {
		return err
	}
	content, err := s.recipients(ctx)
	if err == errNoIntelRecipients {
		s.cfg.Logger.Error("intelligence item refused: no unit member has a key")
	}
	if err != nil {
		return err
	}
	stored := *it
	stored.Summary, stored.Sanitised = "", ""
	if stored.Sealed, err = s.seal(it, content); err != nil {
		return err
	}
	if err := s.cfg.Store.CreateIntelItem(ctx, &stored); err != nil {
		return err
	}
	it.ID, it.State, it.CreatedAt, it.UpdatedAt = stored.ID, stored.State, stored.CreatedAt, stored.UpdatedAt
	return nil
}

// recipients returns those every item key is wrapped for: EUNAVAILABLE
// when there are none.
func (s *SealedIntel) recipients(ctx context.Context) (map[string]age.Recipient, error) {
	content, _, err := s.cfg.Keyring.recipients(ctx)
	if err != nil {
		return nil, err
	}
	if len(content) == 0 {
		return nil, errNoIntelRecipients
	}
	return content, nil
}

// seal seals the text of it under a new key and wraps the key for each of
// content.
func (s *SealedIntel) seal(it *lantern.IntelItem, content map[string]age.Recipient) (*lantern.SealedIntelText, error) {
	k, err := newKey(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	sealed := &lantern.SealedIntelText{}
	if sealed.Summary, err = seal(k, intelLabel(it, "summary"), []byte(it.Summary), textBlock); err != nil {
		return nil, err
	}
	if it.Sanitised != "" {
		if sealed.Sanitised, err = seal(k, intelLabel(it, "sanitised"), []byte(it.Sanitised), textBlock); err != nil {
			return nil, err
		}
	}
	now := s.cfg.Now()
	for uid, r := range content {
		w, err := wrapKey(k, r)
		if err != nil {
			return nil, err
		}
		sealed.Keys = append(sealed.Keys, lantern.IntelKey{RecipientID: uid, Wrapped: w, CreatedAt: now})
	}
	return sealed, nil
}

// Sealer returns a lantern.IntelSeal for items a store records itself (the
// findings of integrity screening), wrapping each item's key for the
// recipients current now; EUNAVAILABLE when no unit member holds a key yet.
func (s *SealedIntel) Sealer(ctx context.Context) (lantern.IntelSeal, error) {
	content, err := s.recipients(ctx)
	if err != nil {
		return nil, err
	}
	return func(it *lantern.IntelItem) error {
		sealed, err := s.seal(it, content)
		if err != nil {
			return err
		}
		it.Sealed, it.Summary, it.Sanitised = sealed, "", ""
		return nil
	}, nil
}

// SealClearItems seals the text of every item recorded in clear, before
// the log was sealed, for the current recipients, and returns how many it
// sealed. Run at start-up; EUNAVAILABLE when no unit member holds a key
// yet, in which case the items wait for the next start.
func (s *SealedIntel) SealClearItems(ctx context.Context) (int, error) {
	const batch = 200
	n := 0
	var content map[string]age.Recipient
	for offset := 0; ; offset += batch {
		list, _, err := s.cfg.Store.FindIntelItems(ctx, lantern.IntelFilter{Limit: batch, Offset: offset})
		if err != nil {
			return n, err
		}
		for _, it := range list {
			if it.Sealed != nil {
				continue
			}
			if content == nil {
				if content, err = s.recipients(ctx); err != nil {
					return n, err
				}
			}
			sealed, err := s.seal(it, content)
			if err != nil {
				return n, err
			}
			if err := s.cfg.Store.SealIntelItem(ctx, it.ID, sealed); err != nil {
				return n, err
			}
			n++
		}
		if len(list) < batch {
			return n, nil
		}
	}
}

// IntelItem returns one item, its text opened for the principal in ctx
// when their session can; ENOTFOUND.
func (s *SealedIntel) IntelItem(ctx context.Context, id int64) (*lantern.IntelItem, error) {
	it, err := s.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return nil, err
	}
	s.newReader(ctx).reveal(ctx, it)
	return it, nil
}

// FindIntelItems lists items as the store does, each item's text opened
// for the principal in ctx when their session can.
func (s *SealedIntel) FindIntelItems(ctx context.Context, f lantern.IntelFilter) ([]*lantern.IntelItem, int, error) {
	list, n, err := s.cfg.Store.FindIntelItems(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	r := s.newReader(ctx)
	for _, it := range list {
		r.reveal(ctx, it)
	}
	return list, n, nil
}

// GradeIntelItem grades an item as the store does.
func (s *SealedIntel) GradeIntelItem(ctx context.Context, id int64, g lantern.Grading) (*lantern.IntelItem, error) {
	return s.revealed(ctx)(s.cfg.Store.GradeIntelItem(ctx, id, g))
}

// LinkIntelStaff links an item as the store does.
func (s *SealedIntel) LinkIntelStaff(ctx context.Context, id int64, l lantern.StaffLink) (*lantern.IntelItem, error) {
	return s.revealed(ctx)(s.cfg.Store.LinkIntelStaff(ctx, id, l))
}

// ShareIntelItem records dissemination as the store does, sealing new
// sanitised text under the item's key, which needs the key of the
// principal in ctx: EUNAUTHORIZED when their session holds none,
// EFORBIDDEN when the item's key was not wrapped for them. Sharing with
// the sanitised text already recorded needs no key.
func (s *SealedIntel) ShareIntelItem(ctx context.Context, id int64, sh lantern.Sharing) (*lantern.IntelItem, error) {
	if sh.Sanitised == "" {
		return s.revealed(ctx)(s.cfg.Store.ShareIntelItem(ctx, id, sh))
	}
	if err := lantern.ValidateIntelText("sanitised", sh.Sanitised); err != nil {
		return nil, err
	}
	stored, err := s.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if stored.Sealed == nil || !lantern.IntelTransitionAllowed(stored.State, lantern.IntelShared) {
		// An item recorded in clear before sealing, or one the store will
		// refuse to share: the store says why.
		if stored.Sealed != nil {
			sh.Sanitised = ""
		}
		return s.revealed(ctx)(s.cfg.Store.ShareIntelItem(ctx, id, sh))
	}
	r := s.newReader(ctx)
	k, err := r.itemKey(ctx, id)
	if err != nil {
		return nil, err
	}
	sealed, err := seal(k, intelLabel(stored, "sanitised"), []byte(sh.Sanitised), textBlock)
	if err != nil {
		return nil, err
	}
	sh.Sanitised, sh.SealedSanitised = "", sealed
	it, err := s.cfg.Store.ShareIntelItem(ctx, id, sh)
	if err != nil {
		return nil, err
	}
	r.reveal(ctx, it)
	return it, nil
}

// revealed opens the text of an item a store method returned.
func (s *SealedIntel) revealed(ctx context.Context) func(*lantern.IntelItem, error) (*lantern.IntelItem, error) {
	return func(it *lantern.IntelItem, err error) (*lantern.IntelItem, error) {
		if err != nil {
			return nil, err
		}
		s.newReader(ctx).reveal(ctx, it)
		return it, nil
	}
}

// intelReader opens items for one principal.
type intelReader struct {
	s      *SealedIntel
	userID string
	id     *age.HybridIdentity
	err    error // why the principal has no key
}

func (s *SealedIntel) newReader(ctx context.Context) *intelReader {
	p, _ := lantern.PrincipalFrom(ctx)
	r := &intelReader{s: s, userID: p.UserID}
	if err := unitMember(p); err != nil {
		r.err = err
		return r
	}
	r.id, r.err = s.cfg.Keyring.identity(p)
	return r
}

// itemKey unwraps item id's key: EUNAUTHORIZED without an unlocked key,
// EFORBIDDEN without a wrap that opens.
func (r *intelReader) itemKey(ctx context.Context, id int64) (key, error) {
	if r.err != nil {
		return key{}, lantern.Errorf(lantern.EUNAUTHORIZED, IntelSignIn)
	}
	w, err := r.s.cfg.Store.IntelKey(ctx, id, r.userID)
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return key{}, lantern.Errorf(lantern.EFORBIDDEN, IntelNotForYou)
	} else if err != nil {
		return key{}, err
	}
	k, err := unwrapKey(w.Wrapped, r.id)
	if err != nil {
		return key{}, lantern.Errorf(lantern.EFORBIDDEN, IntelOldKey)
	}
	return k, nil
}

// reveal replaces a sealed item's text with its opened text, or leaves it
// empty and says why in Unreadable. An item stored in clear is left as it
// is.
func (r *intelReader) reveal(ctx context.Context, it *lantern.IntelItem) {
	sealed := it.Sealed
	if sealed == nil {
		return
	}
	it.Sealed, it.Summary, it.Sanitised = nil, "", ""
	k, err := r.itemKey(ctx, it.ID)
	if err != nil {
		if c := lantern.ErrorCode(err); c != lantern.EUNAUTHORIZED && c != lantern.EFORBIDDEN {
			r.s.cfg.Logger.Error("intelligence item key not read", "item", it.ID)
			err = lantern.Errorf(lantern.EINTERNAL, IntelDamaged)
		}
		it.Unreadable = lantern.ErrorMessage(err)
		return
	}
	summary, err := open(k, intelLabel(it, "summary"), sealed.Summary)
	var sanitised []byte
	if err == nil && sealed.Sanitised != nil {
		sanitised, err = open(k, intelLabel(it, "sanitised"), sealed.Sanitised)
	}
	if err != nil {
		r.s.cfg.Logger.Error("intelligence item did not open", "item", it.ID)
		it.Unreadable = IntelDamaged
		return
	}
	it.Summary, it.Sanitised = string(summary), string(sanitised)
}

// WithoutText returns the log for services that use items' metadata only,
// such as the workspace's risk ranking and staff profiles: it records and
// changes items as s does, but its reads leave sealed text unopened (empty,
// with Unreadable saying where to read it), so that ranking the whole force
// unwraps no keys.
func (s *SealedIntel) WithoutText() lantern.IntelService { return metadataIntel{s} }

type metadataIntel struct{ *SealedIntel }

func (m metadataIntel) IntelItem(ctx context.Context, id int64) (*lantern.IntelItem, error) {
	it, err := m.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return nil, err
	}
	withoutText(it)
	return it, nil
}

func (m metadataIntel) FindIntelItems(ctx context.Context, f lantern.IntelFilter) ([]*lantern.IntelItem, int, error) {
	list, n, err := m.cfg.Store.FindIntelItems(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for _, it := range list {
		withoutText(it)
	}
	return list, n, nil
}

// withoutText drops a sealed item's sealed text, unopened.
func withoutText(it *lantern.IntelItem) {
	if it.Sealed != nil {
		it.Sealed, it.Summary, it.Sanitised, it.Unreadable = nil, "", "", IntelNotOpened
	}
}

// WithSealedIntel returns st with its intelligence log replaced by in, for
// the services that record intelligence alongside reports and referrals.
func WithSealedIntel(st lantern.IntakeStore, in *SealedIntel) lantern.IntakeStore {
	return sealedIntake{ReportService: st, ReferralService: st, IntelService: in, IntelKeyService: st}
}

type sealedIntake struct {
	lantern.ReportService
	lantern.ReferralService
	lantern.IntelService
	lantern.IntelKeyService
}
