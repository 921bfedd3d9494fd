package detect

import (
	"fmt"
	"strings"
	"time"
)

// The explanations are plain sentences for an analyst: which rule, which
// events, the figures it compared and why it scored as it did.

func explainSingle(r *Rule, ev *Event, key string) string {
	return fmt.Sprintf("Rule %s (%s): %s. Event %s at %s by %s%s scored the rule's weight %.3g.",
		r.Name, r.Severity, describe(r), ev.ID, stamp(ev.Time), ev.StaffID, about(key), r.Weight)
}

func explainWindow(r *Rule, ev *Event, x int) string {
	what := "matching events"
	if r.Window.Distinct != "" {
		what = "distinct " + r.Window.Distinct + " values"
	}
	return fmt.Sprintf("Rule %s (%s): %s. %d %s by %s%s in the %s up to %s (event %s), against a threshold of %d; score %.3g = weight %.3g × %d/%d.",
		r.Name, r.Severity, describe(r), x, what, ev.StaffID, about(ev.field(r.Window.By)),
		span(r.Window.Over), stamp(ev.Time), ev.ID, r.Window.Threshold,
		r.Weight*float64(x)/float64(r.Window.Threshold), r.Weight, x, r.Window.Threshold)
}

func explainPeer(r *Rule, ev *Event, x int, role string, ps peerStats, at time.Time, z float64) string {
	what := "matching events"
	if r.Window.Distinct != "" {
		what = "distinct " + r.Window.Distinct + " values"
	}
	return fmt.Sprintf("Rule %s (%s): %s. %s had %d %s in the %s up to %s (event %s); the %d staff in role %q had a median of %.3g and a median absolute deviation of %.3g%s at %s, so the modified z-score is %.2f (alert at %.2f and at least %d); score %.3g = weight %.3g × %.2f/%.2f.",
		r.Name, r.Severity, describe(r), ev.StaffID, x, what, span(r.Window.Over), stamp(ev.Time), ev.ID,
		ps.n, role, ps.median, ps.mad, madFloor(ps.mad), stamp(at), z, r.Peer.MinScore, r.Peer.MinValue,
		r.Weight*z/r.Peer.MinScore, r.Weight, z, r.Peer.MinScore)
}

func explainSequence(r *Rule, ev *Event, ids []string, took time.Duration) string {
	var steps []string
	i := 0
	for _, s := range r.Sequence.Steps {
		if s.Absent {
			steps = append(steps, "no "+s.Name)
			continue
		}
		if i < len(ids) {
			steps = append(steps, fmt.Sprintf("%s (event %s)", s.Name, ids[i]))
		}
		i++
	}
	return fmt.Sprintf("Rule %s (%s): %s. %s%s: %s, over %s (limit %s); scored the rule's weight %.3g.",
		r.Name, r.Severity, describe(r), ev.StaffID, about(ev.field(r.Sequence.By)),
		strings.Join(steps, ", then "), span(took), span(r.Sequence.Within), r.Weight)
}

func about(key string) string {
	if key == "" {
		return ""
	}
	return " about " + key
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// span writes a duration in days when it is a whole number of them.
func span(d time.Duration) string {
	if d == 24*time.Hour {
		return "1 day"
	}
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	if d >= 24*time.Hour {
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	}
	return d.String()
}

func madFloor(mad float64) string {
	if mad < 1 {
		return " (taken as 1)"
	}
	return ""
}

// describe is the rule's description without its full stop, or its name.
func describe(r *Rule) string {
	if d := strings.TrimSuffix(strings.TrimSpace(r.Description), "."); d != "" {
		return d
	}
	return "no description"
}
