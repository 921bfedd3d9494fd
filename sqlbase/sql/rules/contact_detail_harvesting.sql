-- contact_detail_harvesting: a vulnerable person's contact details read, or
-- her record printed or exported, without an open case, by anyone but the
-- volume roles.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "vulnerable_subject"}}
  AND NOT {{template "open_case"}}
  AND NOT {{template "volume_role"}}
  AND (e.action IN {{list "copy_actions"}} OR {{template "touched_contact"}})
GROUP BY e.staff_id, e.person_id
