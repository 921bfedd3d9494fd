-- Rows intake rejected, kept until they are repaired and retried or resolved.
--
-- raw is the row as received, sealed by intake, and kept byte for byte.
-- AUTOINCREMENT because operators name rows by id: an id is never reused.

CREATE TABLE rejections (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	source      TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	format      TEXT    NOT NULL,
	line        INTEGER NOT NULL,
	field       TEXT    NOT NULL DEFAULT '',
	reason      TEXT    NOT NULL,
	raw         BLOB    NOT NULL,
	state       TEXT    NOT NULL CHECK (state IN ('open', 'retried', 'resolved')),
	received_at INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

-- Each index ends, implicitly, in the rowid, so a filtered list comes out in
-- id order without sorting.
CREATE INDEX rejections_state ON rejections (state);
CREATE INDEX rejections_source ON rejections (source);
CREATE INDEX rejections_kind ON rejections (kind);
