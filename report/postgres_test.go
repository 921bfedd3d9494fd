package report

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lantern"
	"lantern/postgres"
)

// TestNothingReadableInPostgres runs the at-rest check against PostgreSQL:
// after a report, an answer and a question, no table in the schema holds
// the report's text, the reporter's name or address, or the file name, in
// clear or as the hex PostgreSQL prints bytea in; nor does the
// intelligence log after the report is recorded, graded and shared as
// intelligence.
func TestNothingReadableInPostgres(t *testing.T) {
	base := os.Getenv("LANTERN_TEST_POSTGRES")
	if base == "" {
		t.Skip("LANTERN_TEST_POSTGRES is not set")
	}
	ctx := t.Context()
	admin, err := pgxpool.New(ctx, base)
	must(t, err)
	defer admin.Close()
	schema := "lantern_test_" + strings.ToLower(rand.Text()[:12])
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	must(t, err)
	defer admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	u, err := url.Parse(base)
	must(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	must(t, err)
	defer st.Close()

	f := newFixtureOn(t, t.TempDir(), st)
	must(t, f.keyring.CreateEscrow(f.as(t, "hop"), "an escrow passphrase long enough"))
	r := lantern.Report{Kind: lantern.ReportConfidential, Answers: lantern.ReportAnswers{What: knownSentence},
		Identity: &lantern.ReporterIdentity{Name: knownName, Contact: "perpetua@example.org"}}
	sub, err := f.svc.Submit(ctx, r, []Upload{{Name: knownFile, Data: pngWithText(t, "Author", knownName)}})
	must(t, err)
	must(t, f.svc.Reply(ctx, sub.Receipt, knownAddress+":50123", knownSentence+" again", nil))
	list, _, err := f.svc.ListReports(f.as(t, "ann"), lantern.ReportFilter{})
	must(t, err)
	must(t, f.svc.Ask(f.as(t, "ann"), list[0].ID, "Did Quillfeather say anything?"))
	recordIntel(t, f, list[0].ID)

	rows, err := admin.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, schema)
	must(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	if len(tables) < 5 {
		t.Fatalf("only %d tables", len(tables))
	}
	seenKind, seenIntel := false, false
	needles := []string{knownSentence, "Quillfeather", knownAddress, knownName, knownFile, "perpetua@example.org", sub.Receipt}
	for _, table := range tables {
		var dump string
		id := pgx.Identifier{schema, table}.Sanitize()
		must(t, admin.QueryRow(ctx, "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM "+id+" t").Scan(&dump))
		lower := strings.ToLower(dump)
		// A positive control: the kind is metadata, stored in clear, so
		// the search is known to see what is there.
		seenKind = seenKind || strings.Contains(dump, "confidential")
		seenIntel = seenIntel || table == "intel_items" && strings.Contains(dump, "referral:1")
		for _, n := range needles {
			if strings.Contains(lower, strings.ToLower(n)) || strings.Contains(lower, hex.EncodeToString([]byte(strings.ToLower(n)))) ||
				strings.Contains(lower, hex.EncodeToString([]byte(n))) {
				t.Errorf("table %s holds %q", table, n)
			}
		}
	}
	if !seenKind {
		t.Errorf("the search did not find the report's kind, which is stored in clear")
	}
	if !seenIntel {
		t.Errorf("the search did not find the intelligence item's source, which is stored in clear")
	}
}
