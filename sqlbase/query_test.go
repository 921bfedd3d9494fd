package sqlbase

import (
	"strings"
	"testing"
)

// TestCheckLibrary checks that a library rule with no SQL, and SQL for a
// rule the library does not have, stop Detect with a message naming them.
func TestCheckLibrary(t *testing.T) {
	q, err := parseQueries(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.checkLibrary(); err != nil {
		t.Fatalf("the library and the SQL disagree: %v", err)
	}
	q.file = map[string]string{"gone_rule": "gone_rule.sql"}
	for _, r := range q.lib.set.Rules() {
		if r.Name != "no_purpose_access" {
			q.file[r.Name] = r.Name + ".sql"
		}
	}
	q.rules = append(q.rules, "gone_rule")
	err = q.checkLibrary()
	if err == nil || !strings.Contains(err.Error(), "no SQL in sqlbase/sql/rules: no_purpose_access") ||
		!strings.Contains(err.Error(), "no longer has: gone_rule") {
		t.Errorf("got %v", err)
	}
}

// TestLibraryLists checks that the lists the SQL uses come from the rule
// library's files.
func TestLibraryLists(t *testing.T) {
	lib, err := library()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"look_actions", "contact_fields", "phone_fields", "volume_roles", "force_wide_roles", "sensitive_incidents", "working_shifts"} {
		if len(lib.lists[name]) == 0 {
			t.Errorf("no list %s", name)
		}
	}
}
