-- renewed_interest_after_contact: a look at a vulnerable person by a staff
-- member who attended an incident with her, the last time at least 7 days
-- before, with no open case of his with her, outside a street check, a live
-- incident she is involved in and an incident of his own.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "looked"}}
  AND {{template "vulnerable_subject"}}
  AND e.attended
  AND e.at - e.attended_at >= {{dur "7d"}}
  AND {{template "no_open_case"}}
  AND NOT {{template "street_check"}}
  AND NOT {{template "live_incident_context"}}
  AND NOT {{template "own_case_context"}}
