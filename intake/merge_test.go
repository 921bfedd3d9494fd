package intake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"lantern/ingest"
	"lantern/intake"
)

func commsLine(id, staff string, minute int) string {
	return fmt.Sprintf(`{"id":%q,"time":"2024-03-01T09:%02d:00Z","staff_id":%q,"device":"D1","direction":"outbound","kind":"sms","number":"07700 900123"}`, id, minute%60, staff)
}

// TestSubmitMergedOrdersByTime submits an access file and a comms file
// together: the event log receives their records interleaved by time, each
// input keeps its own summary, and a bad line is quarantined with its own
// file and line while the rest go on.
func TestSubmitMergedOrdersByTime(t *testing.T) {
	r := openRig(t, t.TempDir())
	defer r.close(t)
	checkCounts(t, r.submit(t, ingest.KindStaff, staffLines), 2, 0, 0)
	access := strings.Join([]string{
		accessLine("a1", "S1", 1),
		accessLine("a4", "S1", 4),
		`{"id":"a5","time":"not a time","staff_id":"S1","system":"rms","action":"view"}`,
		accessLine("a6", "S1", 6),
	}, "\n")
	comms := strings.Join([]string{
		commsLine("c2", "S1", 2),
		commsLine("c3", "S1", 3),
		commsLine("c7", "S1", 7),
	}, "\n")
	sums, err := r.in.SubmitMerged(context.Background(), []intake.Input{
		{Source: "access.jsonl", Kind: ingest.KindAccess, Reader: strings.NewReader(access)},
		{Source: "comms.jsonl", Kind: ingest.KindComms, Reader: strings.NewReader(comms)},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sums[0], 3, 0, 1)
	checkCounts(t, sums[1], 3, 0, 0)
	if sums[0].Source != "access.jsonl" || sums[0].Errors[0].Line != 3 || sums[0].Errors[0].Field != "time" {
		t.Errorf("access summary %+v", sums[0])
	}
	var order []string
	if _, err := intake.ReadLog(context.Background(), r.log, r.phones, 1, func(lr intake.LogRecord) error {
		if lr.Record.Kind == ingest.KindAccess || lr.Record.Kind == ingest.KindComms {
			order = append(order, lr.Record.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(order, " "), "a1 c2 c3 a4 a6 c7"; got != want {
		t.Errorf("log order %q, want %q", got, want)
	}
	// Both again: every record is a duplicate.
	sums, err = r.in.SubmitMerged(context.Background(), []intake.Input{
		{Source: "access.jsonl", Kind: ingest.KindAccess, Reader: strings.NewReader(access)},
		{Source: "comms.jsonl", Kind: ingest.KindComms, Reader: strings.NewReader(comms)},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, sums[0], 0, 3, 1)
	checkCounts(t, sums[1], 0, 3, 0)
}

// TestSubmitMergedReadError ends with the read error of one input after
// accepting what came before it.
func TestSubmitMergedReadError(t *testing.T) {
	r := openRig(t, t.TempDir())
	defer r.close(t)
	r.submit(t, ingest.KindStaff, staffLines)
	_, err := r.in.SubmitMerged(context.Background(), []intake.Input{
		{Source: "access.jsonl", Kind: ingest.KindAccess, Reader: strings.NewReader(accessLine("a1", "S1", 1))},
		{Source: "comms.jsonl.gz", Kind: ingest.KindComms, Reader: strings.NewReader("\x1f\x8bnot gzip")},
	})
	if err == nil || !strings.Contains(err.Error(), "comms.jsonl.gz") {
		t.Fatalf("err = %v, want one naming comms.jsonl.gz", err)
	}
}
