{{/*
The rule library's macros (rules/common.yaml) and context functions as SQL
conditions on an event_fact row named e. linked, attended, open_case and the
closed-case conditions read event_link, which holds rows only for events
about a vulnerable person and for comms events with a known person: use them
only behind vulnerable_subject or on comms.
*/}}

{{define "vulnerable_subject"}}(e.person_id <> '' AND e.vulnerable){{end}}

{{define "volume_role"}}(e.role IN {{list "volume_roles"}}){{end}}

{{define "safeguarding_role"}}(e.role IN {{list "safeguarding_roles"}}){{end}}

{{/* linked(staff, person): any incident links them, whatever its status. */}}
{{define "linked"}}EXISTS (SELECT 1 FROM event_link l WHERE l.event_seq = e.seq){{end}}

{{/* attended(staff, person) */}}
{{define "attended"}}EXISTS (SELECT 1 FROM event_link l WHERE l.event_seq = e.seq AND l.attended = 1){{end}}

{{/* open_case_with(staff, person): an incident open now, with a tasking not ended. */}}
{{define "open_case"}}EXISTS (SELECT 1 FROM event_link l WHERE l.event_seq = e.seq AND l.tasked = 1 AND l.is_open){{end}}

{{/* closed_case(staff, person).closed: no linking incident is open now and one has closed. */}}
{{define "case_closed"}}(NOT EXISTS (SELECT 1 FROM event_link o WHERE o.event_seq = e.seq AND o.is_open)
  AND EXISTS (SELECT 1 FROM event_link c WHERE c.event_seq = e.seq AND NOT c.is_open)){{end}}

{{/* closed_case(staff, person): closed && days_since_closed <= the argument. */}}
{{define "case_closed_within"}}(NOT EXISTS (SELECT 1 FROM event_link o WHERE o.event_seq = e.seq AND o.is_open)
  AND EXISTS (SELECT 1 FROM event_link c WHERE c.event_seq = e.seq AND NOT c.is_open AND c.status_at >= e.at - {{dur .}})){{end}}

{{/* touched_contact: any of the fields touched is contact detail. */}}
{{define "touched_contact"}}EXISTS (SELECT 1 FROM access_field f WHERE f.access_seq = e.seq AND f.field IN {{list "contact_fields"}}){{end}}

{{/* off_duty: rostered(staff) && !on_duty(staff). Rostered: a shift that
started at or before the event is known. On duty: a working shift covers
the event (start inclusive, end exclusive) and no leave or sickness does. A
working shift lasts at most 24 hours (intake refuses longer ones), and no
leave lasts longer than the longest on record, which bounds the index range
each look-up reads. */}}
{{define "off_duty"}}(EXISTS (SELECT 1 FROM shift r WHERE r.staff_id = e.staff_id AND r.start_at <= e.at)
  AND NOT (EXISTS (SELECT 1 FROM shift w
                   WHERE w.staff_id = e.staff_id AND w.start_at <= e.at AND w.start_at > e.at - {{dur "24h"}}
                     AND e.at < w.end_at AND w.kind IN {{list "working_shifts"}})
           AND NOT EXISTS (SELECT 1 FROM shift x
                           WHERE x.staff_id = e.staff_id AND x.start_at <= e.at
                             AND x.start_at >= e.at - (SELECT max(end_at - start_at) FROM shift
                                                       WHERE kind NOT IN {{list "working_shifts"}})
                             AND e.at < x.end_at AND x.kind NOT IN {{list "working_shifts"}}))){{end}}
