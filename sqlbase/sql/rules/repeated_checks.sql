-- repeated_checks: looks at the same vulnerable person without an open case,
-- outside the ordinary look-alikes, counted per staff member and person over
-- the sliding window (t - over, t]; each look at which the count reaches
-- the threshold matches, scored by count / threshold.
SELECT staff_id, person_id AS key, at, seq, {{float .Weight}} * n / {{float .Window.Threshold}} AS score
FROM (SELECT e.seq, e.staff_id, e.person_id, e.at,
             count(*) OVER (PARTITION BY e.staff_id, e.person_id ORDER BY e.at
                            RANGE BETWEEN {{within .Window.Over}} PRECEDING AND CURRENT ROW) AS n
      FROM event_fact e
      WHERE e.kind = 'access'
        AND {{template "looked"}}
        AND {{template "vulnerable_subject"}}
        AND {{template "no_open_case"}}
        AND NOT {{template "street_check"}}
        AND NOT {{template "custody_record"}}
        AND NOT {{template "volume_role"}}
        AND NOT {{template "safeguarding_review"}}
        AND NOT {{template "live_incident_context"}}) w
WHERE n >= {{.Window.Threshold}}
