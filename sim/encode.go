package sim

// Encoders turn pending records into lines of the intake formats. Keys are
// written in the order of docs/formats.md; every value the simulation makes
// is plain ASCII, but text is escaped all the same.

// names are the names of the force's areas and stations. They are set once
// the force is built, before any record is written, and never change, so
// that sinks can read them on their own goroutines.
type names struct {
	areas    []string
	stations []string
}

func appendKey(b []byte, key string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStr(b []byte, key, v string) []byte {
	b = appendKey(b, key)
	return appendJSONString(b, v)
}

func appendTime(b []byte, key string, t int64) []byte {
	b = appendKey(b, key)
	b = append(b, '"')
	b = appendTimestamp(b, t)
	return append(b, '"')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func (n *names) encStaff(b []byte, t int64, r *staffRec) []byte {
	spec := &roleSpecs[r.role]
	v := spec.variants[r.variant]
	b = append(b, '{')
	b = appendKey(b, "id")
	b = append(b, '"')
	b = appendStaffID(b, r.staff)
	b = append(b, '"')
	if v.collar != "" {
		b = appendKey(b, "collar_number")
		b = append(b, '"')
		b = append(b, v.collar...)
		b = append(b, ' ')
		b = appendPadded(b, 1000+int64(r.staff), 4)
		b = append(b, '"')
	}
	fore, sur := nameOf(int64(r.staff)+1<<40, r.gender == genderFemale)
	b = appendStr(b, "name", fore+" "+sur)
	b = appendStr(b, "category", v.category)
	b = appendStr(b, "role", spec.name)
	b = appendStr(b, "rank", v.rank)
	b = appendStr(b, "team", r.team)
	b = appendStr(b, "station", n.stations[r.station])
	b = appendStr(b, "area", n.areas[r.area])
	b = appendStr(b, "gender", genderNames[r.gender])
	b = appendKey(b, "start_date")
	b = append(b, '"')
	b = appendDate(b, floorDiv(r.startDate, day))
	b = append(b, '"')
	if r.left {
		b = appendKey(b, "left_date")
		b = append(b, '"')
		b = appendDate(b, floorDiv(t, day))
		b = append(b, '"')
	}
	b = appendTime(b, "time", t)
	return append(b, '}')
}

func (n *names) encPerson(b []byte, t int64, r *personRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "id")
	b = append(b, '"')
	b = appendPersonID(b, r.person)
	b = append(b, '"')
	b = appendStr(b, "gender", genderNames[r.gender])
	b = appendKey(b, "birth_year")
	b = appendPadded(b, int64(r.birthYear), 4)
	b = appendStr(b, "area", n.areas[r.area])
	if r.flags != 0 {
		b = appendKey(b, "flags")
		b = append(b, '[')
		first := true
		for i, name := range flagNames {
			if r.flags&(1<<i) != 0 {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = appendJSONString(b, name)
			}
		}
		b = append(b, ']')
	}
	if r.phone >= 0 {
		b = appendKey(b, "phones")
		b = append(b, '[', '"')
		b = appendPhone(b, r.phone)
		b = append(b, '"', ']')
	}
	b = appendTime(b, "time", t)
	return append(b, '}')
}

func (n *names) encIncident(b []byte, t int64, r *incidentRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "id")
	b = append(b, '"')
	b = appendIncidentID(b, r.incident)
	b = append(b, '"')
	b = appendStr(b, "type", incidentSpecs[r.typ].typ)
	if r.open {
		b = appendStr(b, "status", "open")
	} else {
		b = appendStr(b, "status", "closed")
	}
	b = appendTime(b, "opened_at", r.opened)
	if !r.open {
		b = appendTime(b, "closed_at", r.closed)
	}
	b = appendStr(b, "area", n.areas[r.area])
	b = appendTime(b, "time", t)
	return append(b, '}')
}

