-- The event index: the access and communications events of the event log
-- that the workspace shows as evidence and as who looked at a person, each
-- with the verdict on its policing purpose. It is rebuilt by replaying the
-- log and purged with the log's retention.

CREATE TABLE event_index (
	id             text        NOT NULL PRIMARY KEY,
	kind           text        NOT NULL CHECK (kind IN ('access', 'comms')),
	time           timestamptz NOT NULL,
	staff_id       text        NOT NULL,
	system         text        NOT NULL,
	action         text        NOT NULL,
	person_id      text        NOT NULL DEFAULT '',
	incident_id    text        NOT NULL DEFAULT '',
	fields         text[]      NOT NULL DEFAULT '{}',
	query          text        NOT NULL DEFAULT '',
	workstation    text        NOT NULL DEFAULT '',
	duration       bigint      NOT NULL DEFAULT 0 CHECK (duration >= 0),
	purpose        text        NOT NULL CHECK (purpose IN ('yes', 'no', 'unknown')),
	purpose_reason text        NOT NULL DEFAULT '',
	seq            bigint      NOT NULL DEFAULT 0 CHECK (seq >= 0)
);

CREATE INDEX event_index_person ON event_index (person_id, time DESC, id) WHERE person_id <> '';
CREATE INDEX event_index_staff ON event_index (staff_id, time, id);
CREATE INDEX event_index_time ON event_index (time);
