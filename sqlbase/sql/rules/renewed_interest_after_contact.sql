-- renewed_interest_after_contact: a sequence per staff member and person
-- over the looks that pass the rule's condition (a vulnerable person he
-- attended an incident with):
--   1. a look during an open case with her (open_case_with),
--   2. absent: another look during an open case,
--   3. a look when no linking case is open and the last closed no more
--      than 90 days before,
-- step 3 no more than 90 days after step 1.
--
-- The absent step's condition is the first step's, so a look during an
-- open case both breaks a partial match and starts a new one; a completed
-- match starts afresh; a partial match older than 90 days is dropped. So a
-- step-3 look completes a match exactly when the latest earlier look that
-- matched either step was a step 1 at most 90 days before it: LAG over the
-- step events of each staff member and person, in time order, finds it
-- (the NOT EXISTS of "no step 1 in between" without a self-join).
SELECT staff_id, person_id AS key, count(*) AS matches
FROM (SELECT staff_id, person_id, at, step,
             lag(step) OVER w AS prev_step,
             lag(at) OVER w AS prev_at
      FROM (SELECT e.seq, e.staff_id, e.person_id, e.at,
                   CASE WHEN {{template "open_case"}} THEN 1 ELSE 3 END AS step
            FROM event_fact e
            WHERE e.kind = 'access'
              AND {{template "vulnerable_subject"}}
              AND {{template "attended"}}
              AND ({{template "open_case"}} OR {{template "case_closed_within" "90d"}})) steps
      WINDOW w AS (PARTITION BY staff_id, person_id ORDER BY at, seq)) q
WHERE step = 3 AND prev_step = 1 AND at - prev_at <= {{dur "90d"}}
GROUP BY staff_id, person_id
