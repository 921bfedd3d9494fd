package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"lantern"
)

// Bounds on what an alert's timeline gathers.
const (
	maxTimelinePersons   = 10 // people in the evidence whose incidents are shown
	maxPersonIncidents   = 20 // incidents shown per person
	rosterMargin         = 24 * time.Hour
	maxTimelineShifts    = 200
	maxContextIncidents  = 50
	maxContextEvents     = 50                 // the member of staff's other events about the same people
	contextBefore        = 7 * 24 * time.Hour // how far before the first evidence they are looked for
	assignmentKindPhrase = "assigned to"
)

// Alert returns an alert with its evidence timeline: the evidence events
// from the event index with their purpose verdicts, and the member of
// staff's other events about the same people from a week before the first
// evidence to a day after the last; the incidents of the
// people and incidents in the evidence, with the member of staff's
// assignments to them, saying which gave a policing purpose; and the
// roster from a day before the first evidence to a day after the last. It
// needs ActViewAlerts and never shows an alert about the principal's own
// staff id (EFORBIDDEN). ENOTFOUND for an unknown alert.
func (s *Service) Alert(ctx context.Context, id string) (AlertDetail, error) {
	c, err := s.begin(ctx, lantern.ActViewAlerts, "alert:"+id)
	if err != nil {
		return AlertDetail{}, err
	}
	if err := c.checkID(ctx, id); err != nil {
		return AlertDetail{}, err
	}
	a, err := s.cfg.Alerts.Alert(ctx, id)
	if err != nil {
		return AlertDetail{}, c.fail(ctx, err)
	}
	if err := c.about(ctx, a.StaffID); err != nil {
		return AlertDetail{}, err
	}
	d, err := s.alertDetail(ctx, a)
	if err != nil {
		return AlertDetail{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, "staff:"+a.StaffID); err != nil {
		return AlertDetail{}, err
	}
	return d, nil
}

func (s *Service) alertDetail(ctx context.Context, a *lantern.Alert) (AlertDetail, error) {
	d := AlertDetail{Alert: *a, NextStates: lantern.AlertNextStates(a.State)}
	staff := staffCache{svc: s.cfg.Staff}
	var err error
	if d.Staff, err = staff.get(ctx, a.StaffID); err != nil {
		return d, err
	}
	risk, err := s.riskNow(ctx)
	if err != nil {
		return d, err
	}
	sr := risk.Score(a.StaffID)
	d.Risk = RiskNow{Score: sr.Score, At: sr.At, Explanation: sr.Explanation}
	if d.Timeline, d.Missing, err = s.timeline(ctx, a); err != nil {
		return d, err
	}
	if d.NextStates == nil {
		d.NextStates = []string{}
	}
	return d, nil
}

// timeline gathers an alert's evidence and its context, oldest first.
func (s *Service) timeline(ctx context.Context, a *lantern.Alert) ([]TimelineEntry, []string, error) {
	events, err := s.cfg.Index.IndexedEvents(ctx, a.EvidenceIDs...)
	if err != nil {
		return nil, nil, fmt.Errorf("read evidence: %w", err)
	}
	var out []TimelineEntry
	found := map[string]bool{}
	var persons, incidents []string
	for _, e := range events {
		found[e.ID] = true
		out = append(out, eventEntry(e, true))
		if e.PersonID != "" && !slices.Contains(persons, e.PersonID) && len(persons) < maxTimelinePersons {
			persons = append(persons, e.PersonID)
		}
		if e.IncidentID != "" && !slices.Contains(incidents, e.IncidentID) {
			incidents = append(incidents, e.IncidentID)
		}
	}
	var missing []string
	for _, id := range a.EvidenceIDs {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	// The incidents the people in the evidence are involved in.
	for _, p := range persons {
		list, _, err := s.cfg.Incidents.FindIncidents(ctx, lantern.IncidentFilter{PersonID: &p, Limit: maxPersonIncidents})
		if err != nil {
			return nil, nil, fmt.Errorf("read incidents: %w", err)
		}
		for _, in := range list {
			if !slices.Contains(incidents, in.ID) {
				incidents = append(incidents, in.ID)
			}
		}
	}
	first, last := a.FirstEvidence, a.LastEvidence
	for _, e := range events {
		first, last = minTime(first, e.Time), maxTime(last, e.Time)
	}
	// The member of staff's other events about the same people around the
	// evidence: what came before and between, not evidence themselves.
	if len(persons) > 0 {
		around, err := s.cfg.Index.StaffEvents(ctx, a.StaffID, first.Add(-contextBefore), last.Add(rosterMargin), 0)
		if err != nil {
			return nil, nil, fmt.Errorf("read events: %w", err)
		}
		n := 0
		for _, e := range around {
			if n < maxContextEvents && !found[e.ID] && slices.Contains(persons, e.PersonID) {
				out = append(out, eventEntry(e, false))
				n++
			}
		}
	}
	for _, id := range incidents[:min(len(incidents), maxContextIncidents)] {
		in, err := s.cfg.Incidents.FindIncidentByID(ctx, id)
		if lantern.ErrorCode(err) == lantern.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("read incident: %w", err)
		}
		out = append(out, incidentEntries(in, a.StaffID, persons)...)
	}
	shifts, _, err := s.cfg.Roster.FindShifts(ctx, lantern.ShiftFilter{StaffID: &a.StaffID,
		From: first.Add(-rosterMargin), To: last.Add(rosterMargin), Limit: maxTimelineShifts})
	if err != nil {
		return nil, nil, fmt.Errorf("read roster: %w", err)
	}
	for _, sh := range shifts {
		end := sh.End
		out = append(out, TimelineEntry{At: sh.Start, End: &end, Kind: EntryShift, StaffID: sh.StaffID,
			Summary: shiftSummary(sh)})
	}
	slices.SortStableFunc(out, func(x, y TimelineEntry) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return strings.Compare(x.Kind, y.Kind)
	})
	if out == nil {
		out = []TimelineEntry{}
	}
	return out, missing, nil
}

