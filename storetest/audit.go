package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"lantern"
)

// testAudit checks that appends chain, queries filter and page, and
// concurrent appends give one sound chain.
func testAudit(t *testing.T, open Opener) {
	t.Run("Chain", func(t *testing.T) { t.Parallel(); testAuditChain(t, open) })
	t.Run("Query", func(t *testing.T) { t.Parallel(); testAuditQuery(t, open) })
	t.Run("Concurrent", func(t *testing.T) { t.Parallel(); testAuditConcurrent(t, open) })
}

func testAuditChain(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	at := base().Add(987654321 * time.Nanosecond)
	first, err := s.AppendAudit(ctx, lantern.AuditEntry{Time: at, UserID: "u1", Role: lantern.UserAnalyst, Action: "alerts.view",
		Object: "alert:42", Outcome: lantern.AuditAllowed, Detail: "from the queue"})
	must(t, err)
	if first.Seq != 1 || first.PrevHash != lantern.AuditGenesis || first.Hash != lantern.AuditHash(first) ||
		!first.Time.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("first entry: %+v", first)
	}
	second, err := s.AppendAudit(ctx, lantern.AuditEntry{UserID: "cli:root", Action: "user.add", Object: "user:u2", Outcome: lantern.AuditAllowed})
	must(t, err)
	if second.Seq != 2 || second.PrevHash != first.Hash || second.Time.IsZero() || second.Hash != lantern.AuditHash(second) {
		t.Errorf("second entry: %+v", second)
	}
	for _, bad := range []lantern.AuditEntry{
		{Action: "x", Outcome: lantern.AuditAllowed},
		{UserID: "u1", Outcome: lantern.AuditAllowed},
		{UserID: "u1", Action: "x", Outcome: "maybe"},
		{UserID: "u1", Action: "x", Outcome: lantern.AuditAllowed, Role: "chief"},
	} {
		_, err := s.AppendAudit(ctx, bad)
		wantCode(t, err, lantern.EINVALID)
	}
	list, err := s.AuditEntries(ctx, lantern.AuditQuery{})
	must(t, err)
	if len(list) != 2 || list[0] != first || list[1] != second {
		t.Errorf("AuditEntries gave back\n%+v\nwant\n%+v\n%+v", list, first, second)
	}
	v, err := lantern.VerifyAudit(ctx, s, 1)
	must(t, err)
	if !v.OK() || v.Checked != 2 || v.LastHash != second.Hash {
		t.Errorf("VerifyAudit: %+v", v)
	}
}

func testAuditQuery(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for i := range 10 {
		_, err := s.AppendAudit(ctx, lantern.AuditEntry{Time: base().Add(time.Duration(i) * time.Hour), UserID: fmt.Sprintf("u%d", i%2),
			Action: []string{"alerts.view", "staff.view"}[i%3/2], Object: fmt.Sprintf("alert:%d", i%4), Outcome: lantern.AuditAllowed})
		must(t, err)
	}
	seqs := func(q lantern.AuditQuery) []int64 {
		list, err := s.AuditEntries(ctx, q)
		must(t, err)
		out := []int64{}
		for _, e := range list {
			out = append(out, e.Seq)
		}
		return out
	}
	for name, c := range map[string]struct {
		q    lantern.AuditQuery
		want string
	}{
		"all":    {lantern.AuditQuery{}, "[1 2 3 4 5 6 7 8 9 10]"},
		"page":   {lantern.AuditQuery{AfterSeq: 3, Limit: 4}, "[4 5 6 7]"},
		"user":   {lantern.AuditQuery{UserID: "u1"}, "[2 4 6 8 10]"},
		"action": {lantern.AuditQuery{Action: "staff.view"}, "[3 6 9]"},
		"object": {lantern.AuditQuery{Object: "alert:1"}, "[2 6 10]"},
		"time":   {lantern.AuditQuery{Since: base().Add(2 * time.Hour), Until: base().Add(5 * time.Hour)}, "[3 4 5]"},
		"both":   {lantern.AuditQuery{UserID: "u0", Object: "alert:0"}, "[1 5 9]"},
	} {
		if got := fmt.Sprint(seqs(c.q)); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
	_, err := s.AuditEntries(ctx, lantern.AuditQuery{Limit: -1})
	wantCode(t, err, lantern.EINVALID)
}

func testAuditConcurrent(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				_, err := s.AppendAudit(ctx, lantern.AuditEntry{UserID: fmt.Sprintf("u%d", w), Action: "alerts.view",
					Object: fmt.Sprintf("alert:%d", i), Outcome: lantern.AuditAllowed})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	v, err := lantern.VerifyAudit(ctx, s, 7)
	must(t, err)
	if !v.OK() || v.Checked != 40 {
		t.Errorf("after concurrent appends: %+v", v)
	}
}
