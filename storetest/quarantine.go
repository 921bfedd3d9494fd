package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"lantern"
)

func testQuarantine(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testRejectionRoundTrip(t, open) })
	t.Run("Invalid", func(t *testing.T) { t.Parallel(); testRejectionInvalid(t, open) })
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.AddRejections(t.Context()))
		_, n, err := s.FindRejections(t.Context(), lantern.RejectionFilter{})
		must(t, err)
		if n != 0 {
			t.Errorf("total = %d after an empty batch, want 0", n)
		}
	})
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindRejections(t, open) })
	t.Run("SetState", func(t *testing.T) { t.Parallel(); testSetRejectionState(t, open) })
	t.Run("LargeBatch", func(t *testing.T) { t.Parallel(); testRejectionLargeBatch(t, open) })
}

func rejection(source, kind string, line int) *lantern.Rejection {
	return &lantern.Rejection{
		Source:     source,
		Kind:       kind,
		Format:     "jsonl",
		Line:       line,
		Reason:     "missing field",
		Raw:        []byte(fmt.Sprintf(`{"line":%d}`, line)),
		State:      lantern.RejectionOpen,
		ReceivedAt: base(),
	}
}

// allBytes returns n bytes that run through every byte value, so that a
// round trip proves a store keeps binary data as it is.
func allBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}

// normRejection is what a store must give back for r, UpdatedAt aside.
func normRejection(r *lantern.Rejection) *lantern.Rejection {
	c := *r
	c.ReceivedAt = norm(c.ReceivedAt)
	c.UpdatedAt = time.Time{}
	if len(c.Raw) == 0 {
		c.Raw = nil
	}
	return &c
}

// sameRejection compares got with normRejection(want), Raw included, after
// checking that the store stamped UpdatedAt.
func sameRejection(t *testing.T, got, want *lantern.Rejection) {
	t.Helper()
	if got == nil {
		t.Fatalf("rejection %d: got nil", want.ID)
	}
	g := *got
	if g.UpdatedAt.IsZero() {
		t.Errorf("rejection %d: UpdatedAt is zero", g.ID)
	}
	g.UpdatedAt = time.Time{}
	w := normRejection(want)
	what := fmt.Sprintf("rejection %d", want.ID)
	// Raw is not in the JSON form.
	if !bytes.Equal(g.Raw, w.Raw) || (g.Raw == nil) != (w.Raw == nil) {
		t.Errorf("%s: Raw differs: got %d bytes (nil %v), want %d bytes (nil %v)", what, len(g.Raw), g.Raw == nil, len(w.Raw), w.Raw == nil)
	}
	same(t, what, &g, w)
}

