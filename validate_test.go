package lantern_test

import (
	"strings"
	"testing"

	"lantern"
)

func TestValidateIDControlAndUTF8(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want string // "" valid
	}{
		{"S-1001", ""}, {"Åsa/7", ""}, {"a\tb", "control"}, {"a\x7fb", "control"}, {"\xc3", "UTF-8"}, {"ok\xe2\x82", "UTF-8"},
	} {
		err := lantern.ValidateID("id", tt.id)
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(lantern.ErrorMessage(err), tt.want) {
			t.Errorf("ValidateID(%q) = %v, want %q", tt.id, err, tt.want)
		}
	}
}

// The hot path validates every event: ValidateOneOf and ValidateID must not
// allocate on success.
func TestValidateDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(1000, func() {
		_ = lantern.ValidateOneOf("kind", "sms", lantern.CommsCall, lantern.CommsSMS, lantern.CommsApp)
		_ = lantern.ValidateID("id", "event-0001")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per successful validation", allocs)
	}
}