// eventEntry shows an indexed event on a timeline.
func eventEntry(e *lantern.IndexedEvent, evidence bool) TimelineEntry {
	t := TimelineEntry{At: e.Time, Kind: EntryAccess, Evidence: evidence, EventID: e.ID, StaffID: e.StaffID,
		PersonID: e.PersonID, IncidentID: e.IncidentID, System: e.System, Action: e.Action,
		Purpose: e.Purpose, PurposeReason: e.PurposeReason}
	var b strings.Builder
	if e.Kind == lantern.IndexedComms {
		t.Kind = EntryComms
		fmt.Fprintf(&b, "%s on device %s", e.Action, e.System)
		if e.PersonID != "" {
			fmt.Fprintf(&b, " with person %s", e.PersonID)
		}
		if e.Duration > 0 {
			fmt.Fprintf(&b, " lasting %s", e.Duration)
		}
	} else {
		fmt.Fprintf(&b, "%s on %s", e.Action, e.System)
		if e.PersonID != "" {
			fmt.Fprintf(&b, " of person %s", e.PersonID)
		}
		if e.IncidentID != "" {
			fmt.Fprintf(&b, " in incident %s", e.IncidentID)
		}
		if len(e.Fields) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(e.Fields, ", "))
		}
		if e.Query != "" {
			fmt.Fprintf(&b, ": %q", e.Query)
		}
	}
	fmt.Fprintf(&b, "; %s", e.PurposeReason)
	t.Summary = b.String()
	return t
}

