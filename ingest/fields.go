package ingest

// fieldType is the JSON type of a field and how CSV text converts to it.
type fieldType uint8

const (
	typeString    fieldType = iota // JSON string
	typeTime                       // RFC 3339 timestamp string
	typeDate                       // date ("2006-01-02") or RFC 3339 timestamp string
	typeInt                        // JSON whole number
	typeList                       // JSON array of strings
	typePhone                      // a clear phone number string, hashed on intake
	typePhoneList                  // a JSON array of clear phone numbers, hashed on intake
)

// field describes one key of a kind's JSON object.
type field struct {
	name     string
	typ      fieldType
	required bool // a profile must map it; a record must carry it
}

// The keys of each kind's JSON object, in canonical order. These tables are
// never modified.
var (
	accessFields = []field{
		{"id", typeString, true}, {"time", typeTime, true}, {"staff_id", typeString, true},
		{"system", typeString, true}, {"action", typeString, true}, {"person_id", typeString, false},
		{"incident_id", typeString, false}, {"fields", typeList, false}, {"query", typeString, false},
		{"workstation", typeString, false}, {"location", typeString, false},
	}
	commsFields = []field{
		{"id", typeString, true}, {"time", typeTime, true}, {"staff_id", typeString, true},
		{"device", typeString, true}, {"direction", typeString, true}, {"kind", typeString, true},
		{"number", typePhone, false}, {"number_hash", typeString, false}, {"duration_s", typeInt, false},
	}
	staffFields = []field{
		{"record_id", typeString, false}, {"id", typeString, true}, {"collar_number", typeString, false},
		{"name", typeString, false}, {"category", typeString, true}, {"role", typeString, true},
		{"rank", typeString, false}, {"team", typeString, false}, {"station", typeString, false},
		{"area", typeString, false}, {"gender", typeString, true}, {"start_date", typeDate, true},
		{"left_date", typeDate, false}, {"time", typeTime, false},
	}
	personFields = []field{
		{"record_id", typeString, false}, {"id", typeString, true}, {"gender", typeString, true},
		{"birth_year", typeInt, false}, {"area", typeString, false}, {"flags", typeList, false},
		{"phones", typePhoneList, false}, {"phone_hashes", typeList, false}, {"time", typeTime, true},
	}
	incidentFields = []field{
		{"record_id", typeString, false}, {"id", typeString, true}, {"type", typeString, true},
		{"status", typeString, true}, {"opened_at", typeTime, true}, {"closed_at", typeTime, false},
		{"area", typeString, false}, {"time", typeTime, false},
	}
	involvementFields = []field{
		{"record_id", typeString, false}, {"incident_id", typeString, true}, {"person_id", typeString, true},
		{"part", typeString, true}, {"at", typeTime, true},
	}
	assignmentFields = []field{
		{"record_id", typeString, false}, {"incident_id", typeString, true}, {"staff_id", typeString, true},
		{"kind", typeString, true}, {"at", typeTime, true}, {"until", typeTime, false},
	}
	screeningFields = []field{
		{"id", typeString, true}, {"staff_id", typeString, true}, {"checked_at", typeTime, true},
		{"check", typeString, true}, {"result", typeString, true}, {"detail", typeString, false},
		{"reference", typeString, false},
	}
	shiftFields = []field{
		{"record_id", typeString, false}, {"staff_id", typeString, true}, {"kind", typeString, true},
		{"start", typeTime, true}, {"end", typeTime, true},
	}
)

// fieldsOf returns the keys of kind k's JSON object, or nil for an unknown
// kind. The caller must not modify the slice.
func fieldsOf(k Kind) []field {
	switch k {
	case KindAccess:
		return accessFields
	case KindComms:
		return commsFields
	case KindStaff:
		return staffFields
	case KindPerson:
		return personFields
	case KindIncident:
		return incidentFields
	case KindInvolvement:
		return involvementFields
	case KindAssignment:
		return assignmentFields
	case KindShift:
		return shiftFields
	case KindScreening:
		return screeningFields
	}
	return nil
}

// lookupField returns the description of key in kind k.
func lookupField(k Kind, key string) (field, bool) {
	for _, f := range fieldsOf(k) {
		if f.name == key {
			return f, true
		}
	}
	return field{}, false
}
