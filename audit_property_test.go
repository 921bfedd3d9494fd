package lantern

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestVerifyAuditFindsAnyTampering checks, over random trails and random
// tampering with one entry (a changed field, a deletion other than of the
// last entry, two entries swapped), that VerifyAudit never calls the trail
// sound and names an entry no later than the first one touched.
func TestVerifyAuditFindsAnyTampering(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 40).Draw(rt, "entries")
		tr := &trail{}
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := range n {
			tr.AppendAudit(t.Context(), AuditEntry{Time: at.Add(time.Duration(i) * time.Second), UserID: "u1",
				Action: "alerts.view", Object: "alert:1", Outcome: AuditAllowed})
		}
		i := rapid.IntRange(0, n-2).Draw(rt, "entry")
		touched := int64(i + 1)
		switch rapid.IntRange(0, 6).Draw(rt, "tamper") {
		case 0:
			tr.entries[i].UserID = "u2"
		case 1:
			tr.entries[i].Outcome = AuditDenied
		case 2:
			tr.entries[i].Time = tr.entries[i].Time.Add(time.Nanosecond * 1000)
		case 3:
			tr.entries[i].Detail = "x"
		case 4:
			tr.entries[i].PrevHash = tr.entries[i].Hash
		case 5:
			tr.entries = append(tr.entries[:i], tr.entries[i+1:]...)
		case 6:
			j := rapid.IntRange(i+1, n-1).Draw(rt, "other")
			tr.entries[i], tr.entries[j] = tr.entries[j], tr.entries[i]
			tr.entries[i].Seq, tr.entries[j].Seq = int64(i+1), int64(j+1)
		}
		v, err := VerifyAudit(t.Context(), tr, rapid.IntRange(1, 50).Draw(rt, "page"))
		if err != nil {
			rt.Fatal(err)
		}
		if v.OK() || v.BrokenSeq > touched || v.Checked != v.BrokenSeq-1 {
			rt.Fatalf("tampering with entry %d: %+v", touched, v)
		}
	})
}
