-- contact_detail_harvesting: a vulnerable person's phone number read, her
-- record printed or exported, or her address read by anyone but the
-- safeguarding unit, without a current case of his with her.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "vulnerable_subject"}}
  AND {{template "no_current_case"}}
  AND (({{template "looked"}} AND e.touched_phone)
       OR e.action IN {{list "copy_actions"}}
       OR ({{template "looked"}} AND e.touched_address AND NOT {{template "safeguarding_role"}}))
