-- Files a partner sends with a referral: the original as evidence and,
-- where metadata can be stripped, a sanitised copy, linked by SHA-256.

CREATE TABLE referral_attachments (
	id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	referral_id      INTEGER NOT NULL REFERENCES referrals (id),
	by_user          TEXT    NOT NULL,
	at               INTEGER NOT NULL,
	name             TEXT    NOT NULL,
	content_type     TEXT    NOT NULL,
	size             INTEGER NOT NULL,
	sha256           TEXT    NOT NULL,
	sanitised_type   TEXT    NOT NULL DEFAULT '',
	sanitised_size   INTEGER NOT NULL DEFAULT 0,
	sanitised_sha256 TEXT    NOT NULL DEFAULT '',
	not_sanitised    TEXT    NOT NULL DEFAULT '',
	original         BLOB    NOT NULL,
	sanitised        BLOB
) STRICT;

CREATE INDEX referral_attachments_by_referral ON referral_attachments (referral_id, id);
