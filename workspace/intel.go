package workspace

import (
	"context"
	"fmt"
	"strconv"

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

// linkedIntel returns the intelligence items linked to staffID, or to
// anyone when staffID is "", that weigh something; nil without an
// intelligence log.
func (s *Service) linkedIntel(ctx context.Context, staffID string) ([]*lantern.IntelItem, error) {
	if s.cfg.Intel == nil {
		return nil, nil
	}
	list, _, err := s.cfg.Intel.FindIntelItems(ctx, lantern.IntelFilter{StaffID: staffID})
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

// intelScores gives the linked items as the risk ranking's scores.
func intelScores(items []*lantern.IntelItem) []lantern.AlertScore {
	var out []lantern.AlertScore
	for _, it := range items {
		if w := IntelWeight(it.Grade); w > 0 {
			out = append(out, lantern.AlertScore{ID: intelRef(it.ID), Rule: IntelRule, StaffID: it.StaffID, Score: w, LastEvidence: it.CreatedAt})
		}
	}
	return out
}

// intelAlerts gives the linked items as alerts, for RiskSeries.
func intelAlerts(items []*lantern.IntelItem) []*lantern.Alert {
	var out []*lantern.Alert
	for _, it := range items {
		if w := IntelWeight(it.Grade); w > 0 {
			out = append(out, &lantern.Alert{ID: intelRef(it.ID), Rule: IntelRule, StaffID: it.StaffID, Score: w,
				FirstEvidence: it.CreatedAt, LastEvidence: it.CreatedAt, State: lantern.AlertTriaged})
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
