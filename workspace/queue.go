package workspace

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"lantern"
)

// Queue returns the open alerts (new and triaged, or the State asked for)
// matching f, ranked by the risk score of the member of staff each is
// about, then by the alert's own score and id, and cut to f.Limit or the
// unit's weekly capacity; Waiting says how many more match. Signals and
// alerts about the principal's own staff id are never in it. It needs
// ActViewAlerts; EINVALID for a bad filter.
func (s *Service) Queue(ctx context.Context, f QueueFilter) (Queue, error) {
	c, err := s.begin(ctx, lantern.ActViewAlerts, "queue")
	if err != nil {
		return Queue{}, err
	}
	q, err := s.queue(ctx, c.p, f)
	if err != nil {
		return Queue{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, describeFilter(f, len(q.Items))); err != nil {
		return Queue{}, err
	}
	return q, nil
}

func (s *Service) queue(ctx context.Context, p lantern.Principal, f QueueFilter) (Queue, error) {
	if f.Limit < 0 {
		return Queue{}, lantern.FieldErrorf("limit", "limit must not be negative")
	}
	af := lantern.AlertFilter{Signal: new(bool), Since: f.Since, Until: f.Until, States: []string{lantern.AlertNew, lantern.AlertTriaged}}
	if f.State != "" {
		af.States = []string{f.State}
	}
	if f.Rule != "" {
		af.Rule = &f.Rule
	}
	alerts, _, err := s.cfg.Alerts.FindAlerts(ctx, af)
	if err != nil {
		return Queue{}, err
	}
	var inGroup map[string]bool // staff matching the role and team asked for
	if f.StaffRole != "" || f.Team != "" {
		sf := lantern.StaffFilter{}
		if f.StaffRole != "" {
			sf.Role = &f.StaffRole
		}
		if f.Team != "" {
			sf.Team = &f.Team
		}
		staff, _, err := s.cfg.Staff.FindStaff(ctx, sf)
		if err != nil {
			return Queue{}, err
		}
		inGroup = make(map[string]bool, len(staff))
		for _, st := range staff {
			inGroup[st.ID] = true
		}
	}
	risk, err := s.riskNow(ctx)
	if err != nil {
		return Queue{}, err
	}
	scores := map[string]float64{}
	var items []QueueItem
	for _, a := range alerts {
		if a.StaffID == p.StaffID && p.StaffID != "" || inGroup != nil && !inGroup[a.StaffID] {
			continue
		}
		sc, ok := scores[a.StaffID]
		if !ok {
			sc = risk.Score(a.StaffID).Score
			scores[a.StaffID] = sc
		}
		items = append(items, QueueItem{Alert: *a, StaffRisk: sc})
	}
	slices.SortFunc(items, func(x, y QueueItem) int {
		if c := cmp.Compare(y.StaffRisk, x.StaffRisk); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Alert.Score, x.Alert.Score); c != 0 {
			return c
		}
		return strings.Compare(x.Alert.ID, y.Alert.ID)
	})
	limit := f.Limit
	if limit == 0 {
		limit = s.cfg.Capacity
	}
	q := Queue{Capacity: s.cfg.Capacity, Matching: len(items), At: risk.Now()}
	items = items[:min(limit, len(items))]
	staff := staffCache{svc: s.cfg.Staff}
	for i := range items {
		items[i].Rank = i + 1
		if items[i].Staff, err = staff.get(ctx, items[i].Alert.StaffID); err != nil {
			return Queue{}, err
		}
	}
	q.Items = items
	if q.Items == nil {
		q.Items = []QueueItem{}
	}
	q.Waiting = q.Matching - len(q.Items)
	return q, nil
}

// describeFilter notes a queue request on the audit trail.
func describeFilter(f QueueFilter, shown int) string {
	var parts []string
	for _, kv := range [][2]string{{"rule", f.Rule}, {"role", f.StaffRole}, {"team", f.Team}, {"state", f.State}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if !f.Since.IsZero() {
		parts = append(parts, "since="+f.Since.UTC().Format("2006-01-02"))
	}
	if !f.Until.IsZero() {
		parts = append(parts, "until="+f.Until.UTC().Format("2006-01-02"))
	}
	parts = append(parts, fmt.Sprintf("shown=%d", shown))
	return strings.Join(parts, " ")
}
