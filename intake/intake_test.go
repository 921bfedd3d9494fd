package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/ingest"
	"lantern/intake"
	"lantern/nats"
	"lantern/sqlite"
)

// rig is a real intake over an embedded event log and a SQLite store in one
// temporary directory.
type rig struct {
	dir    string
	log    *nats.Log
	store  *sqlite.DB
	in     *intake.Intake
	phones *ingest.PhoneHasher
	sealer *intake.Sealer
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// openRig opens (or reopens) the rig in dir.
func openRig(t testing.TB, dir string, opts ...func(*intake.Config)) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{dir: dir}
	var err error
	if r.phones, err = ingest.NewPhoneHasher(key(7)); err != nil {
		t.Fatal(err)
	}
	if r.sealer, err = intake.NewSealer(key(9)); err != nil {
		t.Fatal(err)
	}
	if r.store, err = sqlite.Open(ctx, filepath.Join(dir, "lantern.db")); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if r.log, err = nats.Open(ctx, nats.Config{DataDir: filepath.Join(dir, "nats"), SyncAlways: true, Logger: logger}); err != nil {
		t.Fatal(err)
	}
	cfg := intake.Config{
		Log: r.log, Store: r.store, Phones: r.phones, Sealer: r.sealer,
		SnapshotPath: filepath.Join(dir, "intake.ids"), Logger: logger,
	}
	for _, o := range opts {
		o(&cfg)
	}
	r.in, err = intake.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// close shuts the rig down cleanly (saving the id snapshot).
func (r *rig) close(t testing.TB) {
	t.Helper()
	if err := r.in.Close(); err != nil {
		t.Fatal(err)
	}
	r.crash(t)
}

// crash closes the log and store without letting intake save its snapshot,
// as a killed process would leave them.
func (r *rig) crash(t testing.TB) {
	t.Helper()
	r.log.Close()
	r.store.Close()
}

func (r *rig) submit(t testing.TB, kind ingest.Kind, body string) *intake.Summary {
	t.Helper()
	sum, err := r.in.Submit(context.Background(), intake.Input{Source: string(kind) + ".jsonl", Kind: kind, Reader: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("submit %s: %v", kind, err)
	}
	return sum
}

func checkCounts(t testing.TB, s *intake.Summary, accepted, dups, rejected int) {
	t.Helper()
	if s.Accepted != accepted || s.Duplicates != dups || s.Rejected != rejected {
		t.Fatalf("accepted/duplicates/rejected = %d/%d/%d, want %d/%d/%d; errors %+v",
			s.Accepted, s.Duplicates, s.Rejected, accepted, dups, rejected, s.Errors)
	}
}

const staffLines = `{"id":"S1","category":"officer","role":"response","gender":"male","start_date":"2015-04-01"}
{"id":"S2","category":"staff","role":"control_room","gender":"female","start_date":"2019-09-01"}
`

func accessLine(id, staff string, minute int) string {
	return fmt.Sprintf(`{"id":%q,"time":"2024-03-01T09:%02d:00Z","staff_id":%q,"system":"rms","action":"view","person_id":"P1"}`, id, minute%60, staff)
}

func TestSubmitAcceptsDeduplicatesAndQuarantines(t *testing.T) {
	r := openRig(t, t.TempDir())
	defer r.close(t)
	checkCounts(t, r.submit(t, ingest.KindStaff, staffLines), 2, 0, 0)

	body := strings.Join([]string{
		accessLine("a1", "S1", 1),
		accessLine("a2", "S2", 2),
		accessLine("a1", "S1", 1), // the same record again in one file
		`{"id":"a3","time":"2024-03-01T09:03:00","staff_id":"S1","system":"rms","action":"view","person_id":"P1"}`,
		accessLine("a4", "S99", 4), // nobody sent S99
		`{"id":"a5","time":"2024-03-01T09:05:00Z","staff_id":"S1"`,
		"",
		accessLine("a6", "S1", 6),
	}, "\n")
	sum := r.submit(t, ingest.KindAccess, body)
	checkCounts(t, sum, 3, 1, 3)
	want := map[int]string{4: "time", 5: "staff_id", 6: ""}
	for _, le := range sum.Errors {
		f, ok := want[le.Line]
		if !ok || f != le.Field || le.Reason == "" {
			t.Errorf("unexpected error %+v", le)
		}
		delete(want, le.Line)
	}
	if len(want) > 0 {
		t.Errorf("no error reported for lines %v", want)
	}

	// The same input again changes nothing.
	checkCounts(t, r.submit(t, ingest.KindAccess, body), 0, 4, 3)

	// Rejected rows are kept, sealed, with line, field and reason.
	rows, n, err := r.store.FindRejections(context.Background(), lantern.RejectionFilter{})
	if err != nil || n != 3 {
		t.Fatalf("quarantine: %d rows, %v", n, err)
	}
	first := rows[0]
	if first.Line != 4 || first.Field != "time" || first.Source != "access.jsonl" || first.Format != "jsonl" {
		t.Errorf("first row %+v", first)
	}
	if bytes.Contains(first.Raw, []byte("staff_id")) {
		t.Error("quarantined row is stored in clear")
	}
	raw, err := r.sealer.Open(first.Raw, intake.SealAD(first.Kind, first.Source))
	if err != nil || !strings.Contains(string(raw), `"id":"a3"`) {
		t.Errorf("unsealed row %q, %v", raw, err)
	}
	if unknown := rows[1]; !strings.Contains(unknown.Reason, "unknown staff id") {
		t.Errorf("unknown staff reason %q", unknown.Reason)
	}
}

func TestReferenceRecordsReachTheStore(t *testing.T) {
	r := openRig(t, t.TempDir())
	defer r.close(t)
	ctx := context.Background()
	r.submit(t, ingest.KindStaff, staffLines)
	checkCounts(t, r.submit(t, ingest.KindPerson, `{"id":"P1","time":"2024-01-01T00:00:00Z","gender":"female","birth_year":1996,"flags":["domestic_abuse_victim"],"phones":["07700 900123"]}`+"\n"), 1, 0, 0)
	checkCounts(t, r.submit(t, ingest.KindIncident, `{"id":"I1","type":"domestic_abuse","status":"open","opened_at":"2024-02-01T22:10:00Z"}`+"\n"), 1, 0, 0)
	checkCounts(t, r.submit(t, ingest.KindInvolvement, `{"incident_id":"I1","person_id":"P1","part":"victim","at":"2024-02-01T22:15:00Z"}`+"\n"+
		`{"incident_id":"I1","person_id":"P404","part":"witness","at":"2024-02-01T22:15:00Z"}`+"\n"), 1, 0, 1)
	checkCounts(t, r.submit(t, ingest.KindAssignment, `{"incident_id":"I1","staff_id":"S1","kind":"attended","at":"2024-02-01T22:20:00Z"}`+"\n"), 1, 0, 0)
	checkCounts(t, r.submit(t, ingest.KindIncident, `{"id":"I1","type":"domestic_abuse","status":"closed","opened_at":"2024-02-01T22:10:00Z","closed_at":"2024-02-20T10:00:00Z"}`+"\n"), 1, 0, 0)
	checkCounts(t, r.submit(t, ingest.KindShift, `{"staff_id":"S1","kind":"duty","start":"2024-03-01T07:00:00Z","end":"2024-03-01T17:00:00Z"}`+"\n"), 1, 0, 0)

	p, err := r.store.FindPersonByID(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasFlag(lantern.FlagDomesticAbuseVictim) || len(p.PhoneHashes) != 1 || strings.Contains(p.PhoneHashes[0], "7700") {
		t.Errorf("person %+v", p)
	}
	inc, err := r.store.FindIncidentByID(ctx, "I1")
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != lantern.StatusClosed || len(inc.Involvements) != 1 || len(inc.Assignments) != 1 {
		t.Errorf("incident %+v", inc)
	}
	open, err := r.store.IncidentOpenAt(ctx, "I1", time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC))
	if err != nil || !open {
		t.Errorf("open on 10 Feb = %v, %v", open, err)
	}
	onDuty, err := r.store.OnDuty(ctx, "S1", time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
	if err != nil || !onDuty {
		t.Errorf("on duty = %v, %v", onDuty, err)
	}
}

// TestCrashReplay stops intake without its snapshot, as a crash would, after
// records were stored: on restart they are found in the log, so sending them
// again stores nothing twice, and the reference data is in the store.
func TestCrashReplay(t *testing.T) {
	dir := t.TempDir()
	r := openRig(t, dir)
	r.submit(t, ingest.KindStaff, staffLines)
	r.close(t) // a snapshot covering the staff records

	r = openRig(t, dir)
	var lines []string
	for i := range 5000 {
		lines = append(lines, accessLine(fmt.Sprintf("e%d", i), "S1", i))
	}
	all := strings.Join(lines, "\n")
	checkCounts(t, r.submit(t, ingest.KindAccess, strings.Join(lines[:3000], "\n")), 3000, 0, 0)
	r.crash(t) // the snapshot still covers only the staff

	r = openRig(t, dir)
	checkCounts(t, r.submit(t, ingest.KindAccess, all), 2000, 3000, 0)
	rep, err := intake.CheckLog(context.Background(), r.log, r.phones)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 5002 || rep.Duplicates != 0 || rep.ByKind["access"] != 5000 {
		t.Fatalf("log report %+v", rep)
	}
	r.close(t)

	// A damaged snapshot is not trusted: intake rebuilds from the whole log.
	if err := os.WriteFile(filepath.Join(dir, "intake.ids"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = openRig(t, dir)
	defer r.close(t)
	checkCounts(t, r.submit(t, ingest.KindAccess, all), 0, 5000, 0)
}

// TestNoClearPhoneNumbersAtRest sends people's and work-phone numbers and
// then searches every file Lantern wrote for them.
func TestNoClearPhoneNumbersAtRest(t *testing.T) {
	dir := t.TempDir()
	r := openRig(t, dir)
	r.submit(t, ingest.KindStaff, staffLines)
	r.submit(t, ingest.KindPerson, `{"id":"P1","time":"2024-01-01T00:00:00Z","gender":"female","phones":["07700 900123","+44 7700 900456"]}`+"\n")
	sum := r.submit(t, ingest.KindComms, `{"id":"c1","time":"2024-03-01T23:10:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"sms","number":"07700900123"}`+"\n"+
		`{"id":"c2","time":"2024-03-01T23:10:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"sms","number":"07700 900789","extra":1}`+"\n")
	checkCounts(t, sum, 1, 0, 1)
	r.close(t)
	for _, digits := range []string{"7700900123", "7700900456", "7700 900789", "7700900789"} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte(digits)) {
				t.Errorf("%s holds the number %s in clear", path, digits)
			}
			return nil
		})
	}
}

func TestSubmitCSVWithProfile(t *testing.T) {
	r := openRig(t, t.TempDir())
	defer r.close(t)
	r.submit(t, ingest.KindStaff, staffLines)
	prof, err := ingest.BuiltinProfile("rms-audit")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../ingest/testdata/rms-audit.csv")
	if err != nil {
		t.Skip("sample CSV not present: ", err)
	}
	defer f.Close()
	sum, err := r.in.Submit(context.Background(), intake.Input{Source: "rms-audit.csv", Kind: prof.Kind(), Reader: f, Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted+sum.Rejected == 0 {
		t.Fatalf("nothing read from the sample: %+v", sum)
	}
	rows, _, err := r.store.FindRejections(context.Background(), lantern.RejectionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if row.Format != "csv:rms-audit" {
			t.Errorf("row format %q", row.Format)
		}
	}
}
