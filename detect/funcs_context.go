package detect

import "time"

// addContextFunctions adds to m the context functions beyond funcs.go's,
// bound to c like them; docs/rules.md lists them all.
func addContextFunctions(c *evalCtx, m map[string]any) {
	m["court_within"] = func(s string, days float64) bool {
		return c.w.CourtWithin(s, c.t, time.Duration(days*float64(24*time.Hour)))
	}
	addMoreContextFunctions(c, m)
	m["involved"] = func(p, i string) bool { return c.w.Involved(p, i, c.t) }
	m["days_since_attended"] = func(s, p string) float64 {
		d, ok := c.w.SinceAttended(s, p, c.t)
		if !ok {
			return -1
		}
		return d.Hours() / 24
	}
}

func addMoreContextFunctions(c *evalCtx, m map[string]any) {
	m["hours_off_duty"] = func(s string) float64 {
		d, ok := c.w.OffDutyFor(s, c.t)
		if !ok {
			return -1
		}
		return d.Hours()
	}
	m["days_since_opened"] = func(i string) float64 {
		d, ok := c.w.SinceOpened(i, c.t)
		if !ok {
			return -1
		}
		return d.Hours() / 24
	}
}
