{{/* peer_stats: from peer_member (end_at, role, x), each group's size,
median and median absolute deviation, with percentile_cont (which
averages the middle two of an even number). */}}
{{define "peer_stats"}}CREATE TEMP TABLE peer_stats AS
WITH med AS (
  SELECT end_at, role, count(*) AS n,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS median
  FROM peer_member
  GROUP BY end_at, role
)
SELECT m.end_at, m.role, med.n, med.median,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.x - med.median)) AS mad
FROM peer_member m
JOIN med ON med.end_at = m.end_at AND med.role = m.role
GROUP BY m.end_at, m.role, med.n, med.median{{end}}
