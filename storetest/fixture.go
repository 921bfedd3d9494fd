package storetest

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lantern"
)

// base is the instant the fixtures are laid out from.
func base() time.Time { return time.Date(2024, time.March, 1, 8, 0, 0, 0, time.UTC) }

// hour returns base plus h hours.
func hour(h float64) time.Time { return base().Add(time.Duration(h * float64(time.Hour))) }

// fine returns t plus a sub-microsecond part, in a zone other than UTC, so that
// a round trip proves a store keeps microseconds, drops the rest and answers
// in UTC.
func fine(t time.Time) time.Time {
	return t.Add(123456789 * time.Nanosecond).In(time.FixedZone("UTC+05:30", 5*3600+1800))
}

// norm is what a store must give back for t.
func norm(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

func ptr[T any](v T) *T { return &v }

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := lantern.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
}

// wantNoID fails the test if err's message names id: messages reach logs,
// and the identifiers of people and staff are personal data.
func wantNoID(t *testing.T, err error, id string) {
	t.Helper()
	if msg := lantern.ErrorMessage(err); strings.Contains(msg, id) {
		t.Errorf("error message %q names %q", msg, id)
	}
}

// wantInvalid fails the test unless err is EINVALID about field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, lantern.EINVALID)
	if got := lantern.ErrorField(err); got != field {
		t.Fatalf("error field = %q, want %q (error: %v)", got, field, err)
	}
}

// same fails the test unless got and want encode to the same JSON and every
// time in got is in UTC.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
	checkUTC(t, what, reflect.ValueOf(got))
}

// checkUTC fails the test if any time reachable from v is not in UTC: JSON
// alone cannot tell UTC from another zone at offset zero.
func checkUTC(t *testing.T, what string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkUTC(t, what, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkUTC(t, what, v.Index(i))
		}
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			if !tm.IsZero() && tm.Location() != time.UTC {
				t.Errorf("%s: time %s is in %s, want UTC", what, tm, tm.Location())
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				checkUTC(t, what+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
}

// sameIDs fails the test unless got is want, in order.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got IDs %q, want %q", what, got, want)
	}
}

func newStaff(id string) *lantern.Staff {
	return &lantern.Staff{
		ID:        id,
		Category:  lantern.CategoryOfficer,
		Role:      lantern.RoleResponse,
		Gender:    lantern.GenderFemale,
		StartDate: time.Date(2015, time.September, 1, 0, 0, 0, 0, time.UTC),
	}
}

func fullStaff(id string) *lantern.Staff {
	return &lantern.Staff{
		ID:           id,
		CollarNumber: "PC 4471",
		Name:         "Alex Example",
		Category:     lantern.CategorySpecial,
		Role:         lantern.RoleSafeguarding,
		Rank:         "sergeant",
		Team:         "PPU-2",
		Station:      "Central",
		Area:         "north",
		Gender:       lantern.GenderOther,
		StartDate:    fine(time.Date(2010, time.April, 6, 9, 30, 0, 0, time.UTC)),
		LeftDate:     ptr(fine(time.Date(2023, time.December, 31, 17, 0, 0, 0, time.UTC))),
	}
}

// normStaff is what a store must give back for s, UpdatedAt aside.
func normStaff(s *lantern.Staff) *lantern.Staff {
	c := *s
	c.StartDate = norm(c.StartDate)
	c.LeftDate = normPtr(c.LeftDate)
	c.UpdatedAt = time.Time{}
	return &c
}

// sameStaff compares got with normStaff(want), after checking that the store
// stamped UpdatedAt.
func sameStaff(t *testing.T, got, want *lantern.Staff) {
	t.Helper()
	if got == nil {
		t.Fatalf("staff %q: got nil", want.ID)
	}
	g := *got
	if g.UpdatedAt.IsZero() {
		t.Errorf("staff %q: UpdatedAt is zero", g.ID)
	}
	checkUTC(t, "staff "+g.ID, reflect.ValueOf(g))
	g.UpdatedAt = time.Time{}
	same(t, "staff "+want.ID, &g, normStaff(want))
}

