-- viewed_after_attended_case_closed: a look at a vulnerable person by a
-- staff member who attended an incident with her, no linking incident open,
-- and the latest linking incident closed no more than 90 days before.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "vulnerable_subject"}}
  AND {{template "attended"}}
  AND {{template "case_closed_within" "90d"}}
GROUP BY e.staff_id, e.person_id
