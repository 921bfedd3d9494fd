-- quick_closure_then_contact: an outbound call or message to a vulnerable
-- person when no incident linking the staff member to her is open, and the
-- one that closed last (closed_case: NOT EXISTS a later closure) is a
-- domestic abuse case that was open at most 7 days and closed more than 1
-- and at most 60 days before.
SELECT e.staff_id, e.person_id AS key, e.at, e.seq, {{float .Weight}} AS score
FROM event_fact e
WHERE e.kind = 'comms'
  AND e.direction = 'outbound'
  AND {{template "vulnerable_subject"}}
  AND NOT e.any_open
  AND EXISTS (SELECT 1 FROM event_link c JOIN incident i ON i.incident_id = c.incident_id
              WHERE c.event_seq = e.seq AND NOT c.is_open
                AND i.type = 'domestic_abuse'
                AND c.status_at - i.opened_at <= {{dur "7d"}}
                AND e.at - c.status_at > {{dur "1d"}}
                AND e.at - c.status_at <= {{dur "60d"}}
                AND NOT EXISTS (SELECT 1 FROM event_link later
                                WHERE later.event_seq = e.seq AND NOT later.is_open
                                  AND later.status_at > c.status_at))
