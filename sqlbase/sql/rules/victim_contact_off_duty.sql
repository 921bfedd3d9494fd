-- victim_contact_off_duty: victim_contact_no_case while rostered off duty.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'comms'
  AND {{template "vulnerable_subject"}}
  AND NOT {{template "open_case"}}
  AND {{template "off_duty"}}
GROUP BY e.staff_id, e.person_id
