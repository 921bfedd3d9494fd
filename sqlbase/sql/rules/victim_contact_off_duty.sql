-- victim_contact_off_duty: victim_contact_no_case while rostered and not on
-- duty.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'comms'
  AND e.direction = 'outbound'
  AND {{template "vulnerable_subject"}}
  AND {{template "no_current_case"}}
  AND {{template "off_duty"}}
