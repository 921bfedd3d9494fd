// Package intake is the path by which records enter Lantern: it decodes and
// validates lines with package ingest, checks them against what is already
// known (duplicates, unknown staff), quarantines what it rejects, and appends
// what it accepts to the durable event log, acknowledging only once the log
// has stored it. Reference records are then applied to the store.
//
// The event log is the source of truth. The set of accepted record ids and the
// reference tables in the store are projections of it: after a crash they are
// rebuilt by replaying the log from the last id snapshot, so nothing that was
// acknowledged is lost and nothing is accepted twice.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/ingest"
	"lantern/nats"
)

// Config holds an Intake's collaborators.
type Config struct {
	Log           *nats.Log
	Store         lantern.Store
	Phones        *ingest.PhoneHasher
	Sealer        *Sealer
	SnapshotPath  string        // where the id snapshot lives; "" keeps none (replay from the start)
	SnapshotEvery time.Duration // how often to save the id snapshot while accepting; default 5m
	Logger        *slog.Logger
	Now           func() time.Time
	Workers       int                   // decoding goroutines; default GOMAXPROCS
	Metrics       prometheus.Registerer // optional: where intake's counters are registered
	// SealIntel gives the seal for the intelligence items the store records
	// from screening findings (report.SealedIntel.Sealer). Nil, or an error
	// (no unit member holds a key yet), records them in clear, to be sealed
	// at the next start.
	SealIntel func(ctx context.Context) (lantern.IntelSeal, error)
}

// Intake accepts records into the event log. It is safe for concurrent use;
// the accept stage is serialised so that duplicates are judged against
// everything accepted before.
type Intake struct {
	cfg Config

	mu       sync.Mutex // guards ids, seq, lastSnap, and the order of publishing
	ids      *idSet     // accepted record ids, and the staff, people and incidents known
	seq      uint64     // highest event-log sequence reflected in ids
	lastSnap time.Time
	closed   bool

	records *prometheus.CounterVec // by kind and outcome
}

// Keys of the "known" namespaces in the id set: a record that refers to a
// member of staff, person or incident is accepted only if that one is known.
const (
	knownStaff    = "known:staff"
	knownPerson   = "known:person"
	knownIncident = "known:incident"
	rejectedNS    = "rejected" // rows already in quarantine, by source and text
)

// Open loads the id snapshot if there is one, replays the event log from the
// point it covers (applying reference records to the store again, which is
// idempotent), and returns an Intake ready to accept.
func Open(ctx context.Context, cfg Config) (*Intake, error) {
	if cfg.Log == nil || cfg.Store == nil || cfg.Phones == nil || cfg.Sealer == nil || cfg.Logger == nil {
		return nil, errors.New("intake: Log, Store, Phones, Sealer and Logger are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 5 * time.Minute
	}
	in := &Intake{cfg: cfg, ids: newIDSet(0), records: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lantern_intake_records_total",
		Help: "Records handled by intake, by kind and outcome (accepted, duplicate, rejected).",
	}, []string{"kind", "outcome"})}
	if cfg.Metrics != nil {
		if err := cfg.Metrics.Register(in.records); err != nil {
			return nil, fmt.Errorf("intake: register metrics: %w", err)
		}
	}
	if cfg.SnapshotPath != "" {
		ids, seq, err := readSnapshot(cfg.SnapshotPath)
		switch {
		case err == nil:
			in.ids, in.seq = ids, seq
		case errors.Is(err, errNoSnapshot):
			cfg.Logger.Info("no usable id snapshot; rebuilding from the event log", "reason", err.Error())
		default:
			return nil, err
		}
	}
	start := time.Now()
	n, err := in.replay(ctx)
	if err != nil {
		return nil, fmt.Errorf("intake: replay event log: %w", err)
	}
	cfg.Logger.Info("intake ready", "ids", in.ids.Len(), "replayed_records", n, "log_seq", in.seq,
		"took", time.Since(start).Round(time.Millisecond).String())
	in.lastSnap = cfg.Now()
	return in, nil
}

// Close saves the id snapshot so the next start replays little.
func (in *Intake) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return nil
	}
	in.closed = true
	return in.snapshotLocked()
}

func (in *Intake) snapshotLocked() error {
	if in.cfg.SnapshotPath == "" {
		return nil
	}
	in.lastSnap = in.cfg.Now()
	return in.ids.writeSnapshot(in.cfg.SnapshotPath, in.seq)
}

