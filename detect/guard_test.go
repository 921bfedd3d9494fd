package detect

import (
	"slices"
	"testing"
)

// TestGuardPlan checks how conditions split into shared guards and the rest.
func TestGuardPlan(t *testing.T) {
	set := ruleSet(t, `macros:
  vuln: event.person_id != "" && vulnerable(event.person_id)
rules:
  - name: a
    kind: access
    when: vuln && event.action == "view"
  - name: b
    kind: access
    when: (vuln) && !linked(event.staff_id, event.person_id) && event.action == "print"
  - name: c
    kind: access
    when: event.system == "pnc" && vuln
`)
	if got := conjuncts(`(a && b) && (c || d) and e`); !slices.Equal(got, []string{"a", "b", "c || d", "e"}) {
		t.Errorf("conjuncts %q", got)
	}
	a, b, c := set.Rule("a"), set.Rule("b"), set.Rule("c")
	if len(set.guards) != 2 || !slices.Equal(a.guards, []int{0, 1}) || !slices.Equal(b.guards, []int{0, 1}) || c.guards != nil {
		t.Errorf("guards: %d; a %v, b %v, c %v", len(set.guards), a.guards, b.guards, c.guards)
	}
	if a.rest == nil || b.rest == nil {
		t.Error("the rest of a and b must be compiled")
	}
}
