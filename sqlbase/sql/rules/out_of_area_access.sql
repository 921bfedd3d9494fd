-- out_of_area_access: by a staff member with an area, outside the
-- force-wide roles: a look at a vulnerable person living in another area
-- with no link to her (not a street check), or at a sensitive incident
-- (with no person) in another area that he was never assigned to and that
-- opened at least 6 hours before. Keyed by the staff member.
SELECT e.staff_id, e.staff_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND NOT {{template "force_wide_role"}}
  AND e.staff_area <> ''
  AND ((    {{template "looked"}}
        AND {{template "vulnerable_subject"}}
        AND {{template "no_purpose"}}
        AND NOT {{template "street_check"}}
        AND e.person_area <> '' AND e.person_area <> e.staff_area)
    OR (    e.person_id = '' AND e.incident_id <> ''
        AND e.incident_type IN {{list "sensitive_incidents"}}
        AND NOT e.linked_incident
        AND e.incident_area <> '' AND e.incident_area <> e.staff_area
        AND e.at - e.incident_opened_at >= {{dur "6h"}}))
