-- no_purpose_access: a look at a vulnerable person's record with no
-- incident linking the staff member to her, now or before, by anyone but
-- the volume roles, the safeguarding unit's views of domestic abuse victims
-- excepted.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'access'
  AND e.action IN {{list "look_actions"}}
  AND {{template "vulnerable_subject"}}
  AND NOT {{template "linked"}}
  AND NOT {{template "volume_role"}}
  AND NOT ({{template "safeguarding_role"}}
           AND EXISTS (SELECT 1 FROM person_flag f
                       WHERE f.person_seq = e.person_seq AND f.flag = 'domestic_abuse_victim'))
GROUP BY e.staff_id, e.person_id
