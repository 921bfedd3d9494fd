-- victim_contact_no_case: an outbound call or message from a work device to
-- a vulnerable person's number, outside any current case of his with her.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'comms'
  AND e.direction = 'outbound'
  AND {{template "vulnerable_subject"}}
  AND {{template "no_current_case"}}
