-- What each API token may do, and how far each detection monitor has got
-- through the event log.

ALTER TABLE sources ADD COLUMN scope TEXT NOT NULL DEFAULT 'ingest' CHECK (scope IN ('ingest', 'alerts'));

CREATE TABLE monitor_progress (
	owner      TEXT    NOT NULL PRIMARY KEY,
	seq        INTEGER NOT NULL CHECK (seq >= 0),
	updated_at INTEGER NOT NULL
) STRICT;
