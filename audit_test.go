package lantern

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// trail is an AuditService over a slice, for testing VerifyAudit.
type trail struct{ entries []AuditEntry }

func (tr *trail) AppendAudit(_ context.Context, e AuditEntry) (AuditEntry, error) {
	e.Seq = int64(len(tr.entries) + 1)
	e.PrevHash = AuditGenesis
	if len(tr.entries) > 0 {
		e.PrevHash = tr.entries[len(tr.entries)-1].Hash
	}
	e.Hash = AuditHash(e)
	tr.entries = append(tr.entries, e)
	return e, nil
}

func (tr *trail) AuditEntries(_ context.Context, q AuditQuery) ([]AuditEntry, error) {
	var out []AuditEntry
	for _, e := range tr.entries {
		if e.Seq > q.AfterSeq && len(out) < q.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func newTrail(t *testing.T, n int) *trail {
	tr := &trail{}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		_, err := tr.AppendAudit(t.Context(), AuditEntry{Time: at.Add(time.Duration(i) * time.Minute), UserID: "u1", Role: UserAnalyst,
			Action: string(ActViewAlerts), Object: fmt.Sprintf("alert:%d", i), Outcome: AuditAllowed})
		if err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func TestVerifyAudit(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(tr *trail)
		seq    int64
		reason string
	}{
		{"sound", func(*trail) {}, 0, ""},
		{"changed detail", func(tr *trail) { tr.entries[4].Detail = "nothing to see" }, 5, AuditChanged},
		{"changed time", func(tr *trail) { tr.entries[6].Time = tr.entries[6].Time.Add(time.Microsecond) }, 7, AuditChanged},
		{"changed hash", func(tr *trail) { tr.entries[2].Hash = strings.Repeat("a", 64) }, 3, AuditChanged},
		{"deleted", func(tr *trail) { tr.entries = append(tr.entries[:3], tr.entries[4:]...) }, 4, AuditMissing},
		{"deleted first", func(tr *trail) { tr.entries = tr.entries[1:] }, 1, AuditMissing},
		{"deleted and renumbered", func(tr *trail) {
			tr.entries = append(tr.entries[:3], tr.entries[4:]...)
			for i := 3; i < len(tr.entries); i++ {
				tr.entries[i].Seq--
			}
		}, 4, AuditReordered},
		{"swapped", func(tr *trail) {
			tr.entries[5], tr.entries[6] = tr.entries[6], tr.entries[5]
			tr.entries[5].Seq, tr.entries[6].Seq = 6, 7
		}, 6, AuditReordered},
		{"rehashed after a change", func(tr *trail) {
			tr.entries[8].Detail = "forged"
			tr.entries[8].Hash = AuditHash(tr.entries[8])
		}, 10, AuditBadLink},
		{"forged start", func(tr *trail) {
			tr.entries[0].PrevHash = strings.Repeat("1", 64)
			tr.entries[0].Hash = AuditHash(tr.entries[0])
		}, 1, AuditBadLink},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := newTrail(t, 12)
			c.tamper(tr)
			for _, page := range []int{1, 3, 5, 100} {
				v, err := VerifyAudit(t.Context(), tr, page)
				if err != nil {
					t.Fatal(err)
				}
				if v.BrokenSeq != c.seq || v.Reason != c.reason {
					t.Errorf("page %d: broken at %d (%s: %s), want %d (%s)", page, v.BrokenSeq, v.Reason, v.Detail, c.seq, c.reason)
				}
				if c.seq == 0 && (v.Checked != 12 || v.LastHash != tr.entries[11].Hash) {
					t.Errorf("page %d: checked %d, last hash %s", page, v.Checked, v.LastHash)
				}
				if c.seq != 0 && (v.Checked != c.seq-1 || !strings.Contains(v.Detail, fmt.Sprint(c.seq))) {
					t.Errorf("page %d: checked %d before the break, detail %q", page, v.Checked, v.Detail)
				}
			}
		})
	}
}

// TestAuditHashFieldsUnambiguous checks that moving text between adjacent
// fields changes the hash.
func TestAuditHashFieldsUnambiguous(t *testing.T) {
	a := AuditEntry{Seq: 1, UserID: "u1", Action: "alerts.view", Object: "alert:1", Outcome: AuditAllowed, PrevHash: AuditGenesis}
	b := a
	b.Action, b.Object = "alerts.viewa", "lert:1"
	c := a
	c.Seq = 11
	c.UserID = "u"
	if AuditHash(a) == AuditHash(b) || AuditHash(a) == AuditHash(c) {
		t.Error("different entries share a hash")
	}
	if h, again := AuditHash(a), AuditHash(a); h != again || len(h) != 64 {
		t.Error("the hash is not a stable hex SHA-256")
	}
}

func TestUserValidate(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good := User{ID: "u1", Username: "a.smith@force.police.uk", Name: "A Smith", Role: UserAnalyst, CreatedAt: at}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, change := range map[string]func(u *User){
		"id":         func(u *User) { u.ID = "" },
		"username":   func(u *User) { u.Username = "A.Smith" },
		"role":       func(u *User) { u.Role = "chief" },
		"name":       func(u *User) { u.Name = "A\nSmith" },
		"staff_id":   func(u *User) { u.StaffID = " S1" },
		"created_at": func(u *User) { u.CreatedAt = time.Time{} },
	} {
		u := good
		change(&u)
		if err := u.Validate(); ErrorCode(err) != EINVALID || ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	for _, name := range []string{"a", ".ab", "ab cd", strings.Repeat("a", 65), "ab/c", "ÄB"} {
		if ValidateUsername(name) == nil {
			t.Errorf("username %q accepted", name)
		}
	}
}

func TestUserNeverShowsCredentials(t *testing.T) {
	u := &User{ID: "u1", Username: "asmith", Role: UserAnalyst, PasswordHash: "$argon2id$secret-hash", TOTPSecret: "v1:sealed-secret"}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("user", "user", u)
	encoded, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{logged.String(), string(encoded), fmt.Sprint(u), fmt.Sprintf("%+v", u)} {
		if strings.Contains(out, "secret") || !strings.Contains(out, "asmith") {
			t.Errorf("shown as %s", out)
		}
	}
}
