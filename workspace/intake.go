package workspace

import (
	"context"
	"slices"
	"time"

	"lantern"
)

// latestRejects is how many of the latest quarantined rows Intake lists.
const latestRejects = 10

// Intake returns the API sources (never their tokens), the event rates by
// kind over the 24 hours up to each kind's latest event, the quarantined
// rows by state and the latest ones rejected, without their content. It
// needs ActViewIntake.
func (s *Service) Intake(ctx context.Context) (IntakeSummary, error) {
	c, err := s.begin(ctx, lantern.ActViewIntake, "intake")
	if err != nil {
		return IntakeSummary{}, err
	}
	out, err := s.intake(ctx)
	if err != nil {
		return IntakeSummary{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, ""); err != nil {
		return IntakeSummary{}, err
	}
	return out, nil
}

func (s *Service) intake(ctx context.Context) (IntakeSummary, error) {
	var out IntakeSummary
	sources, err := s.cfg.Sources.FindSources(ctx)
	if err != nil {
		return out, err
	}
	out.Sources = make([]SourceSummary, 0, len(sources))
	for _, src := range sources {
		out.Sources = append(out.Sources, SourceSummary{Name: src.Name, Scope: src.Scope, CreatedAt: src.CreatedAt, DisabledAt: src.DisabledAt})
	}
	all, err := s.cfg.Index.IndexCounts(ctx, time.Time{})
	if err != nil {
		return out, err
	}
	out.Rates = make([]IntakeRate, 0, len(all))
	for _, k := range all {
		recent, err := s.cfg.Index.IndexCounts(ctx, k.Latest.Add(-day))
		if err != nil {
			return out, err
		}
		r := IntakeRate{Kind: k.Kind, Latest: k.Latest}
		for _, c := range recent {
			if c.Kind == k.Kind {
				r.LastDay = c.Events
			}
		}
		r.PerHour = float64(r.LastDay) / 24
		out.Rates = append(out.Rates, r)
	}
	out.Quarantine = map[string]int{}
	total := 0
	for _, st := range []string{lantern.RejectionOpen, lantern.RejectionRetried, lantern.RejectionResolved} {
		_, n, err := s.cfg.Quarantine.FindRejections(ctx, lantern.RejectionFilter{State: &st, Limit: 1})
		if err != nil {
			return out, err
		}
		out.Quarantine[st] = n
		total += n
	}
	rows, _, err := s.cfg.Quarantine.FindRejections(ctx, lantern.RejectionFilter{Offset: max(total-latestRejects, 0), Limit: latestRejects})
	if err != nil {
		return out, err
	}
	out.Latest = make([]RejectSummary, 0, len(rows))
	for _, r := range slices.Backward(rows) {
		out.Latest = append(out.Latest, RejectSummary{ID: r.ID, Source: r.Source, Kind: r.Kind, Format: r.Format,
			Line: r.Line, Field: r.Field, Reason: r.Reason, State: r.State, ReceivedAt: r.ReceivedAt})
	}
	return out, nil
}
