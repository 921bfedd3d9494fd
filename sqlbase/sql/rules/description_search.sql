-- description_search: at least 3 searches by description within 7 days
-- per staff member: a count over the sliding window (t - 7d, t].
SELECT staff_id, '' AS key, count(*) AS matches
FROM (SELECT a.staff_id,
             count(*) OVER (PARTITION BY a.staff_id ORDER BY a.at
                            RANGE BETWEEN {{within "7d"}} PRECEDING AND CURRENT ROW) AS n
      FROM access_event a
      WHERE a.action = 'search' AND a.query <> ''
        AND {{contains_any "lower(a.query)" "descriptive_terms"}}) w
WHERE n >= 3
GROUP BY staff_id
