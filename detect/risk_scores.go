package detect

import (
	"time"

	"lantern"
)

// RiskOf builds a Risk from stored alert scores (the alerts the unit has not
// dismissed), as the queue and the API rank staff: the same scores as a
// Risk fed live, taken at the latest evidence among them.
func RiskOf(scores []lantern.AlertScore, halfLife time.Duration) *Risk {
	r := NewRisk(halfLife)
	for _, s := range scores {
		r.Add(Alert{ID: s.ID, Rule: s.Rule, StaffID: s.StaffID, Score: s.Score, LastEvidence: s.LastEvidence})
	}
	return r
}
