-- Alerts: the detection engine's findings and the unit's handling of them.
--
-- The finding columns are rewritten each time the engine saves the alert
-- again (a replay of the event log saves every alert again); state,
-- state_reason, state_by, state_at and raised_at are written once on insert
-- and then only by a change of state, so analysts' decisions survive a replay.
--
-- staff_id does not reference staff: alerts are a projection of the event
-- log, and the engine may save one before the store has applied the staff
-- record it was accepted against. evidence_ids is a JSON array of event ids,
-- in the order found. signal is 0 or 1.

CREATE TABLE alerts (
	id             TEXT    NOT NULL PRIMARY KEY,
	rule           TEXT    NOT NULL,
	staff_id       TEXT    NOT NULL,
	key            TEXT    NOT NULL DEFAULT '',
	severity       TEXT    NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
	score          REAL    NOT NULL,
	signal         INTEGER NOT NULL CHECK (signal IN (0, 1)),
	first_evidence INTEGER NOT NULL,
	last_evidence  INTEGER NOT NULL,
	evidence_ids   TEXT    NOT NULL DEFAULT '[]',
	matches        INTEGER NOT NULL,
	explanation    TEXT    NOT NULL,
	state          TEXT    NOT NULL CHECK (state IN ('new', 'triaged', 'dismissed', 'escalated')),
	state_reason   TEXT    NOT NULL DEFAULT '',
	state_by       TEXT    NOT NULL DEFAULT '',
	state_at       INTEGER,
	raised_at      INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;

-- A member of staff's timeline, and their alerts by evidence time.
CREATE INDEX alerts_staff ON alerts (staff_id, last_evidence);
-- A rule's alerts by state; also answers AlertCounts from the index alone.
CREATE INDEX alerts_rule ON alerts (rule, state, signal);
-- Every alert about one person, incident or number.
CREATE INDEX alerts_key ON alerts (key);
-- The unit's queue: open alerts that are not signals, highest score first.
CREATE INDEX alerts_queue ON alerts (state, signal, score DESC);
-- Alerts across the force by evidence time.
CREATE INDEX alerts_last_evidence ON alerts (last_evidence);
