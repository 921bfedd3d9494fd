-- corroborated_concern: the signal rules' alerts about one staff member
-- added up, at each event that raised or extended one of them.
--
-- The alerts: a match of a signal rule opens a new alert for its rule,
-- staff member and key when it comes more than the rule's dedupe interval
-- after the previous match for them, and extends the open one otherwise;
-- an alert's score is the highest of its matches' so far and its last
-- evidence its latest match. Each match is one update of its alert, in
-- force from its event until the alert's next update (in load order, the
-- order the engine judges in). Only staff members with signals from at
-- least min_rules rules in all can reach the threshold at any time.
CREATE TEMP TABLE corr_update AS
WITH signal_rule (rule, dedupe) AS ({{signals .}}),
candidate AS (
  SELECT m.staff_id
  FROM rule_match m
  JOIN signal_rule r ON r.rule = m.rule
  GROUP BY m.staff_id
  HAVING count(DISTINCT m.rule) >= {{.Corroborate.MinRules}}
), m AS (
  SELECT m.rule, m.staff_id, m.key, m.at, m.seq, m.score,
         CASE WHEN lag(m.at) OVER w IS NULL OR m.at - lag(m.at) OVER w > r.dedupe THEN 1 ELSE 0 END AS opens
  FROM rule_match m
  JOIN signal_rule r ON r.rule = m.rule
  JOIN candidate c ON c.staff_id = m.staff_id
  WINDOW w AS (PARTITION BY m.rule, m.staff_id, m.key ORDER BY m.seq)
), numbered AS (
  SELECT m.*, sum(opens) OVER (PARTITION BY rule, staff_id, key ORDER BY seq ROWS UNBOUNDED PRECEDING) AS alert
  FROM m
)
SELECT rule, staff_id, key, alert, at, seq,
       max(score) OVER (PARTITION BY rule, staff_id, key, alert ORDER BY seq ROWS UNBOUNDED PRECEDING) AS score,
       coalesce(lead(seq) OVER (PARTITION BY rule, staff_id, key, alert ORDER BY seq), {{forever}}) AS next_seq
FROM numbered;
CREATE INDEX corr_update_staff ON corr_update (staff_id, seq);
{{analyze "corr_update"}};

-- At each event that updated an alert, every alert of the staff member in
-- its latest state whose last evidence is no more than over before the
-- event, its score halved every half_life since; within one rule the
-- largest counts in full, the next half, the next a quarter, and so on.
-- The total must reach the threshold, from at least min_rules rules.
WITH point AS (
  SELECT DISTINCT staff_id, at, seq FROM corr_update
), part AS (
  SELECT p.staff_id, p.at, p.seq, u.rule,
         {{if .Corroborate.HalfLife}}u.score * {{pow2 (printf "(-1.0 * (p.at - u.at) / %s)" (dur .Corroborate.HalfLife))}}{{else}}u.score{{end}} AS decayed
  FROM point p
  JOIN corr_update u ON u.staff_id = p.staff_id AND u.seq <= p.seq AND p.seq < u.next_seq
                    AND u.at >= p.at - {{dur .Corroborate.Over}}
), halved AS (
  SELECT staff_id, at, seq, rule,
         decayed * {{pow2 "(1 - row_number() OVER (PARTITION BY staff_id, seq, rule ORDER BY decayed DESC))"}} AS v
  FROM part
)
SELECT staff_id, '' AS key, at, seq, {{float .Weight}} * sum(v) / {{float .Corroborate.Threshold}} AS score
FROM halved
GROUP BY staff_id, at, seq
HAVING sum(v) >= {{float .Corroborate.Threshold}} AND count(DISTINCT rule) >= {{.Corroborate.MinRules}}
