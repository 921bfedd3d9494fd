-- partial_name_search: a search by part of a name. Keyed by the search text.
SELECT e.staff_id, e.query AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'access'
  AND {{template "partial_name_search"}}