func staffIDs(list []*lantern.Staff) []string {
	ids := []string{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func newPerson(id string) *lantern.Person {
	return &lantern.Person{ID: id, Gender: lantern.GenderUnknown}
}

// normPerson is what a store must give back for p, UpdatedAt aside.
func normPerson(p *lantern.Person) *lantern.Person {
	c := *p
	c.Flags = sortedSet(p.Flags)
	c.PhoneHashes = sortedSet(p.PhoneHashes)
	c.UpdatedAt = time.Time{}
	return &c
}

func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Compact(slices.Sorted(slices.Values(s)))
}

// samePerson compares got with normPerson(want), after checking that the
// store stamped UpdatedAt.
func samePerson(t *testing.T, got, want *lantern.Person) {
	t.Helper()
	if got == nil {
		t.Fatalf("person %q: got nil", want.ID)
	}
	g := *got
	if g.UpdatedAt.IsZero() {
		t.Errorf("person %q: UpdatedAt is zero", g.ID)
	}
	checkUTC(t, "person "+g.ID, reflect.ValueOf(g))
	g.UpdatedAt = time.Time{}
	same(t, "person "+want.ID, &g, normPerson(want))
}

func personIDs(list []*lantern.Person) []string {
	ids := []string{}
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	return ids
}

func newIncident(id string) *lantern.Incident {
	return &lantern.Incident{ID: id, Type: lantern.IncidentTheft, Status: lantern.StatusOpen, OpenedAt: base()}
}

func closedIncident(id string, opened, closed time.Time) *lantern.Incident {
	return &lantern.Incident{ID: id, Type: lantern.IncidentAssault, Status: lantern.StatusClosed, OpenedAt: opened, ClosedAt: &closed}
}

// reopenedIncident returns an open incident that opened at opened and whose
// latest reopening was at reopened.
func reopenedIncident(id string, opened, reopened time.Time) *lantern.Incident {
	return &lantern.Incident{ID: id, Type: lantern.IncidentAssault, Status: lantern.StatusOpen, OpenedAt: opened, StatusAt: reopened}
}

// normIncident is what a store must give back for i, UpdatedAt aside. A zero
// StatusAt is filled as Validate fills it.
func normIncident(i *lantern.Incident) *lantern.Incident {
	c := *i
	if c.StatusAt.IsZero() {
		c.StatusAt = c.OpenedAt
		if c.ClosedAt != nil {
			c.StatusAt = *c.ClosedAt
		}
	}
	c.OpenedAt = norm(c.OpenedAt)
	c.ClosedAt = normPtr(c.ClosedAt)
	c.StatusAt = norm(c.StatusAt)
	c.Involvements = nil
	for _, v := range i.Involvements {
		n := *v
		n.At = norm(n.At)
		c.Involvements = append(c.Involvements, &n)
	}
	c.Assignments = nil
	for _, a := range i.Assignments {
		n := *a
		n.At = norm(n.At)
		n.Until = normPtr(n.Until)
		c.Assignments = append(c.Assignments, &n)
	}
	c.UpdatedAt = time.Time{}
	return &c
}

// sameIncident compares got with normIncident(want), after checking that the
// store stamped UpdatedAt.
func sameIncident(t *testing.T, got, want *lantern.Incident) {
	t.Helper()
	if got == nil {
		t.Fatalf("incident %q: got nil", want.ID)
	}
	g := *got
	if g.UpdatedAt.IsZero() {
		t.Errorf("incident %q: UpdatedAt is zero", g.ID)
	}
	checkUTC(t, "incident "+g.ID, reflect.ValueOf(g))
	g.UpdatedAt = time.Time{}
	same(t, "incident "+want.ID, &g, normIncident(want))
}

func incidentIDs(list []*lantern.Incident) []string {
	ids := []string{}
	for _, i := range list {
		ids = append(ids, i.ID)
	}
	return ids
}

// mustFindIncident returns the incident or fails the test.
func mustFindIncident(t *testing.T, s lantern.Store, id string) *lantern.Incident {
	t.Helper()
	inc, err := s.FindIncidentByID(t.Context(), id)
	if err != nil {
		t.Fatalf("FindIncidentByID(%q): %v", id, err)
	}
	return inc
}

// must fails the test if err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