// markKnown records that r makes a member of staff, person or incident known.
func markKnown(add func(idKey) bool, r *ingest.Record) {
	switch r.Kind {
	case ingest.KindStaff:
		add(keyOf(knownStaff, r.Staff.ID))
	case ingest.KindPerson:
		add(keyOf(knownPerson, r.Person.ID))
	case ingest.KindIncident:
		add(keyOf(knownIncident, r.Incident.ID))
	}
}

// checkRefs returns an EINVALID error naming the field of r that refers to a
// member of staff, person or incident nobody has sent yet.
func checkRefs(known func(idKey) bool, r *ingest.Record) error {
	need := func(ns, field, id string) error {
		if id == "" || known(keyOf(ns, id)) {
			return nil
		}
		what := map[string]string{knownStaff: "staff", knownPerson: "person", knownIncident: "incident"}[ns]
		return lantern.FieldErrorf(field, "unknown %s id: send the %s record first, then retry this row from quarantine", what, what)
	}
	switch r.Kind {
	case ingest.KindAccess, ingest.KindComms:
		return need(knownStaff, "staff_id", r.StaffID)
	case ingest.KindShift:
		return need(knownStaff, "staff_id", r.Shift.StaffID)
	case ingest.KindScreening:
		return need(knownStaff, "staff_id", r.Screening.StaffID)
	case ingest.KindAssignment:
		if err := need(knownIncident, "incident_id", r.Assignment.IncidentID); err != nil {
			return err
		}
		return need(knownStaff, "staff_id", r.Assignment.StaffID)
	case ingest.KindInvolvement:
		if err := need(knownIncident, "incident_id", r.Involvement.IncidentID); err != nil {
			return err
		}
		return need(knownPerson, "person_id", r.Involvement.PersonID)
	}
	return nil
}

// applyRefs writes reference records to the store, grouping runs of one kind
// into one call. Every write is an idempotent upsert, so replaying the same
// records after a crash gives the same state.
func (in *Intake) applyRefs(ctx context.Context, recs []*ingest.Record) error {
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].Kind == recs[i].Kind {
			j++
		}
		if err := in.applyRun(ctx, recs[i:j]); err != nil {
			return fmt.Errorf("apply %s records: %w", recs[i].Kind, err)
		}
		i = j
	}
	return nil
}

func (in *Intake) applyRun(ctx context.Context, run []*ingest.Record) error {
	st := in.cfg.Store
	switch run[0].Kind {
	case ingest.KindStaff:
		return st.UpsertStaff(ctx, collect(run, func(r *ingest.Record) *lantern.Staff { return r.Staff })...)
	case ingest.KindPerson:
		return st.UpsertPersons(ctx, collect(run, func(r *ingest.Record) *lantern.Person { return r.Person })...)
	case ingest.KindIncident:
		return st.UpsertIncidents(ctx, collect(run, func(r *ingest.Record) *lantern.Incident { return r.Incident })...)
	case ingest.KindInvolvement:
		return st.AddInvolvements(ctx, collect(run, func(r *ingest.Record) *lantern.Involvement { return r.Involvement })...)
	case ingest.KindAssignment:
		return st.AddAssignments(ctx, collect(run, func(r *ingest.Record) *lantern.Assignment { return r.Assignment })...)
	case ingest.KindShift:
		return st.AddShifts(ctx, collect(run, func(r *ingest.Record) *lantern.Shift { return r.Shift })...)
	case ingest.KindScreening:
		// The store creates the intelligence item of each new finding
		// once, so a replay of the log creates none again.
		_, err := st.RecordScreeningResults(ctx, in.intelSeal(ctx), collect(run, func(r *ingest.Record) *lantern.ScreeningResult { return r.Screening })...)
		return err
	}
	return nil
}

// intelSeal gives the seal for the items recorded from screening findings,
// or nil to record them in clear (see Config.SealIntel).
func (in *Intake) intelSeal(ctx context.Context) lantern.IntelSeal {
	if in.cfg.SealIntel == nil {
		return nil
	}
	seal, err := in.cfg.SealIntel(ctx)
	if err != nil {
		in.cfg.Logger.Warn("intake: screening findings are recorded unsealed until a unit member holds a key; they are sealed after the next password sign-in of a unit member, or at the next start", "error", err)
		return nil
	}
	return seal
}

func collect[T any](run []*ingest.Record, f func(*ingest.Record) T) []T {
	out := make([]T, len(run))
	for i, r := range run {
		out[i] = f(r)
	}
	return out
}
