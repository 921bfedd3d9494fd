package main

import (
	"context"
	"slices"

	"lantern/ingest"
	"lantern/sqlbase"
)

// sqlBaseline loads the records into a fresh database of the dialect (a
// SQLite file at dsn, or a scratch schema in the PostgreSQL at dsn) and runs
// the library's detections there as SQL. It returns the events per second of
// the whole batch job (load and detect) and of the detection alone.
func sqlBaseline(ctx context.Context, dialect, dsn string, recs []*ingest.Record) (total, detectOnly float64, err error) {
	var db *sqlbase.DB
	if dialect == "postgres" {
		db, err = sqlbase.OpenPostgres(ctx, dsn)
	} else {
		db, err = sqlbase.OpenSQLite(ctx, dsn)
	}
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if _, err := sqlbase.Load(ctx, db, slices.Values(recs)); err != nil {
		return 0, 0, err
	}
	res, err := sqlbase.Detect(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	return res.EventsPerSecond(), res.DetectEventsPerSecond(), nil
}
