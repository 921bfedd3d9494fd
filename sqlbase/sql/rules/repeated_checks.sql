-- repeated_checks: at least 4 looks at the same vulnerable person within 7
-- days, without an open case, by anyone but the volume roles: a count over
-- the sliding window (t - 7d, t] per staff member and person.
SELECT staff_id, person_id AS key, count(*) AS matches
FROM (SELECT e.staff_id, e.person_id,
             count(*) OVER (PARTITION BY e.staff_id, e.person_id ORDER BY e.at
                            RANGE BETWEEN {{within "7d"}} PRECEDING AND CURRENT ROW) AS n
      FROM event_fact e
      WHERE e.kind = 'access'
        AND {{template "vulnerable_subject"}}
        AND NOT {{template "open_case"}}
        AND NOT {{template "volume_role"}}) w
WHERE n >= 4
GROUP BY staff_id, person_id
