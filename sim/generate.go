package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"lantern/ingest"
)

// seedStream separates the simulator's random stream from other uses of
// the same seed.
const seedStream = 0x6c616e7465726e // "lantern"

// Generate simulates the force cfg describes and writes it to dir:
// DIR/KIND.jsonl for each kind of record, each in time order, and
// DIR/truth.jsonl. It creates dir if needed and replaces files of those
// names. The same cfg gives the same bytes. It returns EINVALID for a bad
// cfg, ctx's error if cancelled, and any error writing the files; on error
// the files may be incomplete.
func Generate(ctx context.Context, cfg Config, dir string) (*Stats, error) {
	began := time.Now() // for Stats.Elapsed only; nothing written depends on it
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &world{
		cfg:       cfg,
		rng:       rand.New(rand.NewPCG(uint64(cfg.Seed), seedStream)),
		start:     cfg.Start.Unix(),
		teamIndex: map[string]int32{},
		screening: newScreening(cfg.Seed),
	}
	if w.out, err = openOutput(dir, &w.names); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := w.run(ctx); err != nil {
		werr := w.out.abort()
		if errors.Is(err, errWriteFailed) {
			err = fmt.Errorf("sim: %w", werr)
		}
		return nil, err
	}
	if err := w.out.close(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	stats := w.stats()
	if err := w.writeTruth(stats); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	stats.Elapsed = time.Since(began)
	return stats, nil
}

// errWriteFailed stops a run whose files can no longer be written.
var errWriteFailed = errors.New("a writer failed")

// run builds the force and simulates it day by day, writing each day out
// once the next can no longer add to it.
func (w *world) run(ctx context.Context) error {
	first := -w.cfg.warmupDays()
	w.agenda = newAgenda(first, w.cfg.Days)
	epoch := w.dayStartOf(first) - day // the records as they stood before the warm-up
	w.day = first - 1
	w.buildAreas()
	w.buildStaff()
	w.writeStaff(epoch)
	w.buildPopulation(epoch)
	w.plantOffenders()
	for d := first; d < w.cfg.Days; d++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.simulateDay(d)
		w.out.flush(w.dayStartOf(d + 1))
		if w.out.failed() {
			return errWriteFailed
		}
	}
	return nil
}

// simulateDay runs one day: staff come and go, rosters, scheduled actions,
// new incidents, everyone's work, offenders' behaviour, and whatever the day
// itself scheduled for later that day.
func (w *world) simulateDay(d int) {
	w.day, w.dayStart = d, w.dayStartOf(d)
	slot := w.recentSlot()
	for i := range w.areas {
		clear(w.areas[i].recent[slot])
		w.areas[i].recent[slot] = w.areas[i].recent[slot][:0]
	}
	w.turnover()
	w.roster(d)
	w.agenda.run(d, w.do)
	w.newIncidents()
	w.activity()
	w.offend()
	w.screen()
	w.agenda.run(d, w.do)
	w.agenda.endDay(d)
}

// do runs one scheduled action.
func (w *world) do(a action) {
	switch a.kind {
	case actClose:
		w.closeIncident(a.in, a.t)
	case actReopen:
		w.reopen(a.in, a.t)
	case actCourtPrep:
		w.courtPrep(a.in, a.staff)
	case actCourtDay:
		w.courtDay(a.staff)
	case actReview:
		w.review(a.in, a.t)
	case actJoin:
		s := w.addStaff(a.role, w.dayStart)
		w.out.staff.add(w.dayStart, w.staffRecord(s, false))
	}
}

// leaversPerYear is the share of the workforce that leaves in a year; each
// leaver is replaced three to nine weeks later.
const leaversPerYear = 0.07

// turnover lets some staff leave today. Their open cases pass to a
// colleague; offenders stay for the run.
func (w *world) turnover() {
	for range poisson(w.rng, float64(len(w.staff))*leaversPerYear/365) {
		i := int32(w.rng.IntN(len(w.staff)))
		s := &w.staff[i]
		if s.left || s.offender != nil || s.startDate > w.dayStart {
			continue
		}
		// Their last day is yesterday's shift, whose events may run into
		// today; they leave the force at midnight tonight.
		s.left = true
		w.out.staff.add(w.dayStart+day, w.staffRecord(i, true))
		for _, in := range s.cases {
			if in.flo == i {
				in.flo = -1
				continue
			}
			// The colleague takes it on at nine, unless it closes before.
			if n := w.pickInvestigator(s.role, in.area); n >= 0 && in.open && in.closed > w.dayStart+9*hour {
				w.assign(in, n, w.dayStart+9*hour, in.closed)
			}
		}
		s.cases = nil
		w.agenda.add(w.day+between(w.rng, 21, 63), action{kind: actJoin, role: s.role})
	}
}

// stats gathers what was written.
func (w *world) stats() *Stats {
	st := &Stats{Config: w.cfg, Records: map[ingest.Kind]int64{}, Patterns: map[string]int{}}
	for k, n := range w.out.counts() {
		st.Records[k] = n
	}
	for r := range numRoles {
		rs := w.roleStats[r]
		rs.Role = roleSpecs[r].name
		rs.Staff = len(w.byRole[r])
		st.Roles = append(st.Roles, rs)
	}
	return st
}
