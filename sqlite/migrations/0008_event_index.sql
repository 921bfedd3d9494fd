-- The event index: the access and communications events of the event log
-- that the workspace shows as evidence and as who looked at a person, each
-- with the verdict on its policing purpose. It is rebuilt by replaying the
-- log and purged with the log's retention.

CREATE TABLE event_index (
	id             TEXT    NOT NULL PRIMARY KEY,
	kind           TEXT    NOT NULL CHECK (kind IN ('access', 'comms')),
	time           INTEGER NOT NULL,
	staff_id       TEXT    NOT NULL,
	system         TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	person_id      TEXT    NOT NULL DEFAULT '',
	incident_id    TEXT    NOT NULL DEFAULT '',
	fields         TEXT    NOT NULL DEFAULT '[]',
	query          TEXT    NOT NULL DEFAULT '',
	workstation    TEXT    NOT NULL DEFAULT '',
	duration       INTEGER NOT NULL DEFAULT 0 CHECK (duration >= 0),
	purpose        TEXT    NOT NULL CHECK (purpose IN ('yes', 'no', 'unknown')),
	purpose_reason TEXT    NOT NULL DEFAULT '',
	seq            INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0)
) STRICT;

CREATE INDEX event_index_person ON event_index (person_id, time DESC, id) WHERE person_id <> '';
CREATE INDEX event_index_staff ON event_index (staff_id, time, id);
CREATE INDEX event_index_time ON event_index (time);
