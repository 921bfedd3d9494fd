-- The workspace's users, their sessions, the staff locked out by an open
-- case, and the hash-chained audit trail of the system's own use.

CREATE TABLE users (
	id              text        NOT NULL PRIMARY KEY,
	username        text        NOT NULL UNIQUE,
	name            text        NOT NULL,
	role            text        NOT NULL,
	staff_id        text        NOT NULL,
	disabled        boolean     NOT NULL,
	password_hash   text        NOT NULL,
	totp_secret     text        NOT NULL,
	totp_last_step  bigint      NOT NULL,
	oidc_subject    text        UNIQUE,
	failed_sign_ins integer     NOT NULL CHECK (failed_sign_ins >= 0),
	locked_until    timestamptz,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);

CREATE TABLE sessions (
	id           text        NOT NULL PRIMARY KEY,
	token_hash   bytea       NOT NULL UNIQUE,
	user_id      text        NOT NULL REFERENCES users (id),
	created_at   timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE staff_restrictions (
	staff_id   text        NOT NULL PRIMARY KEY,
	created_by text        NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE audit_trail (
	seq       bigint      NOT NULL PRIMARY KEY,
	at        timestamptz NOT NULL,
	user_id   text        NOT NULL,
	role      text        NOT NULL,
	action    text        NOT NULL,
	object    text        NOT NULL,
	outcome   text        NOT NULL,
	detail    text        NOT NULL,
	prev_hash text        NOT NULL,
	hash      text        NOT NULL
);

CREATE INDEX audit_trail_user ON audit_trail (user_id, seq);
CREATE INDEX audit_trail_object ON audit_trail (object, seq);
CREATE INDEX audit_trail_at ON audit_trail (at);

-- The trail is append-only: the database itself refuses to change, delete
-- or truncate an entry. Whoever can drop these triggers can still tamper,
-- which is what the hash chain and 'lantern audit verify' are for.
CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;

CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON audit_trail
	FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only();

CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail
	FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only();
