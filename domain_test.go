package lantern_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"lantern"
)

var (
	t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(8 * time.Hour)
)

func ptr[T any](v T) *T { return &v }

func validStaff() *lantern.Staff {
	return &lantern.Staff{ID: "S1", Category: lantern.CategoryOfficer, Role: lantern.RoleResponse, Gender: lantern.GenderMale, StartDate: t0}
}

// validator is anything with a Validate method.
type validator interface{ Validate() error }

// checkValidation runs one table of validation cases: wantField "" means the
// value is valid, otherwise the EINVALID error must name that field.
func checkValidation(t *testing.T, name string, v validator, wantField string) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		err := v.Validate()
		if wantField == "" {
			if err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			return
		}
		if lantern.ErrorCode(err) != lantern.EINVALID {
			t.Fatalf("want EINVALID, got %v", err)
		}
		if got := lantern.ErrorField(err); got != wantField {
			t.Fatalf("field = %q, want %q (%v)", got, wantField, err)
		}
	})
}

func TestStaffValidate(t *testing.T) {
	mod := func(f func(*lantern.Staff)) *lantern.Staff { s := validStaff(); f(s); return s }
	checkValidation(t, "valid", validStaff(), "")
	checkValidation(t, "no id", mod(func(s *lantern.Staff) { s.ID = "" }), "id")
	checkValidation(t, "long id", mod(func(s *lantern.Staff) { s.ID = strings.Repeat("x", 129) }), "id")
	checkValidation(t, "control char", mod(func(s *lantern.Staff) { s.ID = "a\x00b" }), "id")
	checkValidation(t, "bad utf8", mod(func(s *lantern.Staff) { s.ID = "a\xffb" }), "id")
	checkValidation(t, "padded id", mod(func(s *lantern.Staff) { s.ID = " S1" }), "id")
	checkValidation(t, "bad category", mod(func(s *lantern.Staff) { s.Category = "wizard" }), "category")
	checkValidation(t, "role upper", mod(func(s *lantern.Staff) { s.Role = "Response" }), "role")
	checkValidation(t, "role empty", mod(func(s *lantern.Staff) { s.Role = "" }), "role")
	checkValidation(t, "custom role", mod(func(s *lantern.Staff) { s.Role = "road_policing" }), "")
	checkValidation(t, "bad gender", mod(func(s *lantern.Staff) { s.Gender = "" }), "gender")
	checkValidation(t, "no start", mod(func(s *lantern.Staff) { s.StartDate = time.Time{} }), "start_date")
	checkValidation(t, "ancient start", mod(func(s *lantern.Staff) { s.StartDate = time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC) }), "start_date")
	checkValidation(t, "left before start", mod(func(s *lantern.Staff) { s.LeftDate = ptr(t0.Add(-time.Hour)) }), "left_date")
	checkValidation(t, "bad team", mod(func(s *lantern.Staff) { s.Team = "x\ny" }), "team")
}

func TestPersonValidateNormalises(t *testing.T) {
	p := &lantern.Person{ID: "P1", Gender: lantern.GenderFemale, BirthYear: 1990,
		Flags: []string{"mental_health", "domestic_abuse_victim", "mental_health"}, PhoneHashes: []string{"b", "a", "b"}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Flags) != "[domestic_abuse_victim mental_health]" || fmt.Sprint(p.PhoneHashes) != "[a b]" {
		t.Fatalf("not normalised: %v %v", p.Flags, p.PhoneHashes)
	}
	if !p.HasFlag(lantern.FlagDomesticAbuseVictim) || p.HasFlag(lantern.FlagChild) {
		t.Error("HasFlag wrong")
	}
	if age := p.AgeAt(time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)); age != 34 {
		t.Errorf("age at Dec 2024 = %d, want 34", age)
	}
	if age := p.AgeAt(time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)); age != 33 {
		t.Errorf("age at Jan 2024 = %d, want 33", age)
	}
	if age := (&lantern.Person{}).AgeAt(t0); age != -1 {
		t.Errorf("unknown age = %d", age)
	}
}

func TestPersonValidate(t *testing.T) {
	valid := func() *lantern.Person { return &lantern.Person{ID: "P1", Gender: lantern.GenderUnknown} }
	mod := func(f func(*lantern.Person)) *lantern.Person { p := valid(); f(p); return p }
	checkValidation(t, "valid", valid(), "")
	checkValidation(t, "bad flag", mod(func(p *lantern.Person) { p.Flags = []string{"Vulnerable!"} }), "flags")
	checkValidation(t, "birth year", mod(func(p *lantern.Person) { p.BirthYear = 1066 }), "birth_year")
	checkValidation(t, "too many numbers", mod(func(p *lantern.Person) {
		for i := range lantern.MaxPhoneHashes + 1 {
			p.PhoneHashes = append(p.PhoneHashes, fmt.Sprint(i))
		}
	}), "phone_hashes")
	checkValidation(t, "bad gender", mod(func(p *lantern.Person) { p.Gender = "F" }), "gender")
}

