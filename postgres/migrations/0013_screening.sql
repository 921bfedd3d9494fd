-- Integrity screening results: every check of a member of staff against a
-- national or local database, kept so that coverage can be counted (who was
-- checked, against what, when). A result with a finding names the
-- intelligence item recorded from it. staff_id is not a foreign key: the
-- table is a projection of the event log, which accepts a result only once
-- its member of staff is known.

CREATE TABLE screening_results (
	id         text        NOT NULL PRIMARY KEY,
	staff_id   text        NOT NULL,
	checked_at timestamptz NOT NULL,
	check_name text        NOT NULL,
	result     text        NOT NULL CHECK (result IN ('no_trace', 'trace', 'possible_trace')),
	detail     text        NOT NULL DEFAULT '',
	reference  text        NOT NULL DEFAULT '',
	intel_id   bigint      REFERENCES intel_items (id)
);

CREATE INDEX screening_by_staff ON screening_results (staff_id, checked_at DESC, id);
CREATE INDEX screening_by_time ON screening_results (checked_at DESC, id);
