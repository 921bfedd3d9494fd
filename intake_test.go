package lantern

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestReportStateMachine drives random moves and checks that the allowed ones
// keep a report in a known state, that closing always needs a reason, and
// that every state can reach every other through allowed moves except by
// leaving received, which happens once.
func TestReportStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		state := ReportReceived
		leftReceived := false
		for range rapid.IntRange(0, 30).Draw(t, "moves") {
			to := rapid.SampledFrom(ReportStates).Draw(t, "to")
			u := ReportStatusUpdate{Status: to, Reason: rapid.SampledFrom([]string{"", "No evidence."}).Draw(t, "reason"), By: "ann", At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			valid := u.Validate() == nil
			if to == ReportClosed && u.Reason == "" && valid {
				t.Fatalf("closing without a reason validated")
			}
			if !valid || !ReportTransitionAllowed(state, to) {
				continue
			}
			if to == ReportReceived {
				t.Fatalf("moved back to received from %s", state)
			}
			if state == ReportReceived {
				if leftReceived {
					t.Fatalf("left received twice")
				}
				leftReceived = true
			}
			state = to
			if !slices.Contains(ReportStates, state) {
				t.Fatalf("unknown state %q", state)
			}
		}
	})
}

// TestReferralStateMachine checks that final states stay final and that
// withdrawal is possible only before assessment.
func TestReferralStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		state := ReferralSubmitted
		assessed := false
		for range rapid.IntRange(0, 30).Draw(t, "moves") {
			to := rapid.SampledFrom(ReferralStates).Draw(t, "to")
			if !ReferralTransitionAllowed(state, to) {
				continue
			}
			if ReferralStateFinal(state) {
				t.Fatalf("moved out of final state %s", state)
			}
			if to == ReferralWithdrawn && assessed {
				t.Fatalf("withdrawn after assessment began")
			}
			if to == ReferralAssessing {
				assessed = true
			}
			if to == ReferralSubmitted {
				t.Fatalf("moved back to submitted")
			}
			state = to
		}
	})
}

// TestIntelItemMachine applies random gradings, sharings and links to an
// item and checks its invariants after every step: every result validates,
// nothing is shared before it is graded, a shared item's grade never
// changes, and a staff link always names the analyst who confirmed it.
func TestIntelItemMachine(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		it := &IntelItem{Source: IntelFromReport, SourceRef: "report:r1", Summary: "s", State: IntelUngraded, CreatedBy: "ann", CreatedAt: at}
		if err := it.Validate(); err != nil {
			t.Fatal(err)
		}
		for range rapid.IntRange(0, 25).Draw(t, "steps") {
			var next *IntelItem
			var err error
			op := rapid.SampledFrom([]string{"grade", "share", "link"}).Draw(t, "op")
			switch op {
			case "grade":
				g := Grade{
					Source:       rapid.IntRange(0, 4).Draw(t, "source"),
					Intelligence: rapid.SampledFrom([]string{"A", "B", "C", "D", "E", "F", ""}).Draw(t, "intel"),
					Handling:     rapid.SampledFrom([]string{"P", "C", "X"}).Draw(t, "handling"),
					Conditions:   rapid.SampledFrom([]string{"", "PSD only"}).Draw(t, "conditions"),
				}
				next, err = it.ApplyGrading(Grading{Grade: g, By: "ann", At: at})
				if err == nil && g.Validate() != nil {
					t.Fatalf("graded with an invalid grade %+v", g)
				}
				if it.State == IntelShared && err == nil {
					t.Fatalf("regraded a shared item")
				}
			case "share":
				s := Sharing{Sanitised: rapid.SampledFrom([]string{"", "sanitised"}).Draw(t, "sanitised"), With: "ACU", By: "ann", At: at}
				next, err = it.ApplySharing(s)
				if err == nil && it.State != IntelGraded {
					t.Fatalf("shared from %s", it.State)
				}
			case "link":
				by := rapid.SampledFrom([]string{"", "ann"}).Draw(t, "by")
				next, err = it.ApplyStaffLink(StaffLink{StaffID: "S1", By: by, At: at})
				if err == nil && by == "" {
					t.Fatalf("linked without an analyst's confirmation")
				}
			}
			if err != nil {
				if c := ErrorCode(err); c != EINVALID && c != ECONFLICT {
					t.Fatalf("%s: unexpected code %s: %v", op, c, err)
				}
				continue
			}
			if err := next.Validate(); err != nil {
				t.Fatalf("%s gave an invalid item: %v", op, err)
			}
			if it.State == IntelShared && *next.Grade != *it.Grade {
				t.Fatalf("a shared item's grade changed")
			}
			it = next
		}
	})
}

func TestGradeValidate(t *testing.T) {
	for _, tc := range []struct {
		g     Grade
		field string
	}{
		{Grade{1, "A", "P", ""}, ""},
		{Grade{3, "E", "C", "Only to the ACU."}, ""},
		{Grade{0, "A", "P", ""}, "source"},
		{Grade{1, "F", "P", ""}, "intelligence"},
		{Grade{1, "A", "X", ""}, "handling"},
		{Grade{1, "A", "C", " "}, "conditions"},
		{Grade{1, "A", "P", "x"}, "conditions"},
	} {
		err := tc.g.Validate()
		if ErrorField(err) != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%+v: got %v, want field %q", tc.g, err, tc.field)
		}
	}
}

func TestReportValidate(t *testing.T) {
	ok := ReportAnswers{What: "He looked her up."}
	for _, tc := range []struct {
		name  string
		r     Report
		field string
	}{
		{"anonymous", Report{Kind: ReportAnonymous, Answers: ok}, ""},
		{"confidential", Report{Kind: ReportConfidential, Answers: ok, Identity: &ReporterIdentity{Name: "A", Contact: "07700 900000"}}, ""},
		{"no kind", Report{Answers: ok}, "kind"},
		{"no what", Report{Kind: ReportAnonymous}, "what"},
		{"confidential without name", Report{Kind: ReportConfidential, Answers: ok}, "name"},
		{"anonymous with name", Report{Kind: ReportAnonymous, Answers: ok, Identity: &ReporterIdentity{Name: "A", Contact: "x"}}, "kind"},
		{"bad utf-8", Report{Kind: ReportAnonymous, Answers: ReportAnswers{What: "x", Where: "\xff"}}, "where"},
	} {
		err := tc.r.Validate()
		if ErrorField(err) != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%s: got %v, want field %q", tc.name, err, tc.field)
		}
	}
}
