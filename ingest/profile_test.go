package ingest

import (
	"strings"
	"testing"

	"lantern"
)

func TestLoadProfileErrors(t *testing.T) {
	const base = "kind: shift\nheader: false\ncolumns: {staff_id: 1, kind: 2, start: 3, end: 4}\nzone: Europe/London\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"empty", "", "test.yaml:1: profile is empty"},
		{"not a mapping", "- kind\n", "test.yaml:1: a profile is a mapping"},
		{"yaml syntax", "kind: shift\ncolumns: {staff_id: 1\n", "test.yaml:1: did not find expected"},
		{"yaml tab", "kind: shift\n\tcolumns: x\n", "test.yaml:2: found a tab character"},
		{"unknown key", base + "colums: {}\n", `test.yaml:5: unknown key "colums"`},
		{"no kind", "columns: {id: 1}\n", "test.yaml:1: kind is required"},
		{"bad kind", "kind: alert\ncolumns: {id: 1}\n", `test.yaml:1: kind "alert" is not one of`},
		{"no columns", "kind: shift\nconstants: {kind: duty}\n", "test.yaml:1: columns is required"},
		{"unknown field", "kind: shift\nheader: false\ncolumns:\n  staff_id: 1\n  strat: 3\n", `test.yaml:5: columns: "strat" is not a field of shift records`},
		{"column zero", "kind: shift\nheader: false\ncolumns: {staff_id: 0}\n", "test.yaml:3: column for staff_id must be"},
		{"column list", "kind: shift\ncolumns: {staff_id: [1]}\n", "test.yaml:2: column for staff_id must be"},
		{"name without header", "kind: shift\nheader: false\ncolumns: {staff_id: Staff}\n", "test.yaml:3: column for staff_id is a name, but the file has no header"},
		{"missing required", "kind: shift\nheader: false\ncolumns: {staff_id: 1, kind: 2, start: 3}\nzone: UTC\n", "test.yaml:1: shift records need end"},
		{"comms without number", "kind: comms\nheader: false\ncolumns: {id: 1, time: 2, staff_id: 3, device: 4, direction: 5, kind: 6}\n", "need number or number_hash"},
		{"bad zone", base + "zone: Europe/Londn\n", "test.yaml:5: zone is given twice"},
		{"unknown zone", strings.Replace(base, "Europe/London", "Europe/Londn", 1), `test.yaml:4: zone "Europe/Londn" is not a known IANA zone`},
		{"local zone", strings.Replace(base, "Europe/London", "Local", 1), "test.yaml:4: zone must be an IANA zone name"},
		{"bad delimiter", base + "delimiter: ';;'\n", "test.yaml:5: delimiter must be one ASCII character"},
		{"quote delimiter", base + "delimiter: '\"'\n", "test.yaml:5: delimiter must be one"},
		{"header not bool", strings.Replace(base, "header: false", "header: yes please", 1), "test.yaml:2: header must be true or false"},
		{"empty list separator", base + "list_separator: ''\n", "test.yaml:5: list_separator must not be empty"},
		{"abbreviation", base + "time_formats: {start: '02/01/2006 15:04 MST'}\n", "test.yaml:5: time format \"02/01/2006 15:04 MST\" uses a zone abbreviation"},
		{"not a layout", base + "time_formats:\n  start: [dd/mm/yyyy HH:MM]\n", "test.yaml:6: time format \"dd/mm/yyyy HH:MM\" has no Go layout elements"},
		{"no zone", "kind: shift\nheader: false\ncolumns: {staff_id: 1, kind: 2, start: 3, end: 4}\ntime_formats:\n  end: ['2006-01-02 15:04']\n", "test.yaml:5: time format \"2006-01-02 15:04\" for end has no zone offset: set zone"},
		{"not a time field", base + "time_formats: {kind: '2006'}\n", "test.yaml:5: time_formats: kind is not a time field"},
		{"empty formats", base + "time_formats: {start: []}\n", "test.yaml:5: time_formats for start is empty"},
		{"values unknown field", base + "values: {sort: {A: b}}\n", `test.yaml:5: values: "sort" is not a field of shift records`},
		{"values for time", base + "values: {start: {A: b}}\n", "test.yaml:5: values: start is not a text or list field"},
		{"values not a map", base + "values: {kind: [ON]}\n", "test.yaml:5: values for kind must be a mapping"},
		{"values nested", base + "values: {kind: {ON: [duty]}}\n", "test.yaml:5: a value must be a single value"},
		{"constant and column", base + "constants: {kind: duty}\n", "test.yaml:5: kind is both a column and a constant"},
		{"constant phone", "kind: person\ncolumns: {id: Ref, gender: G, time: T}\nconstants: {phones: '0770'}\n", "test.yaml:3: phones cannot be a constant"},
		{"duplicate field", "kind: shift\nheader: false\ncolumns:\n  staff_id: 1\n  staff_id: 2\n", "test.yaml:5:"},
		{"values unmapped", "kind: shift\nheader: false\ncolumns: {staff_id: 1, start: 3, end: 4}\nzone: UTC\nconstants: {kind: duty}\nvalues: {kind: {ON: duty}}\n", "test.yaml:6: values: kind has no column"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadProfile(strings.NewReader(c.yaml), "test.yaml")
			if lantern.ErrorCode(err) != lantern.EINVALID {
				t.Fatalf("want EINVALID, got %v", err)
			}
			if msg := lantern.ErrorMessage(err); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q does not contain %q", msg, c.want)
			}
		})
	}
}

func TestLoadProfileTooBig(t *testing.T) {
	_, err := LoadProfile(strings.NewReader("# "+strings.Repeat("x", maxProfileBytes)), "big.yaml")
	if lantern.ErrorCode(err) != lantern.EINVALID || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadProfileDefaults(t *testing.T) {
	p := loadProfile(t, "kind: involvement\ncolumns: {incident_id: A, person_id: B, part: C, at: D}\n")
	if p.delimiter != ',' || !p.header || p.listSep != ";" || p.zone != nil {
		t.Fatalf("defaults: %+v", p)
	}
	if got := p.timeFormats["at"]; len(got) != 1 || got[0] != "2006-01-02T15:04:05.999999999Z07:00" {
		t.Fatalf("default time formats: %q", got)
	}
}
