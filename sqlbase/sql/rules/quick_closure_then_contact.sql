-- quick_closure_then_contact: work-device contact with a person when no
-- incident linking the staff member to her is open and the one that closed
-- last is a domestic abuse case that was open no more than 3 days and
-- closed no more than 60 days before.
SELECT e.staff_id, e.person_id AS key, count(*) AS matches
FROM event_fact e
WHERE e.kind = 'comms'
  AND e.person_id <> ''
  AND NOT EXISTS (SELECT 1 FROM event_link o WHERE o.event_seq = e.seq AND o.is_open)
  AND EXISTS (SELECT 1 FROM event_link c JOIN incident i ON i.incident_id = c.incident_id
              WHERE c.event_seq = e.seq AND NOT c.is_open
                AND i.type = 'domestic_abuse'
                AND c.status_at - i.opened_at <= {{dur "3d"}}
                AND e.at - c.status_at <= {{dur "60d"}}
                AND NOT EXISTS (SELECT 1 FROM event_link later
                                WHERE later.event_seq = e.seq AND NOT later.is_open
                                  AND later.status_at > c.status_at))
GROUP BY e.staff_id, e.person_id
