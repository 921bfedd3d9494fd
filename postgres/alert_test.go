package postgres

import (
	"fmt"
	"testing"
	"time"

	"lantern"
)

func TestAlertTimesUseClock(t *testing.T) {
	base, admin := testServer(t)
	db := openFresh(t, base, admin)
	clock := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.UTC)
	db.SetClock(func() time.Time { return clock })
	raised := clock.Truncate(time.Microsecond)
	a := benchAlerts("a", 0, 1)[0]
	if err := db.SaveAlerts(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	if err := db.SaveAlerts(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	got, err := db.Alert(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.RaisedAt.Equal(raised) || !got.UpdatedAt.Equal(raised.Add(time.Hour)) {
		t.Errorf("after a second save: RaisedAt %s, UpdatedAt %s; want %s and an hour later", got.RaisedAt, got.UpdatedAt, raised)
	}

	clock = clock.Add(time.Hour)
	decided := time.Date(2029, 6, 1, 12, 0, 0, 0, time.UTC) // the analyst's own time, not the store's
	got, err = db.SetAlertState(t.Context(), a.ID, lantern.AlertStateUpdate{State: lantern.AlertTriaged, By: "ann", At: decided})
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(raised.Add(2*time.Hour)) || !got.StateAt.Equal(decided) || !got.RaisedAt.Equal(raised) {
		t.Errorf("after a change of state: UpdatedAt %s, StateAt %s, RaisedAt %s", got.UpdatedAt, got.StateAt, got.RaisedAt)
	}
}

// benchAlerts returns n alerts as the engine raises them, with ids numbered
// from first: ten pieces of evidence each, spread over 1,000 staff.
func benchAlerts(prefix string, first, n int) []*lantern.Alert {
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	list := make([]*lantern.Alert, n)
	for i := range list {
		id := first + i
		ev := make([]string, 10)
		for j := range ev {
			ev[j] = fmt.Sprintf("ev-%d-%d", id, j)
		}
		list[i] = &lantern.Alert{ID: fmt.Sprintf("%s%015x", prefix, id), Rule: "renewed_interest_after_contact",
			StaffID: fmt.Sprintf("S%05d", id%1000), Key: fmt.Sprintf("P%07d", id), Severity: lantern.SeverityHigh,
			Score: float64(id%100) / 10, Signal: id%4 == 0, FirstEvidence: t0.Add(time.Duration(id) * time.Second),
			LastEvidence: t0.Add(time.Duration(id)*time.Second + time.Hour), EvidenceIDs: ev, Matches: 10,
			Explanation: "renewed_interest_after_contact (high): attended an incident with her, the case closed, then viewed her record 10 times."}
	}
	return list
}

// BenchmarkSaveAlerts saves batches of 500 alerts: new ones, as live
// detection raises them, and known ones, as a replay of the event log saves
// them again.
func BenchmarkSaveAlerts(b *testing.B) {
	const batch = 500
	for _, replay := range []bool{false, true} {
		name := map[bool]string{false: "New", true: "Replay"}[replay]
		b.Run(name, func(b *testing.B) {
			base, admin := testServer(b)
			db := openFresh(b, base, admin)
			known := benchAlerts("a", 0, 20*batch)
			if replay {
				if err := db.SaveAlerts(b.Context(), known...); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				list := known[(i%20)*batch : (i%20+1)*batch]
				if !replay {
					b.StopTimer() // count the store's work, not the making of alerts
					list = benchAlerts("a", i*batch, batch)
					b.StartTimer()
				}
				if err := db.SaveAlerts(b.Context(), list...); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
