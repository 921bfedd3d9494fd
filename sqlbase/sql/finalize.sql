-- After the rows are in: the as-of tables the detections join against, each
-- version with the interval [valid_from, valid_to) in which it is the one in
-- force (a type 2 slowly changing dimension), then the indexes and the
-- planner's statistics. Two versions with the same time: the one loaded last
-- wins, and the other gets an empty interval.

CREATE INDEX person_flag_person ON person_flag (person_seq, flag);

CREATE TABLE staff_asof AS
SELECT staff_id, role, area, left_at, at AS valid_from,
       coalesce(lead(at) OVER (PARTITION BY staff_id ORDER BY at, seq), {{forever}}) AS valid_to
FROM staff_version;
CREATE INDEX staff_asof_staff ON staff_asof (staff_id, valid_from);

CREATE TABLE person_asof AS
SELECT p.seq, p.person_id, p.gender, p.birth_year, p.area,
       EXISTS (SELECT 1 FROM person_flag f WHERE f.person_seq = p.seq) AS vulnerable,
       p.at AS valid_from,
       coalesce(lead(p.at) OVER (PARTITION BY p.person_id ORDER BY p.at, p.seq), {{forever}}) AS valid_to
FROM person_version p;
CREATE INDEX person_asof_person ON person_asof (person_id, valid_from);

-- A number belongs to a person from the first version of her record that
-- holds it.
CREATE TABLE phone_link AS
SELECT number_hash, person_id, min(at) AS at
FROM person_phone
GROUP BY number_hash, person_id;
CREATE INDEX phone_link_number ON phone_link (number_hash, at);

-- An incident's type, area and opening as its latest record gives them.
CREATE TABLE incident AS
SELECT incident_id, type, area, opened_at
FROM (SELECT v.*, row_number() OVER (PARTITION BY incident_id ORDER BY seq DESC) AS n
      FROM incident_version v) latest
WHERE n = 1;
CREATE UNIQUE INDEX incident_pk ON incident (incident_id);

-- The status history: every record opens the incident at opened_at and sets
-- its status at status_at.
CREATE TABLE incident_status AS
WITH change AS (
  SELECT incident_id, opened_at AS at, TRUE AS is_open, 2 * seq AS ord FROM incident_version
  UNION ALL
  SELECT incident_id, status_at, status = 'open', 2 * seq + 1 FROM incident_version
  WHERE status_at <> opened_at OR status = 'closed'
), latest AS (
  SELECT incident_id, at, is_open,
         row_number() OVER (PARTITION BY incident_id, at ORDER BY ord DESC) AS n
  FROM change
)
SELECT incident_id, is_open, at AS valid_from,
       coalesce(lead(at) OVER (PARTITION BY incident_id ORDER BY at), {{forever}}) AS valid_to
FROM latest
WHERE n = 1;
CREATE INDEX incident_status_incident ON incident_status (incident_id, valid_from);

CREATE INDEX involvement_person ON involvement (person_id, incident_id);

-- One row per assignment: a record sent again (with its end, say) replaces
-- the earlier one.
CREATE TABLE assignment AS
SELECT staff_id, incident_id, kind = 'attended' AS attended, at, until_at
FROM (SELECT a.*, row_number() OVER (PARTITION BY staff_id, incident_id, kind, at ORDER BY seq DESC) AS n
      FROM assignment_record a) latest
WHERE n = 1;
CREATE INDEX assignment_incident ON assignment (incident_id, staff_id);

CREATE INDEX shift_staff ON shift (staff_id, start_at);
CREATE INDEX access_field_access ON access_field (access_seq);

{{analyze "staff_asof" "person_asof" "person_flag" "phone_link" "incident" "incident_status" "involvement" "assignment" "shift" "access_event" "access_field" "comms_event"}};
