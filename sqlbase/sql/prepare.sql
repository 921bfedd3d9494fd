-- What every detection asks of the reference data about an event, worked
-- out once per event before the rules run, as the engine's guards and
-- remembered answers do once per event.

-- event_fact: every access and comms event, a comms event with the person
-- whose records held the number at the time (the first by id if several
-- did), and the staff member's and the person's records as of the event.
CREATE TEMP TABLE event_fact AS
WITH ev AS (
  SELECT seq, 'access' AS kind, staff_id, at, action, person_id, incident_id, query, '' AS direction
  FROM access_event
  UNION ALL
  SELECT c.seq, 'comms', c.staff_id, c.at, '',
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
       coalesce(p.birth_year, 0) AS birth_year,
       coalesce(p.area, '') AS person_area
FROM ev e
LEFT JOIN staff_asof s ON s.staff_id = e.staff_id AND s.valid_from <= e.at AND e.at < s.valid_to
LEFT JOIN person_asof p ON p.person_id = e.person_id AND p.valid_from <= e.at AND e.at < p.valid_to;

-- event_link: for each event about a vulnerable person, and each comms event
-- with a known person, the incidents that link the staff member and the
-- person as of the event (an assignment or attendance and an involvement,
-- both recorded by then): whether he attended, whether his tasking was
-- still running (no until, or until not before the event), and the
-- incident's status then (NULL when it had not opened or is unknown). The
-- context functions linked, attended, open_case_with and closed_case are
-- questions about these rows (see macros.sql).
CREATE TEMP TABLE event_link AS
SELECT e.seq AS event_seq, v.incident_id,
       max(CASE WHEN a.attended THEN 1 ELSE 0 END) AS attended,
       max(CASE WHEN a.until_at IS NULL OR a.until_at >= e.at THEN 1 ELSE 0 END) AS tasked,
       st.is_open, st.valid_from AS status_at
FROM event_fact e
JOIN involvement v ON v.person_id = e.person_id AND v.at <= e.at
JOIN assignment a ON a.incident_id = v.incident_id AND a.staff_id = e.staff_id AND a.at <= e.at
LEFT JOIN incident_status st ON st.incident_id = v.incident_id AND st.valid_from <= e.at AND e.at < st.valid_to
WHERE e.person_id <> '' AND (e.vulnerable OR e.kind = 'comms')
GROUP BY e.seq, v.incident_id, st.is_open, st.valid_from;
CREATE INDEX event_link_event ON event_link (event_seq);

{{analyze "event_fact" "event_link"}};