func rejectionIDs(list []*lantern.Rejection) []int64 {
	ids := []int64{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

// mustFindRejection returns the one row with this ID or fails the test.
func mustFindRejection(t *testing.T, s lantern.Store, id int64) *lantern.Rejection {
	t.Helper()
	list, n, err := s.FindRejections(t.Context(), lantern.RejectionFilter{ID: &id})
	must(t, err)
	if len(list) != 1 || n != 1 {
		t.Fatalf("FindRejections(ID %d): %d rows, total %d; want 1", id, len(list), n)
	}
	return list[0]
}

func testRejectionRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	full := &lantern.Rejection{
		Source:     "api:rms",
		Kind:       "access",
		Format:     "csv:rms-audit",
		Line:       1<<31 - 1,
		Field:      "staff_id",
		Reason:     "staff_id is required",
		Raw:        allBytes(1000),
		State:      lantern.RejectionOpen,
		ReceivedAt: fine(hour(1)),
	}
	longest := rejection("calls.jsonl", "call", 2)
	longest.Raw = allBytes(lantern.MaxRejectedRaw + 1024)
	empty := rejection("calls.jsonl", "call", 0)
	empty.Raw, empty.Reason = nil, "empty line"
	blank := rejection("calls.jsonl", "call", 3)
	blank.Raw = []byte{}
	zeros := rejection("calls.jsonl", "call", 4)
	zeros.Raw = make([]byte, 64) // NULs, which a text column would cut short
	resolved := rejection("old.csv", "call", 5)
	resolved.State = lantern.RejectionResolved
	batch := []*lantern.Rejection{full, longest, empty, blank, zeros, resolved}

	must(t, s.AddRejections(t.Context(), batch...))
	for i, r := range batch {
		if r.ID <= 0 || i > 0 && r.ID <= batch[i-1].ID {
			t.Fatalf("IDs %d not assigned in ascending order", rejectionIDs(batch))
		}
		if r.UpdatedAt.IsZero() {
			t.Errorf("rejection %d: UpdatedAt not set on the record passed in", r.ID)
		}
		got := mustFindRejection(t, s, r.ID)
		sameRejection(t, got, r)
		if !got.UpdatedAt.Equal(r.UpdatedAt) {
			t.Errorf("rejection %d: AddRejections set UpdatedAt %s, stored %s", r.ID, r.UpdatedAt, got.UpdatedAt)
		}
	}

	// A later call's IDs come after the earlier ones.
	next := rejection("calls.jsonl", "call", 9)
	must(t, s.AddRejections(t.Context(), next))
	if next.ID <= resolved.ID {
		t.Errorf("second call got ID %d, not after %d", next.ID, resolved.ID)
	}
	list, n, err := s.FindRejections(t.Context(), lantern.RejectionFilter{})
	must(t, err)
	if n != len(batch)+1 || len(list) != n {
		t.Fatalf("FindRejections: %d rows, total %d; want %d", len(list), n, len(batch)+1)
	}
	for i, r := range append(batch, next) {
		sameRejection(t, list[i], r)
	}
}

func testRejectionInvalid(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*lantern.Rejection)
		field  string
	}{
		{"NoSource", func(r *lantern.Rejection) { r.Source = "" }, "source"},
		{"KindNotToken", func(r *lantern.Rejection) { r.Kind = "Call" }, "kind"},
		{"NoFormat", func(r *lantern.Rejection) { r.Format = "" }, "format"},
		{"NegativeLine", func(r *lantern.Rejection) { r.Line = -1 }, "line"},
		{"NoReason", func(r *lantern.Rejection) { r.Reason = "" }, "reason"},
		{"RawTooLong", func(r *lantern.Rejection) { r.Raw = make([]byte, lantern.MaxRejectedRaw+1025) }, "raw"},
		{"UnknownState", func(r *lantern.Rejection) { r.State = "pending" }, "state"},
		{"NoReceivedAt", func(r *lantern.Rejection) { r.ReceivedAt = time.Time{} }, "received_at"},
	}
	// A rejected batch must leave the store as it was, so the cases share one.
	s := open(t)
	before := rejection("a.jsonl", "call", 1)
	must(t, s.AddRejections(t.Context(), before))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := rejection("a.jsonl", "call", 2)
			bad := rejection("a.jsonl", "call", 3)
			tt.change(bad)
			wantInvalid(t, s.AddRejections(t.Context(), good, bad), tt.field)
			if good.ID != 0 || bad.ID != 0 {
				t.Errorf("a rejected batch assigned IDs %d and %d", good.ID, bad.ID)
			}
			list, n, err := s.FindRejections(t.Context(), lantern.RejectionFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("after a rejected batch: IDs %d total %d, want only %d", rejectionIDs(list), n, before.ID)
			}
			sameRejection(t, list[0], before)
		})
	}
}

func testFindRejections(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	if list, n, err := s.FindRejections(ctx, lantern.RejectionFilter{}); err != nil || n != 0 || len(list) != 0 {
		t.Fatalf("empty store: %d rows, total %d, error %v", len(list), n, err)
	}
	seed := []*lantern.Rejection{
		rejection("a.jsonl", "call", 1),
		rejection("b.csv", "call", 1),
		rejection("a.jsonl", "access", 2),
		rejection("api:rms", "access", 7),
		rejection("a.jsonl", "call", 3),
	}
	seed[1].State = lantern.RejectionRetried
	seed[3].State = lantern.RejectionResolved
	must(t, s.AddRejections(ctx, seed...))
	id := func(i int) int64 { return seed[i].ID }

	tests := []struct {
		name   string
		filter lantern.RejectionFilter
		want   []int
		total  int
	}{
		{"All", lantern.RejectionFilter{}, []int{0, 1, 2, 3, 4}, 5},
		{"ID", lantern.RejectionFilter{ID: ptr(id(2))}, []int{2}, 1},
		{"UnknownID", lantern.RejectionFilter{ID: ptr(id(4) + 100)}, []int{}, 0},
		{"Source", lantern.RejectionFilter{Source: ptr("a.jsonl")}, []int{0, 2, 4}, 3},
		{"Kind", lantern.RejectionFilter{Kind: ptr("access")}, []int{2, 3}, 2},
		{"State", lantern.RejectionFilter{State: ptr(lantern.RejectionOpen)}, []int{0, 2, 4}, 3},
		{"OtherState", lantern.RejectionFilter{State: ptr(lantern.RejectionRetried)}, []int{1}, 1},
		{"SourceAndKind", lantern.RejectionFilter{Source: ptr("a.jsonl"), Kind: ptr("call")}, []int{0, 4}, 2},
		{"IDAndOtherState", lantern.RejectionFilter{ID: ptr(id(1)), State: ptr(lantern.RejectionOpen)}, []int{}, 0},
		{"NoMatch", lantern.RejectionFilter{Source: ptr("c.csv")}, []int{}, 0},
		{"Limit", lantern.RejectionFilter{Limit: 2}, []int{0, 1}, 5},
		{"Offset", lantern.RejectionFilter{Offset: 3}, []int{3, 4}, 5},
		{"OffsetAndLimit", lantern.RejectionFilter{Offset: 1, Limit: 2}, []int{1, 2}, 5},
		{"OffsetPastEnd", lantern.RejectionFilter{Offset: 9}, []int{}, 5},
		{"FilterAndPage", lantern.RejectionFilter{State: ptr(lantern.RejectionOpen), Offset: 1, Limit: 1}, []int{2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, n, err := s.FindRejections(ctx, tt.filter)
			must(t, err)
			want := []int64{}
			for _, i := range tt.want {
				want = append(want, id(i))
			}
			if got := rejectionIDs(list); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("FindRejections: got IDs %d, want %d", got, want)
			}
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
			for i, r := range list {
				sameRejection(t, r, seed[tt.want[i]])
			}
		})
	}
	for _, f := range []lantern.RejectionFilter{{Offset: -1}, {Limit: -1}} {
		_, _, err := s.FindRejections(ctx, f)
		wantCode(t, err, lantern.EINVALID)
	}
}

