package index

import (
	"fmt"
	"strings"
	"time"

	"lantern"
	"lantern/detect"
)

// recentClosure is how long after a case closes its officers keep a purpose
// for calling the people in it (telling a victim the case has closed), as
// the rule library's no_current_case macro allows for calls and messages.
const recentClosure = 24 * time.Hour

// clearlyOff is how far from any working shift a member of staff must be
// for working an open incident not their own to stop counting as a
// purpose, as the rule library's clearly_off_duty macro has it.
const clearlyOff = 30 * time.Minute

// Verdict is the judgement on one event's policing purpose.
type Verdict struct {
	Purpose string // lantern.PurposeYes, PurposeNo or PurposeUnknown
	Reason  string // in plain words
}

// JudgePerson decides whether the member of staff had a policing purpose
// for the person at t, by the world as it stood then, in the terms the rule
// library uses (see rules/common.yaml). A purpose is an open case of
// theirs the person is in (open_case_with); an incident of their own that
// the event names and the person is in (own_case_context); or, while not
// clearly off duty, an open incident the event names that the person is in
// (live_incident_context). For a call or message (contact true), a case of
// theirs with the person that closed within the last day still counts
// (no_current_case). A case closed before that, or no link at all, is no
// purpose. incident is the incident the event names, or "".
func JudgePerson(w *detect.World, staff, person, incident string, t time.Time, contact bool) Verdict {
	if inc := w.OpenCaseIncident(staff, person, t); inc != "" {
		return Verdict{lantern.PurposeYes, linkWord(w, staff, person, t) + " incident " + inc + " (open)"}
	}
	if incident != "" && w.Involved(person, incident, t) {
		off, rostered := w.OffDutyFor(staff, t)
		switch {
		case w.LinkedIncident(staff, incident, t):
			return Verdict{lantern.PurposeYes, "working their own incident " + incident + ", which the person is in"}
		case w.CaseOpen(incident, t) && (!rostered || off < clearlyOff):
			return Verdict{lantern.PurposeYes, "working open incident " + incident + ", which the person is in"}
		}
	}
	if cc, ok := w.ClosedCaseWith(staff, person, t); ok {
		what := linkWord(w, staff, person, t) + " incident " + cc.Incident
		ago := time.Duration(cc.DaysSinceClosed * float64(24*time.Hour))
		if contact && ago <= recentClosure {
			return Verdict{lantern.PurposeYes, what + " (closed " + span(ago) + " before)"}
		}
		return Verdict{lantern.PurposeNo, "no current purpose: " + what + ", closed " + span(ago) + " before; " + duty(w, staff, t)}
	}
	return Verdict{lantern.PurposeNo, "no link to the person; " + duty(w, staff, t)}
}

// JudgeIncident decides whether the member of staff had a purpose for an
// incident at t: being assigned to it or having attended it.
func JudgeIncident(w *detect.World, staff, incident string, t time.Time) Verdict {
	if w.LinkedIncident(staff, incident, t) {
		state := "closed"
		if w.CaseOpen(incident, t) {
			state = "open"
		}
		return Verdict{lantern.PurposeYes, "linked to incident " + incident + " (" + state + ")"}
	}
	return Verdict{lantern.PurposeNo, "no link to incident " + incident + "; " + duty(w, staff, t)}
}

// JudgeAccess gives the verdict on an access event.
func JudgeAccess(w *detect.World, e *lantern.AccessEvent) Verdict {
	switch {
	case e.PersonID != "":
		return JudgePerson(w, e.StaffID, e.PersonID, e.IncidentID, e.Time, false)
	case e.IncidentID != "":
		return JudgeIncident(w, e.StaffID, e.IncidentID, e.Time)
	}
	return Verdict{lantern.PurposeUnknown, "a search with no person or incident to link; " + duty(w, e.StaffID, e.Time)}
}

// JudgeComms gives the verdict on a call or message, and the person the
// number was held against at the time ("" when nobody).
func JudgeComms(w *detect.World, e *lantern.CommsEvent) (Verdict, string) {
	person := w.PersonByPhone(e.NumberHash, e.Time)
	if person == "" {
		return Verdict{lantern.PurposeUnknown, "the number is not held against anyone in force records; " + duty(w, e.StaffID, e.Time)}, ""
	}
	return JudgePerson(w, e.StaffID, person, "", e.Time, true), person
}

// linkWord says how the member of staff was linked to the person's
// incident: attended or assigned to.
func linkWord(w *detect.World, staff, person string, t time.Time) string {
	if w.LinkingIncident(staff, person, t, true) != "" {
		return "attended"
	}
	return "assigned to"
}

// duty says whether the member of staff was working at t by the roster.
func duty(w *detect.World, staff string, t time.Time) string {
	switch {
	case !w.Rostered(staff):
		return "no roster held"
	case w.OnDuty(staff, t):
		return "on duty"
	}
	return "off duty"
}

// span gives a duration in days or hours.
func span(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	h := int(d / time.Hour)
	if h == 1 {
		return "1 hour"
	}
	return strings.TrimSpace(fmt.Sprintf("%d hours", h))
}