func (n *names) encInvolvement(b []byte, t int64, r *involvementRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "incident_id")
	b = append(b, '"')
	b = appendIncidentID(b, r.incident)
	b = append(b, '"')
	b = appendKey(b, "person_id")
	b = append(b, '"')
	b = appendPersonID(b, r.person)
	b = append(b, '"')
	b = appendStr(b, "part", partNames[r.part])
	b = appendTime(b, "at", t)
	return append(b, '}')
}

func (n *names) encAssignment(b []byte, t int64, r *assignmentRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "incident_id")
	b = append(b, '"')
	b = appendIncidentID(b, r.incident)
	b = append(b, '"')
	b = appendKey(b, "staff_id")
	b = append(b, '"')
	b = appendStaffID(b, r.staff)
	b = append(b, '"')
	b = appendStr(b, "kind", assignmentNames[r.kind])
	b = appendTime(b, "at", t)
	if r.until != 0 {
		b = appendTime(b, "until", r.until)
	}
	return append(b, '}')
}

func (n *names) encShift(b []byte, t int64, r *shiftRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "staff_id")
	b = append(b, '"')
	b = appendStaffID(b, r.staff)
	b = append(b, '"')
	b = appendStr(b, "kind", shiftNames[r.kind])
	b = appendTime(b, "start", t)
	b = appendTime(b, "end", r.end)
	return append(b, '}')
}

func (n *names) encAccess(b []byte, t int64, r *accessRec) []byte {
	b = append(b, `{"id":"`...)
	b = appendID(b, 'A', r.id, accessIDWidth)
	b = append(b, `","time":"`...)
	b = appendTimestamp(b, t)
	b = append(b, `","staff_id":"`...)
	b = appendStaffID(b, r.staff)
	b = append(b, `","system":"`...)
	b = append(b, systemNames[r.system]...)
	b = append(b, `","action":"`...)
	b = append(b, actionNames[r.action]...)
	b = append(b, '"')
	if r.person >= 0 {
		b = append(b, `,"person_id":"`...)
		b = appendPersonID(b, r.person)
		b = append(b, '"')
	}
	if r.incident >= 0 {
		b = append(b, `,"incident_id":"`...)
		b = appendIncidentID(b, r.incident)
		b = append(b, '"')
	}
	if fs := fieldSets[r.fields]; len(fs) > 0 {
		b = append(b, `,"fields":[`...)
		for i, f := range fs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, f...)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	if r.query != "" {
		b = append(b, `,"query":`...)
		b = appendJSONString(b, r.query)
	}
	if r.ws < 0 {
		b = append(b, `,"workstation":"`...)
		b = appendDevice(b, r.staff)
		b = append(b, `","location":"mobile"}`...)
		return b
	}
	st := n.stations[r.ws/100]
	b = append(b, `,"workstation":"WS-`...)
	b = append(b, st...)
	b = append(b, '-')
	b = appendPadded(b, int64(r.ws%100), 2)
	b = append(b, `","location":"`...)
	b = append(b, st...)
	return append(b, '"', '}')
}

func (n *names) encComms(b []byte, t int64, r *commsRec) []byte {
	b = append(b, `{"id":"`...)
	b = appendID(b, 'C', r.id, commsIDWidth)
	b = append(b, `","time":"`...)
	b = appendTimestamp(b, t)
	b = append(b, `","staff_id":"`...)
	b = appendStaffID(b, r.staff)
	b = append(b, `","device":"`...)
	b = appendDevice(b, r.staff)
	b = append(b, `","direction":"`...)
	b = append(b, directionNames[r.direction]...)
	b = append(b, `","kind":"`...)
	b = append(b, commsKindNames[r.kind]...)
	b = append(b, `","number":"`...)
	b = appendPhone(b, r.number)
	b = append(b, '"')
	if r.duration > 0 {
		b = append(b, `,"duration_s":`...)
		b = appendPadded(b, int64(r.duration), 1)
	}
	return append(b, '}')
}
