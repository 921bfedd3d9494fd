-- Reference data: the workforce, people, incidents and rosters.
--
-- Identifiers use the "C" collation so that ORDER BY id is byte order, as in
-- the SQLite store, whatever the database's default collation. Optional text
-- is stored as '' rather than NULL.

CREATE TABLE staff (
	id            text COLLATE "C" NOT NULL PRIMARY KEY,
	collar_number text        NOT NULL DEFAULT '',
	name          text        NOT NULL DEFAULT '',
	category      text        NOT NULL,
	role          text        NOT NULL,
	rank          text        NOT NULL DEFAULT '',
	team          text        NOT NULL DEFAULT '',
	station       text        NOT NULL DEFAULT '',
	area          text        NOT NULL DEFAULT '',
	gender        text        NOT NULL,
	start_date    timestamptz NOT NULL,
	left_date     timestamptz,
	updated_at    timestamptz NOT NULL
);

CREATE INDEX staff_role_idx ON staff (role);
CREATE INDEX staff_team_idx ON staff (team);
CREATE INDEX staff_area_idx ON staff (area);

-- Flags and phone hashes are sorted, de-duplicated arrays: a person is read
-- and written whole, and GIN indexes answer "who carries this flag" and "who
-- holds this number" with @>.
CREATE TABLE persons (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	gender       text        NOT NULL,
	birth_year   integer     NOT NULL DEFAULT 0,
	area         text        NOT NULL DEFAULT '',
	flags        text[]      NOT NULL DEFAULT '{}',
	phone_hashes text[]      NOT NULL DEFAULT '{}',
	updated_at   timestamptz NOT NULL
);

CREATE INDEX persons_flags_idx ON persons USING gin (flags);
CREATE INDEX persons_phone_hashes_idx ON persons USING gin (phone_hashes);

CREATE TABLE incidents (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	type       text        NOT NULL,
	status     text        NOT NULL CHECK (status IN ('open', 'closed')),
	opened_at  timestamptz NOT NULL,
	closed_at  timestamptz,
	area       text        NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL
);

CREATE INDEX incidents_type_idx ON incidents (type);
CREATE INDEX incidents_status_idx ON incidents (status);

-- seq orders changes recorded at the same instant: the later recording wins.
CREATE TABLE incident_status_changes (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	status      text        NOT NULL CHECK (status IN ('open', 'closed')),
	at          timestamptz NOT NULL,
	UNIQUE (incident_id, at, status)
);

CREATE TABLE involvements (
	incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	person_id   text COLLATE "C" NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	part        text        NOT NULL,
	at          timestamptz NOT NULL,
	PRIMARY KEY (incident_id, person_id, part)
);

CREATE INDEX involvements_person_idx ON involvements (person_id, incident_id);

CREATE TABLE assignments (
	incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	staff_id    text COLLATE "C" NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	kind        text        NOT NULL,
	at          timestamptz NOT NULL,
	until       timestamptz,
	PRIMARY KEY (incident_id, staff_id, kind, at)
);

CREATE INDEX assignments_staff_idx ON assignments (staff_id, incident_id);

CREATE TABLE shifts (
	staff_id text COLLATE "C" NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	kind     text        NOT NULL,
	start_at timestamptz NOT NULL,
	end_at   timestamptz NOT NULL,
	PRIMARY KEY (staff_id, kind, start_at)
);

CREATE INDEX shifts_staff_start_idx ON shifts (staff_id, start_at);
CREATE INDEX shifts_start_idx ON shifts (start_at);
