-- Intelligence items are sealed at rest like reports: the summary and the
-- sanitised text under a key of the item's own, wrapped for each unit
-- member who reads it. The clear summary and sanitised columns stay empty
-- for sealed items.

ALTER TABLE intel_items ADD COLUMN summary_sealed BLOB;
ALTER TABLE intel_items ADD COLUMN sanitised_sealed BLOB;

CREATE TABLE intel_keys (
	item_id      INTEGER NOT NULL REFERENCES intel_items (id),
	recipient_id TEXT    NOT NULL,
	wrapped      BLOB    NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (item_id, recipient_id)
) STRICT;

CREATE INDEX intel_keys_by_recipient ON intel_keys (recipient_id, item_id);
