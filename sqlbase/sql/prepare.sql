-- What every detection asks of the reference data about an event, worked
-- out once per event before the rules run, as the engine's guards and
-- remembered answers are once per event.

-- event_base: every access and comms event, a comms event with the person
-- whose records held the number at the time (the first by id if several
-- did), and the staff member's and the person's records as of the event.
CREATE TEMP TABLE event_base AS
WITH ev AS (
  SELECT seq, 'access' AS kind, staff_id, at, system, action, person_id, incident_id, query, '' AS direction
  FROM access_event
  UNION ALL
  SELECT c.seq, 'comms', c.staff_id, c.at, '', '',
         coalesce((SELECT min(l.person_id) FROM phone_link l
                   WHERE l.number_hash = c.number_hash AND l.at <= c.at), ''),
         '', '', c.direction
  FROM comms_event c
)
SELECT e.*,
       coalesce(s.role, '') AS role,
       coalesce(s.area, '') AS staff_area,
       p.seq AS person_seq,
       coalesce(p.vulnerable, FALSE) AS vulnerable,
       coalesce(p.gender, '') AS gender,
       CASE WHEN p.birth_year > 0 THEN {{year "e.at"}} - p.birth_year ELSE -1 END AS age,
       coalesce(p.area, '') AS person_area
FROM ev e
LEFT JOIN staff_asof s ON s.staff_id = e.staff_id AND s.valid_from <= e.at AND e.at < s.valid_to
LEFT JOIN person_asof p ON p.person_id = e.person_id AND p.valid_from <= e.at AND e.at < p.valid_to;

-- event_link: for each event about a vulnerable person (every rule that
-- asks about links asks only about them), the incidents that link the
-- staff member and the person as of the event (an assignment or attendance
-- and an involvement, both recorded by then): whether he attended and when
-- he last arrived, whether his tasking was still running (no until, or
-- until not before the event), and the incident's status then (NULL when it
-- had not opened or is unknown).
CREATE TEMP TABLE event_link AS
SELECT e.seq AS event_seq, v.incident_id,
       max(CASE WHEN a.attended THEN 1 ELSE 0 END) AS attended,
       max(CASE WHEN a.attended THEN a.at END) AS attended_at,
       max(CASE WHEN a.until_at IS NULL OR a.until_at >= e.at THEN 1 ELSE 0 END) AS tasked,
       st.is_open, st.valid_from AS status_at
FROM event_base e
JOIN involvement v ON v.person_id = e.person_id AND v.at <= e.at
JOIN assignment a ON a.incident_id = v.incident_id AND a.staff_id = e.staff_id AND a.at <= e.at
LEFT JOIN incident_status st ON st.incident_id = v.incident_id AND st.valid_from <= e.at AND e.at < st.valid_to
WHERE e.person_id <> '' AND e.vulnerable
GROUP BY e.seq, v.incident_id, st.is_open, st.valid_from;
CREATE INDEX event_link_event ON event_link (event_seq);

-- event_fact: event_base with the answers of the context functions about
-- the links (linked, attended, days_since_attended, open_case_with and
-- closed_case: any linking incident open, and the latest closure), about
-- the incident the event names (its record, linked_incident, involved,
-- case_open), and which fields it touched.
CREATE TEMP TABLE event_fact AS
WITH link AS (
  SELECT event_seq,
         max(attended) AS attended,
         max(attended_at) AS attended_at,
         max(CASE WHEN tasked = 1 AND is_open THEN 1 ELSE 0 END) AS open_case,
         max(CASE WHEN is_open THEN 1 ELSE 0 END) AS any_open,
         max(CASE WHEN NOT is_open THEN status_at END) AS closed_at
  FROM event_link
  GROUP BY event_seq
)
SELECT e.*,
       l.event_seq IS NOT NULL AS linked,
       coalesce(l.attended = 1, FALSE) AS attended,
       l.attended_at,
       coalesce(l.open_case = 1, FALSE) AS open_case,
       coalesce(l.any_open = 1, FALSE) AS any_open,
       l.closed_at,
       coalesce(i.type, '') AS incident_type,
       coalesce(i.area, '') AS incident_area,
       i.opened_at AS incident_opened_at,
       (e.incident_id <> '' AND EXISTS (
          SELECT 1 FROM assignment a
          WHERE a.incident_id = e.incident_id AND a.staff_id = e.staff_id AND a.at <= e.at)) AS linked_incident,
       (e.incident_id <> '' AND e.person_id <> '' AND EXISTS (
          SELECT 1 FROM involvement v
          WHERE v.person_id = e.person_id AND v.incident_id = e.incident_id AND v.at <= e.at)) AS involved,
       (e.incident_id <> '' AND EXISTS (
          SELECT 1 FROM incident_status st
          WHERE st.incident_id = e.incident_id AND st.valid_from <= e.at AND e.at < st.valid_to AND st.is_open)) AS case_open,
       (e.vulnerable AND EXISTS (
          SELECT 1 FROM access_field f
          WHERE f.access_seq = e.seq AND f.field IN {{list "contact_fields"}})) AS touched_contact,
       (e.vulnerable AND EXISTS (
          SELECT 1 FROM access_field f
          WHERE f.access_seq = e.seq AND f.field IN {{list "phone_fields"}})) AS touched_phone,
       (e.vulnerable AND EXISTS (
          SELECT 1 FROM access_field f
          WHERE f.access_seq = e.seq AND f.field = 'address')) AS touched_address
FROM event_base e
LEFT JOIN link l ON l.event_seq = e.seq
LEFT JOIN incident i ON i.incident_id = e.incident_id AND e.incident_id <> '';

DROP TABLE event_base;

{{analyze "event_fact" "event_link"}};

-- The matches of every rule: Detect adds each rule's here, and the
-- corroboration rules add up the signal rules'.
CREATE TEMP TABLE rule_match (
  rule     TEXT             NOT NULL,
  staff_id TEXT             NOT NULL,
  key      TEXT             NOT NULL,
  at       BIGINT           NOT NULL,
  seq      BIGINT           NOT NULL,
  score    DOUBLE PRECISION NOT NULL
);
