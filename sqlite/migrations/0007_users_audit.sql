-- The workspace's users, their sessions, the staff locked out by an open
-- case, and the hash-chained audit trail of the system's own use.

CREATE TABLE users (
	id              TEXT    NOT NULL PRIMARY KEY,
	username        TEXT    NOT NULL UNIQUE,
	name            TEXT    NOT NULL,
	role            TEXT    NOT NULL,
	staff_id        TEXT    NOT NULL,
	disabled        INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	password_hash   TEXT    NOT NULL,
	totp_secret     TEXT    NOT NULL,
	totp_last_step  INTEGER NOT NULL,
	oidc_subject    TEXT,
	failed_sign_ins INTEGER NOT NULL CHECK (failed_sign_ins >= 0),
	locked_until    INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE sessions (
	id           TEXT    NOT NULL PRIMARY KEY,
	token_hash   BLOB    NOT NULL UNIQUE,
	user_id      TEXT    NOT NULL REFERENCES users (id),
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE staff_restrictions (
	staff_id   TEXT    NOT NULL PRIMARY KEY,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_trail (
	seq       INTEGER NOT NULL PRIMARY KEY,
	at        INTEGER NOT NULL,
	user_id   TEXT    NOT NULL,
	role      TEXT    NOT NULL,
	action    TEXT    NOT NULL,
	object    TEXT    NOT NULL,
	outcome   TEXT    NOT NULL,
	detail    TEXT    NOT NULL,
	prev_hash TEXT    NOT NULL,
	hash      TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_trail_user ON audit_trail (user_id, seq);
CREATE INDEX audit_trail_object ON audit_trail (object, seq);
CREATE INDEX audit_trail_at ON audit_trail (at);

-- The trail is append-only: the database itself refuses to change or
-- delete an entry. Whoever can drop these triggers can still tamper, which
-- is what the hash chain and 'lantern audit verify' are for.
CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
