-- Files a partner sends with a referral: the original as evidence and,
-- where metadata can be stripped, a sanitised copy, linked by SHA-256.

CREATE TABLE referral_attachments (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	referral_id      bigint  NOT NULL REFERENCES referrals (id),
	by_user          text    NOT NULL,
	at               timestamptz NOT NULL,
	name             text    NOT NULL,
	content_type     text    NOT NULL,
	size             bigint  NOT NULL,
	sha256           text    NOT NULL,
	sanitised_type   text    NOT NULL DEFAULT '',
	sanitised_size   bigint  NOT NULL DEFAULT 0,
	sanitised_sha256 text    NOT NULL DEFAULT '',
	not_sanitised    text    NOT NULL DEFAULT '',
	original         bytea   NOT NULL,
	sanitised        bytea
);

CREATE INDEX referral_attachments_by_referral ON referral_attachments (referral_id, id);
