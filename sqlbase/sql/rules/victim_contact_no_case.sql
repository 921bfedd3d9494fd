-- victim_contact_no_case: work-device contact with the number of a
-- vulnerable person, outside any open case with her.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'comms'
  AND {{template "vulnerable_subject"}}
  AND NOT {{template "open_case"}}
GROUP BY e.staff_id, e.person_id
