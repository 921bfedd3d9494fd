-- The reporting channel, the partner portal and the intelligence log.
-- Everything a reporter writes is stored sealed (BLOB columns); only the
-- metadata the unit needs to manage reports is in clear.

CREATE TABLE reports (
	id             TEXT    NOT NULL PRIMARY KEY,
	kind           TEXT    NOT NULL CHECK (kind IN ('anonymous', 'confidential')),
	status         TEXT    NOT NULL CHECK (status IN ('received', 'in_review', 'actioned', 'closed')),
	status_reason  TEXT    NOT NULL DEFAULT '',
	status_by      TEXT    NOT NULL DEFAULT '',
	status_at      INTEGER,
	received_at    INTEGER NOT NULL,
	reporter_at    INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	answers        BLOB    NOT NULL,
	identity       BLOB,
	receipt_lookup BLOB    NOT NULL UNIQUE,
	receipt_key    BLOB    NOT NULL
) STRICT;

CREATE INDEX reports_by_received ON reports (received_at DESC, id);
CREATE INDEX reports_by_status ON reports (status, received_at DESC);

CREATE TABLE report_messages (
	id        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	report_id TEXT    NOT NULL REFERENCES reports (id),
	sender    TEXT    NOT NULL CHECK (sender IN ('unit', 'reporter')),
	by_user   TEXT    NOT NULL,
	at        INTEGER NOT NULL,
	body      BLOB    NOT NULL
) STRICT;

CREATE INDEX report_messages_by_report ON report_messages (report_id, id);

CREATE TABLE report_attachments (
	id        TEXT    NOT NULL PRIMARY KEY,
	report_id TEXT    NOT NULL REFERENCES reports (id),
	at        INTEGER NOT NULL,
	meta      BLOB    NOT NULL,
	original  BLOB    NOT NULL,
	sanitised BLOB
) STRICT;

CREATE INDEX report_attachments_by_report ON report_attachments (report_id, at, id);

CREATE TABLE report_keys (
	report_id    TEXT    NOT NULL REFERENCES reports (id),
	recipient_id TEXT    NOT NULL,
	purpose      TEXT    NOT NULL CHECK (purpose IN ('content', 'identity')),
	wrapped      BLOB    NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (report_id, recipient_id, purpose)
) STRICT;

CREATE INDEX report_keys_by_recipient ON report_keys (recipient_id, purpose, report_id);

CREATE TABLE key_recipients (
	user_id          TEXT    NOT NULL PRIMARY KEY,
	role             TEXT    NOT NULL,
	public_key       TEXT    NOT NULL,
	wrapped_identity BLOB    NOT NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE report_disclosures (
	id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	report_id    TEXT    NOT NULL REFERENCES reports (id),
	requested_by TEXT    NOT NULL,
	reason       TEXT    NOT NULL,
	requested_at INTEGER NOT NULL,
	state        TEXT    NOT NULL CHECK (state IN ('requested', 'approved', 'refused')),
	decided_by   TEXT    NOT NULL DEFAULT '',
	decided_at   INTEGER,
	note         TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX report_disclosures_by_report ON report_disclosures (report_id, id);

CREATE TABLE referrals (
	id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	partner        TEXT    NOT NULL,
	submitted_by   TEXT    NOT NULL,
	concern        TEXT    NOT NULL,
	officer_name   TEXT    NOT NULL,
	collar_number  TEXT    NOT NULL,
	force          TEXT    NOT NULL,
	vehicle        TEXT    NOT NULL,
	description    TEXT    NOT NULL,
	victim_consent TEXT    NOT NULL CHECK (victim_consent IN ('given', 'refused', 'not_asked')),
	safeguarding   TEXT    NOT NULL CHECK (safeguarding IN ('in_place', 'needed', 'not_known')),
	status         TEXT    NOT NULL,
	status_by      TEXT    NOT NULL DEFAULT '',
	status_at      INTEGER,
	feedback       TEXT    NOT NULL DEFAULT '',
	submitted_at   INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX referrals_by_partner ON referrals (partner, id DESC);

CREATE TABLE referral_messages (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	sender      TEXT    NOT NULL CHECK (sender IN ('unit', 'partner')),
	by_user     TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	body        TEXT    NOT NULL
) STRICT;

CREATE INDEX referral_messages_by_referral ON referral_messages (referral_id, id);

CREATE TABLE intel_items (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	source      TEXT    NOT NULL,
	source_ref  TEXT    NOT NULL,
	summary     TEXT    NOT NULL,
	sanitised   TEXT    NOT NULL,
	state       TEXT    NOT NULL CHECK (state IN ('ungraded', 'graded', 'shared')),
	grade       TEXT,
	graded_by   TEXT    NOT NULL DEFAULT '',
	graded_at   INTEGER,
	shared_with TEXT    NOT NULL DEFAULT '',
	shared_by   TEXT    NOT NULL DEFAULT '',
	shared_at   INTEGER,
	staff_id    TEXT    NOT NULL DEFAULT '',
	linked_by   TEXT    NOT NULL DEFAULT '',
	linked_at   INTEGER,
	created_by  TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX intel_items_by_staff ON intel_items (staff_id, id DESC) WHERE staff_id <> '';
CREATE INDEX intel_items_by_source ON intel_items (source_ref, id DESC);
