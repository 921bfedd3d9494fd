package sqlbase

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"lantern"
	"lantern/ingest"
)

// Load creates sqlbase's tables in db and writes records into them in one
// transaction: a row per version of a member of staff, person or incident,
// per involvement, assignment, shift and event, and rows for a person's flags
// and numbers and an event's fields. It then derives the as-of tables the
// detections join against (each version with the interval in which it is in
// force, an incident's status history, a number's holders), creates the
// indexes and refreshes the planner's statistics; Loaded.Time covers all of
// it. Records may come in any order; versions with the same time are
// ordered as they come, the later winning, as in the engine's World.
//
// Load is meant to be called once per DB: the second call fails because the
// tables exist. It stops at the first database error, rolling back, and
// returns it wrapped.
func Load(ctx context.Context, db *DB, records iter.Seq[*ingest.Record]) (Loaded, error) {
	start := time.Now()
	q, err := parseQueries(db.dialect)
	if err != nil {
		return Loaded{}, err
	}
	s, err := db.conn(ctx)
	if err != nil {
		return Loaded{}, fmt.Errorf("load: connect: %w", err)
	}
	defer s.release()
	if err := s.exec(ctx, "BEGIN"); err != nil {
		return Loaded{}, fmt.Errorf("load: %w", err)
	}
	l := &loader{s: s, bufs: map[*table][][]any{}}
	err = l.run(ctx, q, records)
	if err == nil {
		err = s.exec(ctx, "COMMIT")
	}
	if err != nil {
		rb := s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		return Loaded{}, fmt.Errorf("load: %w", errors.Join(err, rb))
	}
	l.out.Time = time.Since(start)
	db.loaded = l.out
	return l.out, nil
}

// table is one table Load writes, with the columns in the order rows give
// them.
type table struct {
	name string
	cols []string
}

var (
	staffTable       = &table{"staff_version", []string{"seq", "staff_id", "at", "category", "role", "team", "station", "area", "gender", "start_at", "left_at"}}
	personTable      = &table{"person_version", []string{"seq", "person_id", "at", "gender", "birth_year", "area"}}
	flagTable        = &table{"person_flag", []string{"person_seq", "flag"}}
	phoneTable       = &table{"person_phone", []string{"person_seq", "person_id", "at", "number_hash"}}
	incidentTable    = &table{"incident_version", []string{"seq", "incident_id", "type", "status", "opened_at", "closed_at", "status_at", "area"}}
	involvementTable = &table{"involvement", []string{"incident_id", "person_id", "part", "at"}}
	assignmentTable  = &table{"assignment_record", []string{"seq", "incident_id", "staff_id", "kind", "at", "until_at"}}
	shiftTable       = &table{"shift", []string{"seq", "staff_id", "kind", "start_at", "end_at"}}
	accessTable      = &table{"access_event", []string{"seq", "id", "staff_id", "at", "system", "action", "person_id", "incident_id", "query", "workstation", "location"}}
	fieldTable       = &table{"access_field", []string{"access_seq", "field"}}
	commsTable       = &table{"comms_event", []string{"seq", "id", "staff_id", "at", "device", "direction", "channel", "number_hash", "duration_s"}}
)

// batchRows is how many rows of one table Load gathers before writing them.
const batchRows = 8192

type loader struct {
	s    session
	bufs map[*table][][]any
	out  Loaded
}

func (l *loader) run(ctx context.Context, q *queries, records iter.Seq[*ingest.Record]) error {
	if err := l.execFile(ctx, q, "schema.sql"); err != nil {
		return err
	}
	seq := int64(0)
	for rec := range records {
		seq++
		if err := l.add(ctx, seq, rec); err != nil {
			return err
		}
	}
	for t, rows := range l.bufs {
		if err := l.write(ctx, t, rows); err != nil {
			return err
		}
	}
	return l.execFile(ctx, q, "finalize.sql")
}

func (l *loader) execFile(ctx context.Context, q *queries, name string) error {
	stmts, err := q.statements(name, nil)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if err := l.s.exec(ctx, st); err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, st)
		}
	}
	return nil
}

// add turns one record into rows.
func (l *loader) add(ctx context.Context, seq int64, rec *ingest.Record) error {
	l.out.Records++
	switch {
	case rec.Access != nil:
		a := rec.Access
		l.out.Events++
		for _, f := range a.Fields {
			if err := l.row(ctx, fieldTable, seq, f); err != nil {
				return err
			}
		}
		return l.row(ctx, accessTable, seq, a.ID, a.StaffID, micros(a.Time), a.System, a.Action, a.PersonID, a.IncidentID, a.Query, a.Workstation, a.Location)
	case rec.Comms != nil:
		c := rec.Comms
		l.out.Events++
		return l.row(ctx, commsTable, seq, c.ID, c.StaffID, micros(c.Time), c.Device, c.Direction, c.Kind, c.NumberHash, int32(c.Duration/time.Second))
	case rec.Staff != nil:
		s := rec.Staff
		return l.row(ctx, staffTable, seq, s.ID, micros(rec.Time), s.Category, s.Role, s.Team, s.Station, s.Area, s.Gender, micros(s.StartDate), nullMicros(s.LeftDate))
	case rec.Person != nil:
		p := rec.Person
		for _, f := range p.Flags {
			if err := l.row(ctx, flagTable, seq, f); err != nil {
				return err
			}
		}
		for _, h := range p.PhoneHashes {
			if err := l.row(ctx, phoneTable, seq, p.ID, micros(rec.Time), h); err != nil {
				return err
			}
		}
		return l.row(ctx, personTable, seq, p.ID, micros(rec.Time), p.Gender, int32(p.BirthYear), p.Area)
	case rec.Incident != nil:
		in := rec.Incident
		statusAt := in.StatusAt
		if statusAt.IsZero() {
			statusAt = in.OpenedAt
			if in.ClosedAt != nil {
				statusAt = *in.ClosedAt
			}
		}
		return l.row(ctx, incidentTable, seq, in.ID, in.Type, in.Status, micros(in.OpenedAt), nullMicros(in.ClosedAt), micros(statusAt), in.Area)
	case rec.Involvement != nil:
		v := rec.Involvement
		return l.row(ctx, involvementTable, v.IncidentID, v.PersonID, v.Part, micros(v.At))
	case rec.Assignment != nil:
		a := rec.Assignment
		return l.row(ctx, assignmentTable, seq, a.IncidentID, a.StaffID, a.Kind, micros(a.At), nullMicros(a.Until))
	case rec.Shift != nil:
		s := rec.Shift
		return l.row(ctx, shiftTable, seq, s.StaffID, s.Kind, micros(s.Start), micros(s.End))
	case rec.Screening != nil:
		return nil // screening results play no part in the rule library's detections
	}
	return lantern.Errorf(lantern.EINVALID, "record %d of kind %q holds nothing", seq, rec.Kind)
}

// row buffers one row of t, writing the buffer when it is full.
func (l *loader) row(ctx context.Context, t *table, values ...any) error {
	rows := append(l.bufs[t], values)
	if len(rows) < batchRows {
		l.bufs[t] = rows
		return nil
	}
	l.bufs[t] = rows[:0]
	return l.write(ctx, t, rows)
}

func (l *loader) write(ctx context.Context, t *table, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	l.out.Rows += len(rows)
	return l.s.insert(ctx, t.name, t.cols, rows)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros is a time that may be absent, as a column value.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}
