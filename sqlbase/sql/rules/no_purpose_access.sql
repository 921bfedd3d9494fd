-- no_purpose_access: a look at a vulnerable person's record with no
-- incident linking the staff member to her, now or before, outside the
-- ordinary look-alikes: a street check, a custody record, a live incident
-- she is involved in, the volume roles, the safeguarding unit's reviews.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "looked"}}
  AND {{template "vulnerable_subject"}}
  AND {{template "no_purpose"}}
  AND NOT {{template "street_check"}}
  AND NOT {{template "custody_record"}}
  AND NOT {{template "live_incident_context"}}
  AND NOT {{template "volume_role"}}
  AND NOT {{template "safeguarding_review"}}
