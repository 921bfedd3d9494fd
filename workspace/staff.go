package workspace

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"lantern"
)

// maxSeriesDays bounds a risk series: about three years of days.
const maxSeriesDays = 1100

const day = 24 * time.Hour

// StaffProfile returns a member of staff's record, their risk score now
// (as the queue ranks them), their risk over time as one point a day (see
// RiskSeries), and every alert and signal about them, dismissed ones
// included, newest first. It needs ActViewStaff and is refused
// (EFORBIDDEN) for the principal's own staff id. ENOTFOUND for an unknown
// member of staff.
func (s *Service) StaffProfile(ctx context.Context, staffID string) (StaffProfile, error) {
	c, err := s.begin(ctx, lantern.ActViewStaff, "staff:"+staffID)
	if err != nil {
		return StaffProfile{}, err
	}
	if err := c.checkID(ctx, staffID); err != nil {
		return StaffProfile{}, err
	}
	if err := c.about(ctx, staffID); err != nil {
		return StaffProfile{}, err
	}
	p, err := s.staffProfile(ctx, staffID)
	if err != nil {
		return StaffProfile{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, ""); err != nil {
		return StaffProfile{}, err
	}
	return p, nil
}

func (s *Service) staffProfile(ctx context.Context, staffID string) (StaffProfile, error) {
	st, err := s.cfg.Staff.FindStaffByID(ctx, staffID)
	if err != nil {
		return StaffProfile{}, err
	}
	p := StaffProfile{Staff: *st}
	alerts, _, err := s.cfg.Alerts.FindAlerts(ctx, lantern.AlertFilter{StaffID: &staffID, Order: lantern.AlertOrderLatest})
	if err != nil {
		return StaffProfile{}, err
	}
	risk, err := s.riskNow(ctx)
	if err != nil {
		return StaffProfile{}, err
	}
	sr := risk.Score(staffID)
	p.Risk = RiskNow{Score: sr.Score, At: sr.At, Explanation: sr.Explanation}
	items, err := linkedIntel(ctx, s.cfg.Intel, staffID)
	if err != nil {
		return StaffProfile{}, err
	}
	p.Series = RiskSeries(append(slices.Clip(alerts), intelAlerts(items, risk.Now())...), s.cfg.HalfLife, sr.At)
	p.Timeline = make([]ProfileEntry, 0, len(alerts)+len(items))
	for _, it := range items {
		title := "Intelligence item " + strconv.FormatInt(it.ID, 10) + " from " + it.Source + ", ungraded"
		if it.Grade != nil {
			title = "Intelligence item " + strconv.FormatInt(it.ID, 10) + " from " + it.Source + ", graded " + it.Grade.String()
		}
		p.Timeline = append(p.Timeline, ProfileEntry{Kind: ProfileIntel, ID: strconv.FormatInt(it.ID, 10), At: it.CreatedAt,
			Until: it.UpdatedAt, Title: title, State: it.State, Weight: IntelWeight(it.Grade)})
	}
	for _, a := range alerts {
		title := a.Rule
		if a.Signal {
			title += " (signal)"
		}
		p.Timeline = append(p.Timeline, ProfileEntry{Kind: ProfileAlert, ID: a.ID, At: a.FirstEvidence,
			Until: a.LastEvidence, Title: title, State: a.State, Severity: a.Severity, Alert: a})
	}
	slices.SortStableFunc(p.Timeline, func(x, y ProfileEntry) int {
		if c := y.At.Compare(x.At); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return p, nil
}

// RiskSeries returns a member of staff's risk score at the end of each day
// (UTC) from the day of their first alert to the day of until (or of their
// latest evidence, if later), at most about three years of days, the
// latest kept. It uses the ranking's formula (detect.Risk) as it would
// have stood on each day: dismissed alerts count for nothing; an alert
// counts from its first evidence, as fresh until its last evidence, and
// afterwards halves every halfLife; within one rule the largest decayed
// value counts in full, the next half, the next a quarter, and so on; the
// score is the sum. For day d ending at instant T:
//
//	score(T) = Σ_rule Σ_k 2^-k · v_(k), with v = s_i · 2^(−max(0, T − last_i)/halfLife)
//
// over the alerts i with first_i <= T, v_(k) the rule's values largest
// first. On the day of until it equals the ranking's score at until.
func RiskSeries(alerts []*lantern.Alert, halfLife time.Duration, until time.Time) []RiskPoint {
	var live []*lantern.Alert
	first, last := time.Time{}, until
	for _, a := range alerts {
		if a.State == lantern.AlertDismissed {
			continue
		}
		live = append(live, a)
		if first.IsZero() || a.FirstEvidence.Before(first) {
			first = a.FirstEvidence
		}
		last = maxTime(last, a.LastEvidence)
	}
	if len(live) == 0 {
		return []RiskPoint{}
	}
	start := first.UTC().Truncate(day)
	end := last.UTC().Truncate(day)
	if n := int(end.Sub(start)/day) + 1; n > maxSeriesDays {
		start = end.Add(-(maxSeriesDays - 1) * day)
	}
	out := make([]RiskPoint, 0, int(end.Sub(start)/day)+1)
	byRule := map[string][]float64{}
	for d := start; !d.After(end); d = d.Add(day) {
		at := d.Add(day)
		if d.Equal(end) && !until.IsZero() && until.Before(at) && !until.Before(d) {
			at = until // the last point is the score now
		}
		clear(byRule)
		for _, a := range live {
			if a.FirstEvidence.After(at) {
				continue
			}
			age := max(at.Sub(minTime(a.LastEvidence, at)), 0)
			byRule[a.Rule] = append(byRule[a.Rule], a.Score*math.Exp2(-float64(age)/float64(halfLife)))
		}
		score := 0.0
		for _, vs := range byRule {
			slices.SortFunc(vs, func(x, y float64) int { return cmp.Compare(y, x) })
			for k, v := range vs {
				score += math.Ldexp(v, -k)
			}
		}
		out = append(out, RiskPoint{Day: d, Score: score})
	}
	return out
}
