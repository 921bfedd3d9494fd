-- out_of_area_access: by anyone but the volume roles with an area, a look at
-- a vulnerable person living in another area with no link to her, or at a
-- sensitive incident (with no person) in another area he was never
-- assigned to. Keyed by the target: the person, else the incident.
SELECT e.staff_id,
       CASE WHEN e.person_id <> '' THEN e.person_id
            WHEN e.incident_id <> '' THEN e.incident_id
            ELSE e.query END AS key,
       count(*) AS matches
FROM event_fact e
LEFT JOIN incident i ON i.incident_id = e.incident_id
WHERE e.kind = 'access'
  AND NOT {{template "volume_role"}}
  AND e.staff_area <> ''
  AND ((    {{template "vulnerable_subject"}}
        AND NOT {{template "linked"}}
        AND e.person_area <> '' AND e.person_area <> e.staff_area)
    OR (    e.person_id = '' AND e.incident_id <> ''
        AND i.type IN {{list "sensitive_incidents"}}
        AND NOT EXISTS (SELECT 1 FROM assignment a
                        WHERE a.incident_id = e.incident_id AND a.staff_id = e.staff_id AND a.at <= e.at)
        AND i.area <> '' AND i.area <> e.staff_area))
GROUP BY 1, 2
