package detect

// eventField returns the closure reading one of the event's fields by the
// name rules use after flattenEvent ("event.person_id"), typed as eventVars
// binds it for the VM. Each reads its field directly: they are the leaves of
// every rule.
func eventField(name string) (value, bool) {
	switch name {
	case "event.id":
		return stringValue(func(c *evalCtx) string { return c.ev.ID }), true
	case "event.kind":
		return stringValue(func(c *evalCtx) string { return c.ev.Kind }), true
	case "event.staff_id":
		return stringValue(func(c *evalCtx) string { return c.ev.StaffID }), true
	case "event.person_id":
		return stringValue(func(c *evalCtx) string { return c.ev.PersonID }), true
	case "event.incident_id":
		return stringValue(func(c *evalCtx) string { return c.ev.IncidentID }), true
	case "event.system":
		return stringValue(func(c *evalCtx) string { return c.ev.System }), true
	case "event.action":
		return stringValue(func(c *evalCtx) string { return c.ev.Action }), true
	case "event.query":
		return stringValue(func(c *evalCtx) string { return c.ev.Query }), true
	case "event.workstation":
		return stringValue(func(c *evalCtx) string { return c.ev.Workstation }), true
	case "event.location":
		return stringValue(func(c *evalCtx) string { return c.ev.Location }), true
	case "event.device":
		return stringValue(func(c *evalCtx) string { return c.ev.Device }), true
	case "event.direction":
		return stringValue(func(c *evalCtx) string { return c.ev.Direction }), true
	case "event.channel":
		return stringValue(func(c *evalCtx) string { return c.ev.Channel }), true
	case "event.number_hash":
		return stringValue(func(c *evalCtx) string { return c.ev.NumberHash }), true
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
