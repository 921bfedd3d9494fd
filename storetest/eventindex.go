package storetest

import (
	"fmt"
	"testing"
	"time"

	"lantern"
)

// indexed returns an access event for the index contract.
func indexed(id, staff, person string, h float64, purpose string) *lantern.IndexedEvent {
	return &lantern.IndexedEvent{
		ID: id, Kind: lantern.IndexedAccess, Time: fine(hour(h)), StaffID: staff, System: "rms", Action: "view",
		PersonID: person, Fields: []string{"address", "phone"}, Purpose: purpose,
		PurposeReason: "no link to the person; on duty", Seq: uint64(h*10) + 1,
	}
}

// testEventIndex checks the event index: saving is idempotent by ID and the
// last save wins, lookups by ids, a person's accesses newest first with
// paging and a total, a member of staff's events in a time range oldest
// first, counts per kind, purging by time, and EINVALID for bad input.
func testEventIndex(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	e1 := indexed("E1", "S1", "P1", 1, lantern.PurposeNo)
	e2 := indexed("E2", "S2", "P1", 2, lantern.PurposeYes)
	e3 := indexed("E3", "S1", "P2", 3, lantern.PurposeNo)
	c1 := &lantern.IndexedEvent{ID: "C1", Kind: lantern.IndexedComms, Time: fine(hour(4)), StaffID: "S1",
		System: "D1", Action: "outbound call", PersonID: "P1", Duration: 90 * time.Second,
		Purpose: lantern.PurposeUnknown, PurposeReason: "number not in force records"}
	search := &lantern.IndexedEvent{ID: "Q1", Kind: lantern.IndexedAccess, Time: fine(hour(5)), StaffID: "S1",
		System: "pnc", Action: "search", Query: "blonde woman, Elm Street", Purpose: lantern.PurposeUnknown}
	must(t, s.SaveIndexedEvents(ctx, e1, e2, e3, c1, search))
	// Replaying the same events, and a changed verdict, keeps one of each.
	must(t, s.SaveIndexedEvents(ctx, e1, e2))
	e3b := *e3
	e3b.Purpose, e3b.PurposeReason = lantern.PurposeYes, "assigned to incident I1 (open)"
	must(t, s.SaveIndexedEvents(ctx, &e3b))
	must(t, s.SaveIndexedEvents(ctx))

	norm := func(es ...*lantern.IndexedEvent) []*lantern.IndexedEvent {
		out := make([]*lantern.IndexedEvent, len(es))
		for i, e := range es {
			c := *e
			c.Time = c.Time.Truncate(time.Microsecond).UTC()
			out[i] = &c
		}
		return out
	}
	got, err := s.IndexedEvents(ctx, "Q1", "E1", "missing", "E3", "C1")
	must(t, err)
	same(t, "events by ids", got, norm(e1, &e3b, c1, search))
	got, err = s.IndexedEvents(ctx)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("no ids gave %d events", len(got))
	}

	got, n, err := s.PersonAccesses(ctx, "P1", lantern.IndexPage{})
	must(t, err)
	same(t, "accesses to P1", got, norm(c1, e2, e1))
	if n != 3 {
		t.Errorf("accesses to P1: total %d, want 3", n)
	}
	got, n, err = s.PersonAccesses(ctx, "P1", lantern.IndexPage{Offset: 1, Limit: 1})
	must(t, err)
	same(t, "second page of accesses to P1", got, norm(e2))
	if n != 3 {
		t.Errorf("paged accesses to P1: total %d, want 3", n)
	}
	got, n, err = s.PersonAccesses(ctx, "", lantern.IndexPage{})
	must(t, err)
	if len(got) != 0 || n != 0 {
		t.Errorf("accesses to no person: %d events, total %d", len(got), n)
	}
	_, _, err = s.PersonAccesses(ctx, "P1", lantern.IndexPage{Offset: -1})
	wantCode(t, err, lantern.EINVALID)
	_, _, err = s.PersonAccesses(ctx, "P1", lantern.IndexPage{Limit: lantern.MaxIndexPage + 1})
	wantCode(t, err, lantern.EINVALID)

	got, err = s.StaffEvents(ctx, "S1", hour(1), hour(5), 0)
	must(t, err)
	same(t, "S1's events in [1h, 5h)", got, norm(e1, &e3b, c1))
	got, err = s.StaffEvents(ctx, "S1", hour(0), hour(10), 2)
	must(t, err)
	same(t, "S1's first two events", got, norm(e1, &e3b))

	counts, err := s.IndexCounts(ctx, hour(2))
	must(t, err)
	same(t, "counts from 2h", counts, []lantern.IndexCount{
		{Kind: lantern.IndexedAccess, Events: 3, Latest: norm(search)[0].Time},
		{Kind: lantern.IndexedComms, Events: 1, Latest: norm(c1)[0].Time},
	})

	purged, err := s.PurgeIndexBefore(ctx, hour(3))
	must(t, err)
	if purged != 2 {
		t.Errorf("purged %d events before 3h, want 2", purged)
	}
	got, err = s.IndexedEvents(ctx, "E1", "E2", "E3")
	must(t, err)
	same(t, "events left after the purge", got, norm(&e3b))

	bad := *e1
	bad.Purpose = "maybe"
	wantInvalid(t, s.SaveIndexedEvents(ctx, indexed("E9", "S1", "P1", 9, lantern.PurposeYes), &bad), "purpose")
	got, err = s.IndexedEvents(ctx, "E9")
	must(t, err)
	if len(got) != 0 {
		t.Error("a refused batch wrote an event")
	}
	many := make([]string, lantern.MaxIndexPage+1)
	for i := range many {
		many[i] = fmt.Sprint("E", i)
	}
	_, err = s.IndexedEvents(ctx, many...)
	wantCode(t, err, lantern.EINVALID)
}
