{{/*
The rule library's macros (rules/common.yaml) and context functions as SQL
conditions on an event_fact row named e, under the macros' names. The link
columns (linked, attended, open_case, any_open, closed_at) are worked out
only for events about a vulnerable person: use them only behind
vulnerable_subject, as every rule of the library does.
*/}}

{{define "vulnerable_subject"}}(e.person_id <> '' AND e.vulnerable){{end}}

{{define "looked"}}(e.action IN {{list "look_actions"}}){{end}}

{{/* no_purpose: !linked(staff, person), whatever the incident's status. */}}
{{define "no_purpose"}}(NOT e.linked){{end}}

{{/* no_open_case: !open_case_with(staff, person). */}}
{{define "no_open_case"}}(NOT e.open_case){{end}}

{{/* no_current_case: no open case of his with her, and the linking incident
closed last (when none is open) closed more than a day before. */}}
{{define "no_current_case"}}(NOT e.open_case
  AND NOT (NOT e.any_open AND e.closed_at IS NOT NULL AND e.closed_at >= e.at - {{dur "1d"}})){{end}}

{{define "volume_role"}}(e.role IN {{list "volume_roles"}}){{end}}

{{define "force_wide_role"}}(e.role IN {{list "force_wide_roles"}}){{end}}

{{define "safeguarding_role"}}(e.role IN {{list "safeguarding_roles"}}){{end}}

{{define "street_check"}}(e.system IN {{list "street_check_systems"}}){{end}}

{{define "custody_record"}}(e.system IN {{list "custody_systems"}}){{end}}

{{define "woman"}}(e.gender = 'female' AND e.age >= 16 AND e.age <= 50){{end}}

{{/* live_incident_context: the event names an open incident she is involved in. */}}
{{define "live_incident_context"}}(e.incident_id <> '' AND e.involved AND e.case_open){{end}}

{{/* own_case_context: the event names an incident of his she is involved in. */}}
{{define "own_case_context"}}(e.incident_id <> '' AND e.involved AND e.linked_incident){{end}}

{{define "safeguarding_review"}}({{template "safeguarding_role"}}
  AND (EXISTS (SELECT 1 FROM person_flag f
               WHERE f.person_seq = e.person_seq AND f.flag = 'domestic_abuse_victim')
       OR {{template "live_incident_context"}})){{end}}

{{/* off_duty: rostered(staff) && !on_duty(staff). Rostered: a roster entry
loaded before the event. On duty: a working entry covers the event (start
inclusive, end exclusive) and no leave or sickness does. A working entry
lasts at most max_shift (intake refuses longer ones), and no leave lasts
longer than the longest on record, which bounds the index range each
look-up reads. */}}
{{define "off_duty"}}(EXISTS (SELECT 1 FROM shift r WHERE r.staff_id = e.staff_id AND r.seq < e.seq)
  AND NOT (EXISTS (SELECT 1 FROM shift w
                   WHERE w.staff_id = e.staff_id AND w.start_at <= e.at AND w.start_at > e.at - {{max_shift}}
                     AND e.at < w.end_at AND w.seq < e.seq AND w.kind IN {{list "working_shifts"}})
           AND NOT EXISTS (SELECT 1 FROM shift x
                           WHERE x.staff_id = e.staff_id AND x.start_at <= e.at
                             AND x.start_at >= e.at - (SELECT max(end_at - start_at) FROM shift
                                                       WHERE kind NOT IN {{list "working_shifts"}})
                             AND e.at < x.end_at AND x.seq < e.seq AND x.kind NOT IN {{list "working_shifts"}}))){{end}}

{{/* clearly_off_duty: hours_off_duty(staff) >= 0.5: a working roster entry is
known, and none starts less than half an hour after the event or ends less
than half an hour before it (leave and sickness play no part). */}}
{{define "clearly_off_duty"}}(EXISTS (SELECT 1 FROM shift r
                WHERE r.staff_id = e.staff_id AND r.seq < e.seq AND r.kind IN {{list "working_shifts"}})
  AND NOT EXISTS (SELECT 1 FROM shift w
                  WHERE w.staff_id = e.staff_id
                    AND w.start_at < e.at + {{dur "30m"}} AND w.start_at > e.at - {{dur "30m"}} - {{max_shift}}
                    AND w.end_at > e.at - {{dur "30m"}}
                    AND w.seq < e.seq AND w.kind IN {{list "working_shifts"}})){{end}}

{{/* description_search: a search whose lower-cased text holds a word of
description. */}}
{{define "description_search"}}(e.action = 'search'
  AND {{matches "lower(e.query)" `\b(female|woman|women|girl|girls|lady)\b`}}){{end}}

{{define "partial_name_search"}}(e.action = 'search' AND e.query LIKE '%*%'){{end}}
