-- harvest_then_contact: a sequence per staff member and person, across
-- access and comms events that pass the rule's condition (a vulnerable
-- person, no current case, not a volume role):
--   1. her contact details read, or her record printed or exported,
--   2. an outbound call or message to her number,
-- step 2 no more than the rule's span after step 1.
--
-- A new step 1 restarts a partial match, a completed match starts afresh
-- and one older than the span is dropped, so an outbound contact completes
-- a match exactly when the latest earlier event that matched either step
-- was a step 1 at most the span before it: LAG over the step events of each
-- staff member and person, in time (then load) order.
SELECT staff_id, person_id AS key, at, seq, {{float .Weight}} AS score
FROM (SELECT seq, staff_id, person_id, at, step,
             lag(step) OVER w AS prev_step,
             lag(at) OVER w AS prev_at
      FROM (SELECT e.seq, e.staff_id, e.person_id, e.at,
                   CASE WHEN e.kind = 'access' THEN 1 ELSE 2 END AS step
            FROM event_fact e
            WHERE {{template "vulnerable_subject"}}
              AND {{template "no_current_case"}}
              AND NOT {{template "volume_role"}}
              AND ((e.kind = 'access' AND (e.touched_contact OR e.action IN {{list "copy_actions"}}))
                   OR (e.kind = 'comms' AND e.direction = 'outbound'))) steps
      WINDOW w AS (PARTITION BY staff_id, person_id ORDER BY at, seq)) q
WHERE step = 2 AND prev_step = 1 AND at - prev_at <= {{dur .Sequence.Within}}
