-- Reference data: the workforce, people, incidents and rosters.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC. Optional text is
-- stored as '' rather than NULL so that the Go side needs no NullString.

CREATE TABLE staff (
	id            TEXT    NOT NULL PRIMARY KEY,
	collar_number TEXT    NOT NULL DEFAULT '',
	name          TEXT    NOT NULL DEFAULT '',
	category      TEXT    NOT NULL,
	role          TEXT    NOT NULL,
	rank          TEXT    NOT NULL DEFAULT '',
	team          TEXT    NOT NULL DEFAULT '',
	station       TEXT    NOT NULL DEFAULT '',
	area          TEXT    NOT NULL DEFAULT '',
	gender        TEXT    NOT NULL,
	start_date    INTEGER NOT NULL,
	left_date     INTEGER,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX staff_role ON staff (role);
CREATE INDEX staff_team ON staff (team);
CREATE INDEX staff_area ON staff (area);

CREATE TABLE persons (
	id         TEXT    NOT NULL PRIMARY KEY,
	gender     TEXT    NOT NULL,
	birth_year INTEGER NOT NULL DEFAULT 0,
	area       TEXT    NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE person_flags (
	person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	flag      TEXT NOT NULL,
	PRIMARY KEY (person_id, flag)
) STRICT, WITHOUT ROWID;

CREATE INDEX person_flags_flag ON person_flags (flag, person_id);

CREATE TABLE person_phone_hashes (
	person_id  TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	phone_hash TEXT NOT NULL,
	PRIMARY KEY (person_id, phone_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX person_phone_hashes_hash ON person_phone_hashes (phone_hash, person_id);

CREATE TABLE incidents (
	id         TEXT    NOT NULL PRIMARY KEY,
	type       TEXT    NOT NULL,
	status     TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
	opened_at  INTEGER NOT NULL,
	closed_at  INTEGER,
	area       TEXT    NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX incidents_type ON incidents (type);
CREATE INDEX incidents_status ON incidents (status);

-- seq orders changes recorded at the same instant: the later recording wins.
CREATE TABLE incident_status_changes (
	seq         INTEGER NOT NULL PRIMARY KEY,
	incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
	at          INTEGER NOT NULL,
	UNIQUE (incident_id, at, status)
) STRICT;

CREATE TABLE involvements (
	incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	person_id   TEXT    NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	part        TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (incident_id, person_id, part)
) STRICT, WITHOUT ROWID;

CREATE INDEX involvements_person ON involvements (person_id, incident_id);

CREATE TABLE assignments (
	incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	staff_id    TEXT    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	kind        TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	until       INTEGER,
	PRIMARY KEY (incident_id, staff_id, kind, at)
) STRICT, WITHOUT ROWID;

CREATE INDEX assignments_staff ON assignments (staff_id, incident_id);

CREATE TABLE shifts (
	staff_id TEXT    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	kind     TEXT    NOT NULL,
	start_at INTEGER NOT NULL,
	end_at   INTEGER NOT NULL,
	PRIMARY KEY (staff_id, kind, start_at)
) STRICT, WITHOUT ROWID;

CREATE INDEX shifts_staff_start ON shifts (staff_id, start_at);
CREATE INDEX shifts_start ON shifts (start_at);
