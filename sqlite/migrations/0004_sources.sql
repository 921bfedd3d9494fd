-- Systems allowed to send records through the API. Only a SHA-256 hash of
-- each bearer token is kept. A name and a token hash belong to one source for
-- good, even after it is disabled.

CREATE TABLE sources (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	name        TEXT    NOT NULL UNIQUE,
	token_hash  BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	created_at  INTEGER NOT NULL,
	disabled_at INTEGER
) STRICT;
