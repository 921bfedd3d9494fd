package sqlite

import (
	"path/filepath"
	"testing"

	"lantern"
)

// BenchmarkAudit measures appending to the audit trail, each append its own
// durable transaction, and verifying it:
// go test -run '^$' -bench Audit -benchtime 1000x ./sqlite
func BenchmarkAudit(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "lantern.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	entry := lantern.AuditEntry{UserID: "u1", Role: lantern.UserAnalyst, Action: "alerts.view", Object: "alert:1", Outcome: lantern.AuditAllowed}
	b.Run("Append", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.AppendAudit(b.Context(), entry); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("Verify", func(b *testing.B) {
		var checked int64
		for b.Loop() {
			v, err := lantern.VerifyAudit(b.Context(), db, 1000)
			if err != nil || !v.OK() {
				b.Fatal(err, v)
			}
			checked += v.Checked
		}
		b.ReportMetric(float64(checked)/b.Elapsed().Seconds(), "entries/s")
	})
}
