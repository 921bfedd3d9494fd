package detect

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadErrors checks that every mistake in a rule file is reported with
// the file and the line it is on.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"bad expression", `rules:
  - name: r
    kind: access
    when: event.person_id ==
`, "test.yaml:4: when: unexpected token EOF"},
		{"unknown field of event", `rules:
  - name: r
    kind: access
    when: event.nobody == "x"
`, "test.yaml:4: when: unknown name event.nobody"},
		{"wrong argument type", `rules:
  - name: r
    kind: access
    when: vulnerable(1)
`, "test.yaml:4: when:"},
		{"not boolean", `rules:
  - name: r
    kind: access
    when: event.person_id
`, "test.yaml:4: when: expected bool"},
		{"unknown key", `rules:
  - name: r
    kind: access
    wen: true
`, "test.yaml:4: field wen not found"},
		{"bad kind", `rules:
  - name: r
    kind: shift
`, `test.yaml:2: rule r: kind "shift" is not access, comms, any or signals`},
		{"duplicate rule", `rules:
  - name: r
    kind: access
  - name: r
    kind: access
`, `test.yaml:4: rule "r" is already defined at test.yaml:2`},
		{"bad window", `rules:
  - name: r
    kind: access
    window: {over: soon, threshold: 2}
`, "test.yaml:2: rule r: window needs over"},
		{"peer without window", `rules:
  - name: r
    kind: access
    peer: {min_score: 3.5}
`, "test.yaml:2: rule r: peer compares a window's measure"},
		{"sequence ending absent", `rules:
  - name: r
    kind: access
    sequence:
      within: 1d
      steps:
        - {name: a, when: "true"}
        - {name: b, when: "true", absent: true}
`, "test.yaml:2: rule r: a sequence cannot start or end with an absent step"},
		{"bad step", `rules:
  - name: r
    kind: access
    sequence:
      within: 1d
      steps:
        - name: a
          when: "true"
        - name: b
          when: linked(event.staff_id)
`, "test.yaml:10: step b:"},
		{"exception without expiry", `rules:
  - name: r
    kind: access
    exceptions:
      - when: event.staff_id == "S1"
        reason: on loan to the unit
`, "test.yaml:5: rule r: an exception needs expires"},
		{"self-referring macro", `macros:
  loop: loop && true
rules:
  - name: r
    kind: access
    when: loop
`, "test.yaml:6: when: macros nest more than"},
		{"macro shadowing a function", `macros:
  linked: "true"
`, `test.yaml:2: "linked" cannot name a list or macro`},
		{"list not a list", `lists:
  l: nope
`, `test.yaml:2: list "l" must be a list of strings`},
		{"bad key field", `rules:
  - name: r
    kind: access
    key: colour
`, `test.yaml:2: rule r: key "colour" is not one of`},
		{"not yaml", "rules: [", "test.yaml:1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := LoadFile("test.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("loaded %d rules, want error %q", len(set.Rules()), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestLoadDirectory checks that lists and macros are shared across files and
// that rules are indexed by kind.
func TestLoadDirectory(t *testing.T) {
	fsys := fstest.MapFS{
		"r/a.yaml": {Data: []byte("lists:\n  acts: [view, print]\nmacros:\n  looked: event.action in acts\n")},
		"r/b.yaml": {Data: []byte("rules:\n  - name: r1\n    kind: access\n    when: looked\n  - name: r2\n    kind: comms\n")},
		"r/c.txt":  {Data: []byte("not a rule file")},
	}
	set, err := Load(fsys, "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.forKind("access")) != 1 || len(set.forKind("comms")) != 1 || set.Rule("r1") == nil {
		t.Errorf("index: %v", set.byKind)
	}
	bad := fstest.MapFS{"r/a.yaml": {Data: []byte("rules:\n  - name: r1\n    kind: access\n    when: looked\n")}}
	if _, err := Load(bad, "r"); err == nil || !strings.Contains(err.Error(), "r/a.yaml:4:") {
		t.Errorf("error %v, want r/a.yaml:4", err)
	}
}

// TestExpand checks macro expansion leaves fields and strings alone.
func TestExpand(t *testing.T) {
	defs := map[string]string{"me": "event.staff_id", "acts": `["view"]`}
	got, err := expand(`me == "me" && event.me != acts[0]`, defs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := `(event.staff_id) == "me" && event.me != (["view"])[0]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzLoadFile checks that no rule file, however broken, panics the loader,
// and that an error always names the file.
func FuzzLoadFile(f *testing.F) {
	f.Add([]byte("rules:\n  - name: r\n    kind: access\n    when: vulnerable(event.person_id)\n"))
	f.Add([]byte("macros:\n  m: event.action == 'view'\nrules:\n  - name: r\n    kind: access\n    when: m\n    window: {over: 7d, by: person_id, threshold: 3}\n"))
	f.Add([]byte("rules:\n  - name: s\n    kind: access\n    sequence:\n      within: 90d\n      steps:\n        - {name: a, when: \"true\"}\n        - {name: b, when: \"true\", absent: true}\n        - {name: c, when: \"true\"}\n"))
	f.Add([]byte("lists: {a: [x]}\nrules: [{name: p, kind: access, window: {over: 30d, distinct: person_id}, peer: {min_score: 3.5}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := LoadFile("fuzz.yaml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		for _, r := range set.Rules() {
			if r.Weight < 0 || (r.Kind != "access" && r.Kind != "comms" && r.Kind != "any") {
				t.Fatalf("loaded an invalid rule %+v", r)
			}
		}
	})
}
