package detect

// eventField returns the closure reading one of the event's fields by the
// name rules use after flattenEvent ("event.person_id"), typed as eventVars
// binds it for the VM.
func eventField(name string) (value, bool) {
	str := func(get func(*Event) string) (value, bool) {
		return stringValue(func(c *evalCtx) string { return get(c.ev) }), true
	}
	switch name {
	case "event.id":
		return str(func(e *Event) string { return e.ID })
	case "event.kind":
		return str(func(e *Event) string { return e.Kind })
	case "event.staff_id":
		return str(func(e *Event) string { return e.StaffID })
	case "event.person_id":
		return str(func(e *Event) string { return e.PersonID })
	case "event.incident_id":
		return str(func(e *Event) string { return e.IncidentID })
	case "event.system":
		return str(func(e *Event) string { return e.System })
	case "event.action":
		return str(func(e *Event) string { return e.Action })
	case "event.query":
		return str(func(e *Event) string { return e.Query })
	case "event.workstation":
		return str(func(e *Event) string { return e.Workstation })
	case "event.location":
		return str(func(e *Event) string { return e.Location })
	case "event.device":
		return str(func(e *Event) string { return e.Device })
	case "event.direction":
		return str(func(e *Event) string { return e.Direction })
	case "event.channel":
		return str(func(e *Event) string { return e.Channel })
	case "event.number_hash":
		return str(func(e *Event) string { return e.NumberHash })
	case "event.hour":
		return value{kind: kindInt, i: func(c *evalCtx) int { return c.ev.Hour }}, true
	case "event.duration_s":
		return value{kind: kindFloat, f: func(c *evalCtx) float64 { return c.ev.DurationS }}, true
	case "event.fields":
		return value{kind: kindStrings, ss: func(c *evalCtx) []string { return c.ev.Fields }}, true
	case "event.time":
		return anyValue(func(c *evalCtx) any { return c.ev.Time }), true
	}
	return value{}, false
}
