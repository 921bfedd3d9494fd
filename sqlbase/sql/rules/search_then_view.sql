-- search_then_view: a sequence per staff member:
--   1. a search by description or part of a name,
--   2. the record of a vulnerable woman he has no link to opened,
-- step 2 no more than the rule's span after step 1. As in
-- harvest_then_contact, a look completes a match exactly when the latest
-- earlier event that matched either step was a search at most the span
-- before it.
SELECT staff_id, '' AS key, at, seq, {{float .Weight}} AS score
FROM (SELECT seq, staff_id, at, step,
             lag(step) OVER w AS prev_step,
             lag(at) OVER w AS prev_at
      FROM (SELECT e.seq, e.staff_id, e.at,
                   CASE WHEN e.action = 'search' THEN 1 ELSE 2 END AS step
            FROM event_fact e
            WHERE e.kind = 'access'
              AND ({{template "description_search"}} OR {{template "partial_name_search"}}
                   OR ({{template "looked"}} AND {{template "vulnerable_subject"}}
                       AND {{template "woman"}} AND {{template "no_purpose"}}))) steps
      WINDOW w AS (PARTITION BY staff_id ORDER BY at, seq)) q
WHERE step = 2 AND prev_step = 1 AND at - prev_at <= {{dur .Sequence.Within}}
