-- The reporting channel, the partner portal and the intelligence log.
-- Everything a reporter writes is stored sealed (bytea columns); only the
-- metadata the unit needs to manage reports is in clear.

CREATE TABLE reports (
	id             text    NOT NULL PRIMARY KEY,
	kind           text    NOT NULL CHECK (kind IN ('anonymous', 'confidential')),
	status         text    NOT NULL CHECK (status IN ('received', 'in_review', 'actioned', 'closed')),
	status_reason  text    NOT NULL DEFAULT '',
	status_by      text    NOT NULL DEFAULT '',
	status_at      timestamptz,
	received_at    timestamptz NOT NULL,
	reporter_at    timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL,
	answers        bytea    NOT NULL,
	identity       bytea,
	receipt_lookup bytea    NOT NULL UNIQUE,
	receipt_key    bytea    NOT NULL
);

CREATE INDEX reports_by_received ON reports (received_at DESC, id);
CREATE INDEX reports_by_status ON reports (status, received_at DESC);

CREATE TABLE report_messages (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	report_id text    NOT NULL REFERENCES reports (id),
	sender    text    NOT NULL CHECK (sender IN ('unit', 'reporter')),
	by_user   text    NOT NULL,
	at        timestamptz NOT NULL,
	body      bytea    NOT NULL
);

CREATE INDEX report_messages_by_report ON report_messages (report_id, id);

CREATE TABLE report_attachments (
	id        text    NOT NULL PRIMARY KEY,
	report_id text    NOT NULL REFERENCES reports (id),
	at        timestamptz NOT NULL,
	meta      bytea    NOT NULL,
	original  bytea    NOT NULL,
	sanitised bytea
);

CREATE INDEX report_attachments_by_report ON report_attachments (report_id, at, id);

CREATE TABLE report_keys (
	report_id    text    NOT NULL REFERENCES reports (id),
	recipient_id text    NOT NULL,
	purpose      text    NOT NULL CHECK (purpose IN ('content', 'identity')),
	wrapped      bytea    NOT NULL,
	created_at   timestamptz NOT NULL,
	PRIMARY KEY (report_id, recipient_id, purpose)
);

CREATE INDEX report_keys_by_recipient ON report_keys (recipient_id, purpose, report_id);

CREATE TABLE key_recipients (
	user_id          text    NOT NULL PRIMARY KEY,
	role             text    NOT NULL,
	public_key       text    NOT NULL,
	wrapped_identity bytea    NOT NULL,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL
);

CREATE TABLE report_disclosures (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	report_id    text    NOT NULL REFERENCES reports (id),
	requested_by text    NOT NULL,
	reason       text    NOT NULL,
	requested_at timestamptz NOT NULL,
	state        text    NOT NULL CHECK (state IN ('requested', 'approved', 'refused')),
	decided_by   text    NOT NULL DEFAULT '',
	decided_at   timestamptz,
	note         text    NOT NULL DEFAULT ''
);

CREATE INDEX report_disclosures_by_report ON report_disclosures (report_id, id);

CREATE TABLE referrals (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner        text    NOT NULL,
	submitted_by   text    NOT NULL,
	concern        text    NOT NULL,
	officer_name   text    NOT NULL,
	collar_number  text    NOT NULL,
	force          text    NOT NULL,
	vehicle        text    NOT NULL,
	description    text    NOT NULL,
	victim_consent text    NOT NULL CHECK (victim_consent IN ('given', 'refused', 'not_asked')),
	safeguarding   text    NOT NULL CHECK (safeguarding IN ('in_place', 'needed', 'not_known')),
	status         text    NOT NULL,
	status_by      text    NOT NULL DEFAULT '',
	status_at      timestamptz,
	feedback       text    NOT NULL DEFAULT '',
	submitted_at   timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);

CREATE INDEX referrals_by_partner ON referrals (partner, id DESC);

CREATE TABLE referral_messages (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	referral_id bigint NOT NULL REFERENCES referrals (id),
	sender      text    NOT NULL CHECK (sender IN ('unit', 'partner')),
	by_user     text    NOT NULL,
	at          timestamptz NOT NULL,
	body        text    NOT NULL
);

CREATE INDEX referral_messages_by_referral ON referral_messages (referral_id, id);

CREATE TABLE intel_items (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source      text    NOT NULL,
	source_ref  text    NOT NULL,
	summary     text    NOT NULL,
	sanitised   text    NOT NULL,
	state       text    NOT NULL CHECK (state IN ('ungraded', 'graded', 'shared')),
	grade       text,
	graded_by   text    NOT NULL DEFAULT '',
	graded_at   timestamptz,
	shared_with text    NOT NULL DEFAULT '',
	shared_by   text    NOT NULL DEFAULT '',
	shared_at   timestamptz,
	staff_id    text    NOT NULL DEFAULT '',
	linked_by   text    NOT NULL DEFAULT '',
	linked_at   timestamptz,
	created_by  text    NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);

CREATE INDEX intel_items_by_staff ON intel_items (staff_id, id DESC) WHERE staff_id <> '';
CREATE INDEX intel_items_by_source ON intel_items (source_ref, id DESC);
