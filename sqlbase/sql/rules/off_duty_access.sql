-- off_duty_access: while clearly off duty, a look at a vulnerable person's
-- record with no link to her, or at an incident (with no person) he was
-- never assigned to. Keyed by the staff member.
SELECT e.staff_id, e.staff_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND ((    {{template "looked"}}
        AND {{template "vulnerable_subject"}}
        AND {{template "no_purpose"}})
    OR (e.person_id = '' AND e.incident_id <> '' AND NOT e.linked_incident))
  AND {{template "clearly_off_duty"}}