func testSetRejectionState(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	rows := []*lantern.Rejection{rejection("a.jsonl", "call", 1), rejection("a.jsonl", "call", 2), rejection("a.jsonl", "call", 3)}
	must(t, s.AddRejections(ctx, rows...))

	at := fine(hour(30))
	must(t, s.SetRejectionState(ctx, lantern.RejectionRetried, at, rows[0].ID, rows[2].ID, rows[0].ID))
	for i, r := range rows {
		got := mustFindRejection(t, s, r.ID)
		want := *r
		if i != 1 {
			want.State = lantern.RejectionRetried
			if !got.UpdatedAt.Equal(norm(at)) {
				t.Errorf("rejection %d: UpdatedAt %s, want the time given, %s", r.ID, got.UpdatedAt, norm(at))
			}
		} else if !got.UpdatedAt.Equal(r.UpdatedAt) {
			t.Errorf("rejection %d: UpdatedAt %s changed by a change to other rows", r.ID, got.UpdatedAt)
		}
		sameRejection(t, got, &want)
	}
	// Any state may follow any other.
	must(t, s.SetRejectionState(ctx, lantern.RejectionOpen, hour(31), rows[0].ID))
	if got := mustFindRejection(t, s, rows[0].ID); got.State != lantern.RejectionOpen {
		t.Errorf("state = %q after reopening, want open", got.State)
	}
	must(t, s.SetRejectionState(ctx, lantern.RejectionResolved, hour(32)))

	tests := []struct {
		name  string
		state string
		at    time.Time
		ids   []int64
		code  string
	}{
		{"UnknownID", lantern.RejectionResolved, hour(40), []int64{rows[1].ID, rows[2].ID + 100}, lantern.ENOTFOUND},
		{"UnknownIDFirst", lantern.RejectionResolved, hour(40), []int64{0, rows[1].ID}, lantern.ENOTFOUND},
		{"UnknownState", "deleted", hour(40), []int64{rows[1].ID}, lantern.EINVALID},
		{"NoTime", lantern.RejectionResolved, time.Time{}, []int64{rows[1].ID}, lantern.EINVALID},
	}
	before, _, err := s.FindRejections(ctx, lantern.RejectionFilter{})
	must(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, s.SetRejectionState(ctx, tt.state, tt.at, tt.ids...), tt.code)
			after, _, err := s.FindRejections(ctx, lantern.RejectionFilter{})
			must(t, err)
			same(t, "rows after a refused change", after, before)
		})
	}
}

// testRejectionLargeBatch adds as many rows in one call as intake sends at
// most, and checks they all arrive, in order, with consecutive IDs.
func testRejectionLargeBatch(t *testing.T, open Opener) {
	const n = 4000
	s := open(t)
	batch := make([]*lantern.Rejection, n)
	for i := range batch {
		batch[i] = rejection("big.csv", "call", i+1)
		batch[i].Raw = allBytes(200 + i%300)
	}
	start := time.Now()
	must(t, s.AddRejections(t.Context(), batch...))
	t.Logf("AddRejections: %d rows in %s", n, time.Since(start))
	for i := 1; i < n; i++ {
		if batch[i].ID <= batch[i-1].ID {
			t.Fatalf("IDs not ascending at %d: %d after %d", i, batch[i].ID, batch[i-1].ID)
		}
	}
	list, total, err := s.FindRejections(t.Context(), lantern.RejectionFilter{Source: ptr("big.csv"), Offset: n - 10})
	must(t, err)
	if total != n || len(list) != 10 {
		t.Fatalf("FindRejections: %d rows, total %d; want 10 of %d", len(list), total, n)
	}
	for i, r := range list {
		sameRejection(t, r, batch[n-10+i])
	}
}
