-- off_duty_access: a look at a vulnerable person's record while rostered
-- off duty, on leave or sick, without an open case.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "vulnerable_subject"}}
  AND NOT {{template "open_case"}}
  AND {{template "off_duty"}}
GROUP BY e.staff_id, e.person_id
