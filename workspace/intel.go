package workspace

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"lantern"
)

// IntelRule is the name under which intelligence items linked to a member
// of staff count in their risk score, as if they were alerts of one rule:
// the largest counts in full, the next half, the next a quarter, and so on.
const IntelRule = "intelligence"

// MaxIntelWeight is the weight of an item graded 1/A: about the score of a
// high-severity alert.
const MaxIntelWeight = 10.0

// intelSourceFactor and intelAssessFactor scale MaxIntelWeight by grade.
var (
	intelSourceFactor = map[int]float64{1: 1, 2: 0.6, 3: 0.3}
	intelAssessFactor = map[string]float64{"A": 1, "B": 0.8, "C": 0.5, "D": 0.3, "E": 0}
)

// IntelWeight is what an intelligence item linked to a member of staff
// adds to their risk score before decay: MaxIntelWeight times a factor for
// the source (1: 1, 2: 0.6, 3: 0.3) times one for the assessment (A: 1,
// B: 0.8, C: 0.5, D: 0.3, E: 0). An ungraded item weighs nothing until an
// analyst has graded it, so an escalated alert is not counted twice; the
// handling code does not change the weight. It decays from the item's
// recording with the alerts' half-life.
func IntelWeight(g *lantern.Grade) float64 {
	if g == nil {
		return 0
	}
	return MaxIntelWeight * intelSourceFactor[g.Source] * intelAssessFactor[g.Intelligence]
}

// AlertScorer gives the scores of the alerts the unit has not dismissed.
type AlertScorer interface {
	AlertScores(ctx context.Context) ([]lantern.AlertScore, error)
}

// RiskScores gives what every risk ranking is built from, the queue and
// profiles here as much as GET /api/v1/risk and `lantern risk`: the alerts
// and signals the unit has not dismissed, and the graded intelligence items
// linked to a member of staff, each weighing IntelWeight. intel may be nil.
//
// The ranking's clock is event time: the latest evidence among the
// alerts. An item recorded after that counts as of that time, so an item
// recorded today about a force whose newest events are older neither ages
// the alerts nor is aged by them; on a live force the two clocks agree.
func RiskScores(ctx context.Context, alerts AlertScorer, intel lantern.IntelService) ([]lantern.AlertScore, error) {
	scores, err := alerts.AlertScores(ctx)
	if err != nil {
		return nil, fmt.Errorf("read alert scores: %w", err)
	}
	items, err := linkedIntel(ctx, intel, "")
	if err != nil {
		return nil, err
	}
	return append(scores, intelScores(items, latestEvidence(scores))...), nil
}

// latestEvidence is the latest evidence among scores, zero for none.
func latestEvidence(scores []lantern.AlertScore) time.Time {
	var t time.Time
	for _, s := range scores {
		if s.LastEvidence.After(t) {
			t = s.LastEvidence
		}
	}
	return t
}

// intelTime is when an item counts from: when it was recorded, or asOf
// when that is earlier (and not zero).
func intelTime(it *lantern.IntelItem, asOf time.Time) time.Time {
	if !asOf.IsZero() && it.CreatedAt.After(asOf) {
		return asOf
	}
	return it.CreatedAt
}

// linkedIntel returns the intelligence items linked to staffID, or to
// anyone when staffID is "", that weigh something; nil without an
// intelligence log.
func linkedIntel(ctx context.Context, intel lantern.IntelService, staffID string) ([]*lantern.IntelItem, error) {
	if intel == nil {
		return nil, nil
	}
	list, _, err := intel.FindIntelItems(ctx, lantern.IntelFilter{StaffID: staffID})
	if err != nil {
		return nil, fmt.Errorf("read intelligence items: %w", err)
	}
	out := list[:0]
	for _, it := range list {
		if it.StaffID != "" {
			out = append(out, it)
		}
	}
	return out, nil
}

// intelScores gives the linked items as the risk ranking's scores, each
// counting from intelTime.
func intelScores(items []*lantern.IntelItem, asOf time.Time) []lantern.AlertScore {
	var out []lantern.AlertScore
	for _, it := range items {
		if w := IntelWeight(it.Grade); w > 0 {
			out = append(out, lantern.AlertScore{ID: intelRef(it.ID), Rule: IntelRule, StaffID: it.StaffID, Score: w, LastEvidence: intelTime(it, asOf)})
		}
	}
	return out
}

// intelAlerts gives the linked items as alerts, for RiskSeries, each
// counting from intelTime.
func intelAlerts(items []*lantern.IntelItem, asOf time.Time) []*lantern.Alert {
	var out []*lantern.Alert
	for _, it := range items {
		if w := IntelWeight(it.Grade); w > 0 {
			at := intelTime(it, asOf)
			out = append(out, &lantern.Alert{ID: intelRef(it.ID), Rule: IntelRule, StaffID: it.StaffID, Score: w,
				FirstEvidence: at, LastEvidence: at, State: lantern.AlertTriaged})
		}
	}
	return out
}

func intelRef(id int64) string { return "intel:" + strconv.FormatInt(id, 10) }

// intelFromEscalation records an ungraded intelligence item linked to the
// subject of an escalated alert, on the audit trail as intel.create. The
// alert's subject is a staff record already, so the escalating user's
// decision is the confirmation of the link.
func (s *Service) intelFromEscalation(ctx context.Context, p lantern.Principal, a *lantern.Alert) error {
	if s.cfg.Intel == nil {
		return nil
	}
	now := s.cfg.Now().UTC()
	summary := "Alert " + a.ID + " (" + a.Rule + ") was escalated."
	if a.Explanation != "" {
		summary += " " + a.Explanation
	}
	it := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:" + a.ID, Summary: summary,
		State: lantern.IntelUngraded, CreatedBy: p.UserID, CreatedAt: now}
	if err := s.cfg.Intel.CreateIntelItem(ctx, it); err != nil {
		return fmt.Errorf("record intelligence from alert %s: %w", a.ID, err)
	}
	if _, err := s.cfg.Intel.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: a.StaffID, By: p.UserID, At: now}); err != nil {
		return fmt.Errorf("link intelligence from alert %s: %w", a.ID, err)
	}
	_, err := s.cfg.Audit.AppendAudit(context.WithoutCancel(ctx), lantern.AuditEntry{Time: now, UserID: p.UserID, Role: p.Role,
		Action: "intel.create", Object: intelRef(it.ID), Outcome: lantern.AuditAllowed, Detail: "from alert:" + a.ID + " staff:" + a.StaffID})
	return err
}
