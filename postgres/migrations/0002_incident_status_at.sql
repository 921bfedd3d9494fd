-- When an incident's current status took effect, so that the status history
-- can be written from the records themselves rather than the store's clock.
--
-- A closed incident's status took effect when it closed. An open one took
-- effect at its latest opening in the history, which for an incident reopened
-- since it was first recorded is later than opened_at.

ALTER TABLE incidents ADD COLUMN status_at timestamptz;

UPDATE incidents SET status_at = coalesce(
	closed_at,
	(SELECT max(c.at) FROM incident_status_changes c WHERE c.incident_id = incidents.id AND c.status = 'open'),
	opened_at
);

ALTER TABLE incidents ALTER COLUMN status_at SET NOT NULL;
