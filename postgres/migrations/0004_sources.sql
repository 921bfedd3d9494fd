-- Systems allowed to send records through the API. Only a SHA-256 hash of
-- each bearer token is kept. A name and a token hash belong to one source for
-- good, even after it is disabled. Names use the "C" collation so that
-- FindSources lists them in byte order, as the SQLite store does.

CREATE TABLE sources (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name        text COLLATE "C" NOT NULL UNIQUE,
	token_hash  bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	created_at  timestamptz NOT NULL,
	disabled_at timestamptz
);
