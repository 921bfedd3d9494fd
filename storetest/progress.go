package storetest

import (
	"testing"

	"lantern"
)

// testProgress checks that monitor progress is 0 until recorded, is kept per
// owner, and is replaced by the latest value.
func testProgress(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	seq, err := s.MonitorProgress(ctx, "monitor:all")
	must(t, err)
	if seq != 0 {
		t.Errorf("progress before any: %d", seq)
	}
	must(t, s.SetMonitorProgress(ctx, "monitor:all", 42))
	must(t, s.SetMonitorProgress(ctx, "monitor:0-15", 7))
	must(t, s.SetMonitorProgress(ctx, "monitor:all", 1<<40))
	for owner, want := range map[string]uint64{"monitor:all": 1 << 40, "monitor:0-15": 7, "monitor:16-31": 0} {
		got, err := s.MonitorProgress(ctx, owner)
		must(t, err)
		if got != want {
			t.Errorf("progress of %s: %d, want %d", owner, got, want)
		}
	}
	wantCode(t, s.SetMonitorProgress(ctx, "", 1), lantern.EINVALID)
	wantCode(t, s.SetMonitorProgress(ctx, "x", 1<<63), lantern.EINVALID)
}
