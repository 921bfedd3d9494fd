{{/* peer_stats: from peer_member (end_at, role, x), each group's size,
median and median absolute deviation. SQLite has no percentile aggregate:
the median is the average of the middle one or two values by row_number. */}}
{{define "peer_stats"}}CREATE TEMP TABLE peer_stats AS
WITH ranked AS (
  SELECT end_at, role, x,
         row_number() OVER (PARTITION BY end_at, role ORDER BY x) AS i,
         count(*) OVER (PARTITION BY end_at, role) AS n
  FROM peer_member
), med AS (
  SELECT end_at, role, n, avg(x) AS median
  FROM ranked
  WHERE i IN ((n + 1) / 2, (n + 2) / 2)
  GROUP BY end_at, role, n
), dev AS (
  SELECT m.end_at, m.role, med.n, med.median, abs(m.x - med.median) AS d,
         row_number() OVER (PARTITION BY m.end_at, m.role ORDER BY abs(m.x - med.median)) AS i
  FROM peer_member m
  JOIN med ON med.end_at = m.end_at AND med.role = m.role
)
SELECT end_at, role, n, median, avg(d) AS mad
FROM dev
WHERE i IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY end_at, role, n, median{{end}}
