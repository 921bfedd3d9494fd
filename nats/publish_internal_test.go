package nats

import (
	"strings"
	"testing"
)

func TestSubjectMatches(t *testing.T) {
	tests := []struct {
		filter, subject string
		want            bool
	}{
		{"lantern.>", "lantern.a", true},
		{"lantern.>", "lantern.a.b.c", true},
		{"lantern.>", "lantern", false},
		{"lantern.>", "other.a", false},
		{"lantern.*", "lantern.a", true},
		{"lantern.*", "lantern.a.b", false},
		{"lantern.*.access", "lantern.s1.access", true},
		{"lantern.*.access", "lantern.s1.comms", false},
		{"lantern.a", "lantern.a", true},
		{"lantern.a", "lantern.ab", false},
		{">", "anything.at.all", true},
	}
	for _, tt := range tests {
		got := subjectMatches(strings.Split(tt.filter, "."), strings.Split(tt.subject, "."))
		if got != tt.want {
			t.Errorf("subjectMatches(%q, %q) = %v, want %v", tt.filter, tt.subject, got, tt.want)
		}
	}
}
