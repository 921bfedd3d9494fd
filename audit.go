package lantern

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditGenesis is the PrevHash of the first entry on the trail: 64 zeros.
var AuditGenesis = strings.Repeat("0", 64)

// MaxAuditDetail is the longest Detail an entry may carry.
const MaxAuditDetail = 1000

// Validate reports whether e can be appended: UserID, Action and Outcome
// are required, Outcome is one of the Audit* outcomes and no field holds a
// control character or is overlong. It returns an EINVALID error.
func (e *AuditEntry) Validate() error {
	if err := ValidateID("user_id", e.UserID); err != nil {
		return err
	}
	if err := ValidateID("action", e.Action); err != nil {
		return err
	}
	if err := ValidateOneOf("outcome", e.Outcome, AuditAllowed, AuditDenied, AuditFailed); err != nil {
		return err
	}
	if e.Role != "" && !e.Role.Valid() {
		return FieldErrorf("role", "role %q is not a user role", e.Role)
	}
	if e.Object != "" {
		if err := ValidateID("object", e.Object); err != nil {
			return err
		}
	}
	if len(e.Detail) > MaxAuditDetail {
		return FieldErrorf("detail", "detail is longer than %d bytes", MaxAuditDetail)
	}
	return nil
}

// AuditHash returns the hash an entry must carry: the hex SHA-256 of a
// canonical encoding of PrevHash and every other field. Each field is
// written as its length (8 bytes, big-endian) followed by its bytes, so no
// two different entries encode the same; Time is written in RFC 3339 with
// nanoseconds, in UTC. Hash itself is not covered.
func AuditHash(e AuditEntry) string {
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field("lantern-audit-v1")
	field(e.PrevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.Time.UTC().Format(time.RFC3339Nano))
	field(e.UserID)
	field(string(e.Role))
	field(e.Action)
	field(e.Object)
	field(e.Outcome)
	field(e.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

// Reasons VerifyAudit gives for a broken trail.
const (
	AuditChanged   = "changed"   // the entry's fields do not match its hash
	AuditMissing   = "missing"   // the entry is gone: deleted
	AuditReordered = "reordered" // the entry holds another position's content
	AuditBadLink   = "bad link"  // the entry does not chain to the one before
)

// AuditVerification is the result of checking the trail.
type AuditVerification struct {
	Checked  int64  // entries checked and found sound
	LastSeq  int64  // the last sound entry's Seq
	LastHash string // the last sound entry's Hash, worth recording elsewhere
	// BrokenSeq is the Seq of the first broken entry, or 0 when the trail
	// is sound. For a missing entry it is the Seq that is missing.
	BrokenSeq int64
	Reason    string // one of the Audit* reasons above, or ""
	Detail    string // a sentence explaining the break
}

// OK reports whether the trail was found sound.
func (v AuditVerification) OK() bool { return v.BrokenSeq == 0 }

// auditReorderWindow is how far from its position VerifyAudit looks for the
// position an entry's content was written at.
const auditReorderWindow = 10000

// VerifyAudit walks the whole trail in pages of pageSize (a default when 0)
// and checks that every entry matches its hash, that Seq counts up from 1
// with no gap, and that each PrevHash is the Hash of the entry before (the
// first entry's is AuditGenesis). It stops at the first broken entry. The
// error is for a trail that cannot be read; a broken trail is a result.
//
// A deleted last entry leaves no trace in the chain itself: compare
// LastSeq and LastHash with a value recorded earlier to notice one.
func VerifyAudit(ctx context.Context, trail AuditService, pageSize int) (AuditVerification, error) {
	if pageSize <= 0 {
		pageSize = 1000
	}
	v := AuditVerification{LastHash: AuditGenesis}
	for {
		page, err := trail.AuditEntries(ctx, AuditQuery{AfterSeq: v.LastSeq, Limit: pageSize})
		if err != nil {
			return v, fmt.Errorf("read the audit trail after entry %d: %w", v.LastSeq, err)
		}
		for _, e := range page {
			if broken := v.check(e); broken {
				return v, nil
			}
		}
		if len(page) < pageSize {
			return v, nil
		}
	}
}

// check checks e as the next entry, recording it in v when sound and the
// break when not. It returns true for a break.
func (v *AuditVerification) check(e AuditEntry) bool {
	want := v.LastSeq + 1
	brk := func(seq int64, reason, format string, args ...any) bool {
		v.BrokenSeq, v.Reason, v.Detail = seq, reason, fmt.Sprintf(format, args...)
		return true
	}
	if e.Seq > want {
		if e.Seq == want+1 {
			return brk(want, AuditMissing, "entry %d is missing: it was deleted", want)
		}
		return brk(want, AuditMissing, "entries %d to %d are missing: they were deleted", want, e.Seq-1)
	}
	if e.Seq < want {
		// Paging by Seq never gives this from a sound store.
		return brk(want, AuditReordered, "entry %d came back after entry %d", e.Seq, v.LastSeq)
	}
	if AuditHash(e) != e.Hash {
		if from, ok := writtenAt(e); ok {
			return brk(e.Seq, AuditReordered, "entry %d holds the entry written at position %d: entries were moved, renumbered or deleted", e.Seq, from)
		}
		return brk(e.Seq, AuditChanged, "entry %d was changed: its fields do not match its hash", e.Seq)
	}
	if e.PrevHash != v.LastHash {
		if e.Seq == 1 {
			return brk(e.Seq, AuditBadLink, "entry 1 does not start the chain: its previous hash is not %d zeros", len(AuditGenesis))
		}
		return brk(e.Seq, AuditBadLink, "entry %d does not follow entry %d: its previous hash is not that entry's hash", e.Seq, v.LastSeq)
	}
	v.Checked++
	v.LastSeq, v.LastHash = e.Seq, e.Hash
	return false
}

// writtenAt finds the Seq at which e's content was hashed, when it was
// hashed at another position near its own.
func writtenAt(e AuditEntry) (int64, bool) {
	for d := int64(1); d <= auditReorderWindow; d++ {
		for _, s := range []int64{e.Seq - d, e.Seq + d} {
			if s < 1 {
				continue
			}
			moved := e
			moved.Seq = s
			if AuditHash(moved) == e.Hash {
				return s, true
			}
		}
	}
	return 0, false
}
