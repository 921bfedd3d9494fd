package detect

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"
)

// MaxEvidence bounds the event ids an alert keeps: the first ones found.
const MaxEvidence = 50

// Alert is a rule's finding about one member of staff and one key (the
// person, incident, number or search the rule is about; "" for a finding
// about the staff member's behaviour as a whole).
//
// An alert is raised once per rule, staff member and key while the condition
// goes on: a match whose time is within the rule's dedupe interval of the
// alert's LastEvidence updates it (more evidence, a later LastEvidence, the
// higher score) instead of raising another. ID is a stable hash of the rule,
// staff member, key and first evidence id, so a replay gives the same ids.
type Alert struct {
	ID            string
	Rule          string
	StaffID       string
	Key           string
	Severity      string
	Score         float64
	FirstEvidence time.Time
	LastEvidence  time.Time
	EvidenceIDs   []string // the first MaxEvidence event ids, in the order found
	Matches       int      // how many times the rule matched into this alert
	Explanation   string
	Signal        bool // raised by a signal rule: it feeds Risk and the staff member's timeline, not the unit's queue
}

// stableHash is FNV-1a over the parts, each followed by a zero byte, so that
// ("ab","c") and ("a","bc") differ.
func stableHash(parts ...string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= prime
		}
		h ^= 0
		h *= prime
	}
	return h
}

func hashID(h uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], h)
	return hex.EncodeToString(b[:])
}

// alertBook holds the open alerts, one per rule, staff member and key.
type alertBook struct {
	open map[uint64]*openAlert
}

// openAlert is an alert that later matches may still extend.
type openAlert struct {
	Alert
	dedupe time.Duration
}

// prune forgets the alerts no match at or after now can extend any more.
func (b *alertBook) prune(now time.Time) {
	for h, a := range b.open {
		if now.Sub(a.LastEvidence) > a.dedupe {
			delete(b.open, h)
		}
	}
}

// finding is one match of a rule, ready to become or extend an alert.
type finding struct {
	rule     *Rule
	staff    string
	key      string
	at       time.Time
	evidence []string
	score    float64
	why      string
}

// raise records f and returns the alert it created or extended.
func (b *alertBook) raise(f finding) Alert {
	h := stableHash(f.rule.Name, f.staff, f.key)
	a := b.open[h]
	if a == nil || f.at.Sub(a.LastEvidence) > f.rule.Dedupe {
		first := ""
		if len(f.evidence) > 0 {
			first = f.evidence[0]
		}
		a = &openAlert{Alert{ID: hashID(stableHash(f.rule.Name, f.staff, f.key, first)), Rule: f.rule.Name, StaffID: f.staff,
			Key: f.key, Severity: f.rule.Severity, FirstEvidence: f.at, LastEvidence: f.at, Signal: f.rule.Signal}, f.rule.Dedupe}
		b.open[h] = a
	}
	a.dedupe = f.rule.Dedupe
	for _, id := range f.evidence {
		if len(a.EvidenceIDs) >= MaxEvidence {
			break
		}
		if !slices.Contains(a.EvidenceIDs, id) {
			a.EvidenceIDs = append(a.EvidenceIDs, id)
		}
	}
	if f.at.Before(a.FirstEvidence) {
		a.FirstEvidence = f.at
	}
	if f.at.After(a.LastEvidence) {
		a.LastEvidence = f.at
	}
	a.Score = max(a.Score, f.score)
	a.Matches++
	a.Explanation = f.why
	out := a.Alert
	out.EvidenceIDs = slices.Clip(a.EvidenceIDs)
	return out
}
