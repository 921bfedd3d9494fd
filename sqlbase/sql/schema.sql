-- The tables Load fills, one per kind of record, plus child tables for the
-- lists a record carries. Times are BIGINT microseconds since 1970-01-01 UTC
-- in both dialects, so that every comparison and interval is integer
-- arithmetic written the same way for SQLite and PostgreSQL. Absent text is
-- '' (as the rules see it), absent times NULL. seq is the record's place in
-- the load: it orders two versions with the same time as the engine's World
-- does (the one applied last wins) and identifies events across both kinds.
-- Indexes are created after the rows are in (finalize.sql).

CREATE TABLE staff_version (
  seq        BIGINT NOT NULL,
  staff_id   TEXT   NOT NULL,
  at         BIGINT NOT NULL, -- when this version takes effect
  category   TEXT   NOT NULL,
  role       TEXT   NOT NULL,
  team       TEXT   NOT NULL,
  station    TEXT   NOT NULL,
  area       TEXT   NOT NULL,
  gender     TEXT   NOT NULL,
  start_at   BIGINT NOT NULL,
  left_at    BIGINT
);

CREATE TABLE person_version (
  seq        BIGINT  NOT NULL,
  person_id  TEXT    NOT NULL,
  at         BIGINT  NOT NULL,
  gender     TEXT    NOT NULL,
  birth_year INTEGER NOT NULL, -- 0 when unknown
  area       TEXT    NOT NULL
);

-- The vulnerability flags of one version of a person.
CREATE TABLE person_flag (
  person_seq BIGINT NOT NULL,
  flag       TEXT   NOT NULL
);

-- The phone numbers (keyed hashes) of one version of a person.
CREATE TABLE person_phone (
  person_seq  BIGINT NOT NULL,
  person_id   TEXT   NOT NULL,
  at          BIGINT NOT NULL,
  number_hash TEXT   NOT NULL
);

CREATE TABLE incident_version (
  seq         BIGINT NOT NULL,
  incident_id TEXT   NOT NULL,
  type        TEXT   NOT NULL,
  status      TEXT   NOT NULL, -- open or closed, since status_at
  opened_at   BIGINT NOT NULL,
  closed_at   BIGINT,
  status_at   BIGINT NOT NULL,
  area        TEXT   NOT NULL
);

CREATE TABLE involvement (
  incident_id TEXT   NOT NULL,
  person_id   TEXT   NOT NULL,
  part        TEXT   NOT NULL,
  at          BIGINT NOT NULL
);

CREATE TABLE assignment_record (
  seq         BIGINT NOT NULL,
  incident_id TEXT   NOT NULL,
  staff_id    TEXT   NOT NULL,
  kind        TEXT   NOT NULL, -- assigned or attended
  at          BIGINT NOT NULL,
  until_at    BIGINT           -- NULL while the tasking goes on
);

-- seq orders the roster against the events: the engine knows a roster
-- entry from the record that brings it, however far ahead it lies.
CREATE TABLE shift (
  seq      BIGINT NOT NULL,
  staff_id TEXT   NOT NULL,
  kind     TEXT   NOT NULL, -- duty, training, court, leave or sick
  start_at BIGINT NOT NULL,
  end_at   BIGINT NOT NULL
);

CREATE TABLE access_event (
  seq         BIGINT NOT NULL,
  id          TEXT   NOT NULL,
  staff_id    TEXT   NOT NULL,
  at          BIGINT NOT NULL,
  system      TEXT   NOT NULL,
  action      TEXT   NOT NULL,
  person_id   TEXT   NOT NULL,
  incident_id TEXT   NOT NULL,
  query       TEXT   NOT NULL,
  workstation TEXT   NOT NULL,
  location    TEXT   NOT NULL
);

-- The parts of the record an access event touched.
CREATE TABLE access_field (
  access_seq BIGINT NOT NULL,
  field      TEXT   NOT NULL
);

CREATE TABLE comms_event (
  seq         BIGINT  NOT NULL,
  id          TEXT    NOT NULL,
  staff_id    TEXT    NOT NULL,
  at          BIGINT  NOT NULL,
  device      TEXT    NOT NULL,
  direction   TEXT    NOT NULL,
  channel     TEXT    NOT NULL, -- call, sms or app
  number_hash TEXT    NOT NULL,
  duration_s  INTEGER NOT NULL
);