func TestIncidentValidate(t *testing.T) {
	valid := func() *lantern.Incident {
		return &lantern.Incident{ID: "I1", Type: lantern.IncidentDomesticAbuse, Status: lantern.StatusOpen, OpenedAt: t0}
	}
	mod := func(f func(*lantern.Incident)) *lantern.Incident { i := valid(); f(i); return i }
	checkValidation(t, "valid open", valid(), "")
	checkValidation(t, "valid closed", mod(func(i *lantern.Incident) { i.Status, i.ClosedAt = lantern.StatusClosed, ptr(t1) }), "")
	checkValidation(t, "closed without time", mod(func(i *lantern.Incident) { i.Status = lantern.StatusClosed }), "closed_at")
	checkValidation(t, "open with close time", mod(func(i *lantern.Incident) { i.ClosedAt = ptr(t1) }), "closed_at")
	checkValidation(t, "closed before open", mod(func(i *lantern.Incident) { i.Status, i.ClosedAt = lantern.StatusClosed, ptr(t0.Add(-time.Second)) }), "closed_at")
	checkValidation(t, "bad status", mod(func(i *lantern.Incident) { i.Status = "pending" }), "status")
	checkValidation(t, "bad type", mod(func(i *lantern.Incident) { i.Type = "" }), "type")
	checkValidation(t, "no opened", mod(func(i *lantern.Incident) { i.OpenedAt = time.Time{} }), "opened_at")
	checkValidation(t, "reopened later", mod(func(i *lantern.Incident) { i.StatusAt = t1 }), "")
	checkValidation(t, "status before opening", mod(func(i *lantern.Incident) { i.StatusAt = t0.Add(-time.Hour) }), "status_at")
	checkValidation(t, "closed status_at differs", mod(func(i *lantern.Incident) {
		i.Status, i.ClosedAt, i.StatusAt = lantern.StatusClosed, ptr(t1), t1.Add(time.Hour)
	}), "status_at")

	open := valid()
	open.Validate()
	closed := mod(func(i *lantern.Incident) { i.Status, i.ClosedAt = lantern.StatusClosed, ptr(t1) })
	closed.Validate()
	if !open.StatusAt.Equal(t0) || !closed.StatusAt.Equal(t1) {
		t.Errorf("StatusAt defaults: open %s, closed %s", open.StatusAt, closed.StatusAt)
	}
}

func TestLinksValidate(t *testing.T) {
	checkValidation(t, "involvement valid", &lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: lantern.PartVictim, At: t0}, "")
	checkValidation(t, "involvement part", &lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: "bystander", At: t0}, "part")
	checkValidation(t, "involvement person", &lantern.Involvement{IncidentID: "I1", Part: lantern.PartVictim, At: t0}, "person_id")
	checkValidation(t, "assignment valid", &lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: lantern.AssignmentAttended, At: t0, Until: ptr(t1)}, "")
	checkValidation(t, "assignment kind", &lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: "visited", At: t0}, "kind")
	checkValidation(t, "assignment until", &lantern.Assignment{IncidentID: "I1", StaffID: "S1", Kind: lantern.AssignmentAssigned, At: t1, Until: ptr(t0)}, "until")
	checkValidation(t, "status change valid", &lantern.StatusChange{IncidentID: "I1", Status: lantern.StatusClosed, At: t0}, "")
	checkValidation(t, "status change status", &lantern.StatusChange{IncidentID: "I1", Status: "shut", At: t0}, "status")
}

func TestShiftValidate(t *testing.T) {
	checkValidation(t, "duty", &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftDuty, Start: t0, End: t1}, "")
	checkValidation(t, "long leave", &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftLeave, Start: t0, End: t0.Add(14 * 24 * time.Hour)}, "")
	checkValidation(t, "long duty", &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftDuty, Start: t0, End: t0.Add(25 * time.Hour)}, "end")
	checkValidation(t, "backwards", &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftDuty, Start: t1, End: t0}, "end")
	checkValidation(t, "empty", &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftDuty, Start: t0, End: t0}, "end")
	checkValidation(t, "kind", &lantern.Shift{StaffID: "S1", Kind: "nap", Start: t0, End: t1}, "kind")

	s := &lantern.Shift{StaffID: "S1", Kind: lantern.ShiftDuty, Start: t0, End: t1}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{t0.Add(-time.Nanosecond), false}, {t0, true}, {t1.Add(-time.Nanosecond), true}, {t1, false}} {
		if got := s.Covers(c.at); got != c.want {
			t.Errorf("Covers(%s) = %v", c.at, got)
		}
	}
	if (&lantern.Shift{Kind: lantern.ShiftSick}).Working() || !(&lantern.Shift{Kind: lantern.ShiftCourt}).Working() {
		t.Error("Working wrong")
	}
}

func TestErrorHelpers(t *testing.T) {
	err := fmt.Errorf("wrap: %w", lantern.FieldErrorf("role", "role is required"))
	if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) != "role" || lantern.ErrorMessage(err) != "role is required" {
		t.Errorf("helpers on wrapped error: %q %q %q", lantern.ErrorCode(err), lantern.ErrorField(err), lantern.ErrorMessage(err))
	}
	plain := errors.New("disk on fire at /secret/path")
	if lantern.ErrorCode(plain) != lantern.EINTERNAL || strings.Contains(lantern.ErrorMessage(plain), "secret") {
		t.Error("internal errors must not leak their text")
	}
	if lantern.ErrorCode(nil) != "" || lantern.ErrorMessage(nil) != "" {
		t.Error("nil error")
	}
}
