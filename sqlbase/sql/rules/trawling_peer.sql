-- trawling_peer: the number of distinct vulnerable women (16 to 50) a staff
-- member looked at with no link to them (outside street checks and live
-- incidents they are involved in), in the window (t - over, t] up to each
-- such look, compared with the others in the same role by the modified
-- z-score 0.6745 (x - median) / max(MAD, 1) of the group's figures: at
-- least min_value people and a score of at least min_score flags him.
--
-- The group's figures for a look at t are taken at the boundary B (a
-- multiple of every: midnight UTC for a day) at or before t, from everyone
-- serving in each role at B - 1 day (the engine's peer lag), with their
-- count over the window ending then (0 with no looks); and only once
-- B - 1 day is a full window after the rule's first look.

-- The looks the rule counts, with the staff member's role at the time.
CREATE TEMP TABLE trawl_look AS
SELECT e.seq, e.staff_id, e.at, e.person_id, e.role
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "looked"}}
  AND {{template "vulnerable_subject"}}
  AND {{template "woman"}}
  AND {{template "no_purpose"}}
  AND NOT {{template "street_check"}}
  AND NOT {{template "live_incident_context"}};

-- The members of each peer group at each boundary the looks need.
CREATE TEMP TABLE trawl_probe AS
WITH first_look AS (SELECT min(at) AS at FROM trawl_look),
boundary AS (SELECT DISTINCT {{floor "at" .Peer.Every}} - {{dur "1d"}} AS end_at FROM trawl_look)
SELECT b.end_at, s.staff_id, s.role
FROM boundary b
CROSS JOIN first_look f
JOIN staff_asof s ON s.valid_from <= b.end_at AND b.end_at < s.valid_to
                 AND (s.left_at IS NULL OR b.end_at < s.left_at)
WHERE b.end_at >= f.at + {{dur .Window.Over}};

-- The distinct count over a sliding window as a running sum: each look at a
-- person counts her from its time until the window has passed it or her
-- next look by the same staff member, whichever is first (+1 then, -1
-- after), so the sum of the changes up to any instant is the number of
-- distinct people in the window ending there. The probes (boundaries) ride
-- along with 0.
CREATE TEMP TABLE trawl_count AS
WITH span AS (
  SELECT seq, staff_id, at, role,
         coalesce(lead(at) OVER (PARTITION BY staff_id, person_id ORDER BY at, seq), {{forever}}) AS next_at
  FROM trawl_look
), change AS (
  SELECT staff_id, at, 1 AS d, seq, role, 0 AS probe FROM span
  UNION ALL
  SELECT staff_id, CASE WHEN next_at < at + {{dur .Window.Over}} THEN next_at ELSE at + {{dur .Window.Over}} END,
         -1, NULL, '', 0
  FROM span
  UNION ALL
  SELECT staff_id, end_at, 0, NULL, role, 1 FROM trawl_probe
)
SELECT * FROM (
  SELECT staff_id, at, d, seq, role, probe,
         sum(d) OVER (PARTITION BY staff_id ORDER BY at RANGE UNBOUNDED PRECEDING) AS x
  FROM change) running
WHERE d = 1 OR probe = 1;

CREATE TEMP TABLE peer_member AS
SELECT at AS end_at, role, x FROM trawl_count WHERE probe = 1;

{{template "peer_stats"}};

SELECT staff_id, '' AS key, at, seq,
       {{float .Weight}} * (CASE WHEN z > 99 THEN 99 ELSE z END) / {{float .Peer.MinScore}} AS score
FROM (SELECT c.staff_id, c.at, c.seq, c.x,
             0.6745 * (c.x - s.median) / (CASE WHEN s.mad < 1 THEN 1 ELSE s.mad END) AS z
      FROM trawl_count c
      JOIN peer_stats s ON s.end_at = {{floor "c.at" .Peer.Every}} - {{dur "1d"}} AND s.role = c.role
      WHERE c.probe = 0
        AND c.x >= {{.Peer.MinValue}}
        AND s.n >= 2) scored
WHERE z >= {{float .Peer.MinScore}}
