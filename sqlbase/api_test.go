package sqlbase_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lantern"
	"lantern/detect"
	"lantern/ingest"
	"lantern/sqlbase"
)

const story = `
staff {"id":"S1","category":"officer","role":"response","gender":"male","area":"north","start_date":"2015-01-01"}
person {"id":"P1","gender":"female","birth_year":1995,"area":"south","flags":["domestic_abuse_victim"],"phones":["07700 900123"],"time":"2024-01-01T00:00:00Z"}
access {"id":"a1","time":"2024-03-01T09:00:00Z","staff_id":"S1","system":"rms","action":"view","person_id":"P1","fields":["phone"]}
comms {"id":"c1","time":"2024-03-02T21:00:00Z","staff_id":"S1","device":"D1","direction":"outbound","kind":"sms","number":"07700 900123"}
`

func storyRecords(t *testing.T) []*ingest.Record {
	t.Helper()
	h, err := ingest.NewPhoneHasher([]byte(detect.FixturePhoneKey))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := detect.ParseRecords(story, h)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestDetectTwice runs Detect twice on one load, in a SQLite file and in
// each dialect: the second run finds the same, so the first left no
// temporary tables behind.
func TestDetectTwice(t *testing.T) {
	ctx := t.Context()
	dbs := []*sqlbase.DB{openAt(t, sqlbase.SQLite, filepath.Join(t.TempDir(), "batch.db"))}
	for _, d := range dialects(t) {
		dbs = append(dbs, open(t, d))
	}
	for _, db := range dbs {
		loaded, err := sqlbase.Load(ctx, db, slices.Values(storyRecords(t)))
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Records != 4 || loaded.Events != 2 {
			t.Errorf("%s: loaded %+v", db.Dialect(), loaded)
		}
		var runs [2]sqlbase.Result
		for i := range runs {
			if runs[i], err = sqlbase.Detect(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		// The rules the story trips, with the key each keys its alerts by
		// (out_of_area_access: the member of staff).
		for rule, key := range map[string]string{"no_purpose_access": "P1", "contact_detail_harvesting": "P1", "out_of_area_access": "S1", "victim_contact_no_case": "P1", "harvest_then_contact": "P1"} {
			for i, res := range runs {
				rr := res.Rule(rule)
				if rr == nil || len(rr.Flagged) != 1 || rr.Flagged[0] != (sqlbase.Flag{Staff: "S1", Key: key, Matches: 1}) {
					t.Errorf("%s run %d: %s flagged %+v", db.Dialect(), i+1, rule, rr)
				}
			}
		}
		if runs[1].Loaded != loaded || runs[1].EventsPerSecond() <= 0 || runs[1].DetectEventsPerSecond() <= runs[1].EventsPerSecond() {
			t.Errorf("%s: result %+v", db.Dialect(), runs[1])
		}
	}
}

// TestLoadTwiceFails checks that a second Load into the same database is
// refused and leaves the first one's data alone.
func TestLoadTwiceFails(t *testing.T) {
	for _, d := range dialects(t) {
		db := open(t, d)
		if _, err := sqlbase.Load(t.Context(), db, slices.Values(storyRecords(t))); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlbase.Load(t.Context(), db, slices.Values(storyRecords(t))); err == nil {
			t.Errorf("%s: a second Load succeeded", d)
		}
		res, err := sqlbase.Detect(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		if rr := res.Rule("no_purpose_access"); len(rr.Flagged) != 1 || rr.Flagged[0].Matches != 1 {
			t.Errorf("%s: after a failed second load, %+v", d, rr)
		}
	}
}

// TestCancelled checks that Load and Detect stop with the context's error.
func TestCancelled(t *testing.T) {
	for _, d := range dialects(t) {
		db := open(t, d)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := sqlbase.Load(ctx, db, slices.Values(storyRecords(t))); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Load on a cancelled context: %v", d, err)
		}
		if _, err := sqlbase.Detect(ctx, db); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Detect on a cancelled context: %v", d, err)
		}
	}
}

// TestOpenSQLiteRefusesURIs checks that OpenSQLite takes a file name only.
func TestOpenSQLiteRefusesURIs(t *testing.T) {
	for _, p := range []string{"file:x.db", "x.db?mode=ro", "x.db#"} {
		if _, err := sqlbase.OpenSQLite(t.Context(), p); lantern.ErrorCode(err) != lantern.EINVALID {
			t.Errorf("%q: got %v, want EINVALID", p, err)
		}
	}
}

// TestOpenPostgresUnreachable checks the error for a server that is not
// there, and that it does not repeat the password.
func TestOpenPostgresUnreachable(t *testing.T) {
	_, err := sqlbase.OpenPostgres(t.Context(), "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2")
	if lantern.ErrorCode(err) != lantern.EUNAVAILABLE || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("got %v, want EUNAVAILABLE without the password", err)
	}
	if _, err := sqlbase.OpenPostgres(t.Context(), "postgres://%zz"); lantern.ErrorCode(err) != lantern.EINVALID {
		t.Errorf("malformed URL: got %v, want EINVALID", err)
	}
}
