-- quick_da_closure: the outcome of a domestic abuse incident of his own
-- written no more than 7 days after it opened. Keyed by the incident.
SELECT e.staff_id, e.incident_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND e.action = 'update'
  AND e.incident_id <> ''
  AND e.incident_type = 'domestic_abuse'
  AND e.linked_incident
  AND e.at >= e.incident_opened_at
  AND e.at - e.incident_opened_at <= {{dur "7d"}}
  AND EXISTS (SELECT 1 FROM access_field f WHERE f.access_seq = e.seq AND f.field = 'outcome')
