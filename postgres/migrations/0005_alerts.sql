-- Alerts: the detection engine's findings and the unit's handling of them.
--
-- The finding columns are rewritten each time the engine saves the alert
-- again (a replay of the event log saves every alert again); state,
-- state_reason, state_by, state_at and raised_at are written once on insert
-- and then only by a change of state, so analysts' decisions survive a replay.
--
-- staff_id does not reference staff: alerts are a projection of the event
-- log, and the engine may save one before the store has applied the staff
-- record it was accepted against. Identifiers and rule names use the "C"
-- collation so that lists tie-break and AlertCounts orders in byte order, as
-- the SQLite store does.

CREATE TABLE alerts (
	id             text COLLATE "C" NOT NULL PRIMARY KEY,
	rule           text COLLATE "C" NOT NULL,
	staff_id       text COLLATE "C" NOT NULL,
	key            text COLLATE "C" NOT NULL DEFAULT '',
	severity       text             NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
	score          double precision NOT NULL,
	signal         boolean          NOT NULL,
	first_evidence timestamptz      NOT NULL,
	last_evidence  timestamptz      NOT NULL,
	evidence_ids   text[]           NOT NULL DEFAULT '{}',
	matches        bigint           NOT NULL,
	explanation    text             NOT NULL,
	state          text             NOT NULL CHECK (state IN ('new', 'triaged', 'dismissed', 'escalated')),
	state_reason   text             NOT NULL DEFAULT '',
	state_by       text             NOT NULL DEFAULT '',
	state_at       timestamptz,
	raised_at      timestamptz      NOT NULL,
	updated_at     timestamptz      NOT NULL
);

-- A member of staff's timeline, and their alerts by evidence time.
CREATE INDEX alerts_staff_idx ON alerts (staff_id, last_evidence);
-- A rule's alerts by state; AlertCounts may read it alone once vacuumed.
CREATE INDEX alerts_rule_idx ON alerts (rule, state, signal);
-- Every alert about one person, incident or number. A hash index, because a
-- key may be search text longer than a B-tree entry may be; partial, because
-- the many alerts with no key would make one long bucket. FindAlerts adds
-- key <> '' to a search for a key so that the planner can use it.
CREATE INDEX alerts_key_idx ON alerts USING hash (key) WHERE key <> '';
-- The unit's queue: open alerts that are not signals, highest score first.
CREATE INDEX alerts_queue_idx ON alerts (state, signal, score DESC, id);
-- Alerts across the force by evidence time.
CREATE INDEX alerts_last_evidence_idx ON alerts (last_evidence);