// incidentEntries shows an incident's opening and closing, and the member
// of staff's assignments to it: each assignment gave a purpose for the
// people in it; an incident they had no part in gave none.
func incidentEntries(in *lantern.Incident, staffID string, persons []string) []TimelineEntry {
	var people []string
	for _, v := range in.Involvements {
		if slices.Contains(persons, v.PersonID) && !slices.Contains(people, v.PersonID) {
			people = append(people, v.PersonID)
		}
	}
	who := ""
	if len(people) > 0 {
		who = ", involving person " + strings.Join(people, ", ")
	}
	var mine []*lantern.Assignment
	for _, as := range in.Assignments {
		if as.StaffID == staffID {
			mine = append(mine, as)
		}
	}
	person := ""
	if len(people) > 0 {
		person = people[0]
	}
	open := TimelineEntry{At: in.OpenedAt, Kind: EntryIncident, IncidentID: in.ID, PersonID: person,
		Summary: fmt.Sprintf("%s incident %s opened%s", strings.ReplaceAll(in.Type, "_", " "), in.ID, who)}
	if len(mine) == 0 {
		open.Purpose = lantern.PurposeNo
		open.PurposeReason = "the member of staff was not assigned to this incident and did not attend it"
	} else {
		open.Purpose = lantern.PurposeYes
		open.PurposeReason = "the member of staff was assigned to or attended this incident"
	}
	out := []TimelineEntry{open}
	if in.ClosedAt != nil {
		out = append(out, TimelineEntry{At: *in.ClosedAt, Kind: EntryIncident, IncidentID: in.ID, PersonID: person,
			Summary: fmt.Sprintf("incident %s closed", in.ID)})
	}
	for _, as := range mine {
		verb := assignmentKindPhrase
		if as.Kind == lantern.AssignmentAttended {
			verb = "attended"
		}
		e := TimelineEntry{At: as.At, End: as.Until, Kind: EntryAssignment, StaffID: staffID, IncidentID: in.ID,
			PersonID: person, Purpose: lantern.PurposeYes,
			PurposeReason: "a policing purpose for the people in incident " + in.ID + " while it is open",
			Summary:       fmt.Sprintf("%s %s incident %s%s", staffID, verb, in.ID, who)}
		out = append(out, e)
	}
	return out
}

func shiftSummary(sh *lantern.Shift) string {
	return fmt.Sprintf("%s from %s to %s", sh.Kind, sh.Start.UTC().Format("2 Jan 15:04"), sh.End.UTC().Format("2 Jan 15:04"))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ChangeAlert applies the principal's decision to an alert: By is the
// principal's user id and a zero At is now. Dismissing needs a reason,
// which counts towards the rule's dismissal rate. It needs ActChangeAlert
// and is refused (EFORBIDDEN) for an alert about the principal's own staff
// id. ENOTFOUND for an unknown alert; EINVALID or ECONFLICT as
// lantern.AlertService.SetAlertState gives them.
func (s *Service) ChangeAlert(ctx context.Context, id string, u lantern.AlertStateUpdate) (lantern.Alert, error) {
	c, err := s.begin(ctx, lantern.ActChangeAlert, "alert:"+id)
	if err != nil {
		return lantern.Alert{}, err
	}
	if err := c.checkID(ctx, id); err != nil {
		return lantern.Alert{}, err
	}
	a, err := s.cfg.Alerts.Alert(ctx, id)
	if err != nil {
		return lantern.Alert{}, c.fail(ctx, err)
	}
	if err := c.about(ctx, a.StaffID); err != nil {
		return lantern.Alert{}, err
	}
	u.By = c.p.UserID
	if u.At.IsZero() {
		u.At = s.cfg.Now().UTC()
	}
	changed, err := s.cfg.Alerts.SetAlertState(ctx, id, u)
	if err != nil {
		return lantern.Alert{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, fmt.Sprintf("staff:%s %s -> %s", a.StaffID, a.State, changed.State)); err != nil {
		return lantern.Alert{}, err
	}
	if changed.State == lantern.AlertEscalated && a.State != lantern.AlertEscalated {
		if err := s.intelFromEscalation(ctx, c.p, changed); err != nil {
			s.cfg.Logger.Error("workspace: an escalated alert's intelligence item was not recorded", "alert", id, "error", err)
			return lantern.Alert{}, lantern.Errorf(lantern.EINTERNAL, "The alert was escalated, but its intelligence item could not be recorded.")
		}
	}
	return *changed, nil
}
