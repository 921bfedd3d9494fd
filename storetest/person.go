package storetest

import (
	"fmt"
	"testing"

	"lantern"
)

func testPerson(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testPersonRoundTrip(t, open) })
	t.Run("Replace", func(t *testing.T) { t.Parallel(); testPersonReplace(t, open) })
	t.Run("Invalid", func(t *testing.T) { t.Parallel(); testPersonInvalid(t, open) })
	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.UpsertPersons(t.Context(), newPerson("P1")))
		_, err := s.FindPersonByID(t.Context(), "P2")
		wantCode(t, err, lantern.ENOTFOUND)
		wantNoID(t, err, "P2")
	})
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		must(t, open(t).UpsertPersons(t.Context()))
	})
	t.Run("Find", func(t *testing.T) { t.Parallel(); testFindPersons(t, open) })
}

func testPersonRoundTrip(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		person *lantern.Person
	}{
		{"AllFields", &lantern.Person{
			ID:          "P1",
			Gender:      lantern.GenderFemale,
			BirthYear:   1990,
			Area:        "north",
			Flags:       []string{lantern.FlagMentalHealth, lantern.FlagChild, lantern.FlagMentalHealth},
			PhoneHashes: []string{"hash-b", "hash-a", "hash-b"},
		}},
		{"RequiredFieldsOnly", newPerson("P2")},
		{"EmptySets", &lantern.Person{ID: "P3", Gender: lantern.GenderMale, Flags: []string{}, PhoneHashes: []string{}}},
		{"MaxPhoneHashes", func() *lantern.Person {
			p := newPerson("P4")
			for i := range lantern.MaxPhoneHashes {
				p.PhoneHashes = append(p.PhoneHashes, fmt.Sprintf("h%02d", i))
			}
			return p
		}()},
		{"HashWithPunctuation", &lantern.Person{ID: "P5", Gender: lantern.GenderOther, PhoneHashes: []string{`a"b,c{d}`, "x y", "Z+/="}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			want := normPerson(tt.person)
			must(t, s.UpsertPersons(t.Context(), tt.person))

			got, err := s.FindPersonByID(t.Context(), want.ID)
			must(t, err)
			samePerson(t, got, want)
			if !tt.person.UpdatedAt.Equal(got.UpdatedAt) {
				t.Errorf("UpsertPersons set UpdatedAt %s, stored %s", tt.person.UpdatedAt, got.UpdatedAt)
			}

			list, n, err := s.FindPersons(t.Context(), lantern.PersonFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("FindPersons: %d people, total %d; want 1, 1", len(list), n)
			}
			samePerson(t, list[0], want)
		})
	}
}

func testPersonReplace(t *testing.T, open Opener) {
	s := open(t)
	must(t, s.UpsertPersons(t.Context(), &lantern.Person{
		ID: "P1", Gender: lantern.GenderFemale, BirthYear: 1980, Area: "north",
		Flags: []string{lantern.FlagChild}, PhoneHashes: []string{"hA", "hB"},
	}))
	repl := &lantern.Person{ID: "P1", Gender: lantern.GenderFemale, Flags: []string{lantern.FlagSexWorker}}
	must(t, s.UpsertPersons(t.Context(), repl))

	got, err := s.FindPersonByID(t.Context(), "P1")
	must(t, err)
	samePerson(t, got, repl)

	// The old flags and numbers are gone, not merged.
	for _, f := range []lantern.PersonFilter{{Flag: ptr(lantern.FlagChild)}, {PhoneHash: ptr("hA")}} {
		list, n, err := s.FindPersons(t.Context(), f)
		must(t, err)
		if n != 0 || len(list) != 0 {
			t.Errorf("FindPersons(%+v) after replace: %q total %d, want none", f, personIDs(list), n)
		}
	}
	list, _, err := s.FindPersons(t.Context(), lantern.PersonFilter{Flag: ptr(lantern.FlagSexWorker)})
	must(t, err)
	sameIDs(t, "new flag", personIDs(list), []string{"P1"})
}

func testPersonInvalid(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*lantern.Person)
		field  string
	}{
		{"EmptyID", func(p *lantern.Person) { p.ID = "" }, "id"},
		{"UnknownGender", func(p *lantern.Person) { p.Gender = "f" }, "gender"},
		{"BirthYearTooEarly", func(p *lantern.Person) { p.BirthYear = 1899 }, "birth_year"},
		{"BirthYearTooLate", func(p *lantern.Person) { p.BirthYear = 2200 }, "birth_year"},
		{"AreaSpaces", func(p *lantern.Person) { p.Area = "north " }, "area"},
		{"FlagNotToken", func(p *lantern.Person) { p.Flags = []string{"child", "Mental Health"} }, "flags"},
		{"TooManyHashes", func(p *lantern.Person) {
			for i := range lantern.MaxPhoneHashes + 1 {
				p.PhoneHashes = append(p.PhoneHashes, fmt.Sprint(i))
			}
		}, "phone_hashes"},
		{"ControlInHash", func(p *lantern.Person) { p.PhoneHashes = []string{"ab\x01"} }, "phone_hashes"},
	}
	// A rejected batch must leave the store as it was, so the cases share one.
	s := open(t)
	before := &lantern.Person{ID: "P0", Gender: lantern.GenderMale, Flags: []string{lantern.FlagChild}, PhoneHashes: []string{"h0"}}
	must(t, s.UpsertPersons(t.Context(), before))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := newPerson("P3")
			tt.change(bad)
			changed := &lantern.Person{ID: "P0", Gender: lantern.GenderFemale, PhoneHashes: []string{"h9"}}
			err := s.UpsertPersons(t.Context(), newPerson("P1"), changed, bad, newPerson("P2"))
			wantInvalid(t, err, tt.field)

			list, n, err := s.FindPersons(t.Context(), lantern.PersonFilter{})
			must(t, err)
			if n != 1 || len(list) != 1 {
				t.Fatalf("after a rejected batch: %q total %d, want only P0", personIDs(list), n)
			}
			samePerson(t, list[0], before)
		})
	}
}

func testFindPersons(t *testing.T, open Opener) {
	s := open(t)
	if _, n, err := s.FindPersons(t.Context(), lantern.PersonFilter{}); err != nil || n != 0 {
		t.Fatalf("empty store: total %d, error %v", n, err)
	}
	must(t, s.UpsertPersons(t.Context(),
		&lantern.Person{ID: "P4", Gender: lantern.GenderMale, Flags: []string{lantern.FlagChild}, PhoneHashes: []string{"hC"}},
		&lantern.Person{ID: "P1", Gender: lantern.GenderFemale, Flags: []string{lantern.FlagMentalHealth, lantern.FlagChild}, PhoneHashes: []string{"hB", "hA"}},
		&lantern.Person{ID: "P3", Gender: lantern.GenderUnknown},
		&lantern.Person{ID: "P2", Gender: lantern.GenderFemale, Flags: []string{lantern.FlagDomesticAbuseVictim}, PhoneHashes: []string{"hB"}},
	))
	tests := []struct {
		name   string
		filter lantern.PersonFilter
		want   []string
		total  int
	}{
		{"All", lantern.PersonFilter{}, []string{"P1", "P2", "P3", "P4"}, 4},
		{"ID", lantern.PersonFilter{ID: ptr("P3")}, []string{"P3"}, 1},
		{"Flag", lantern.PersonFilter{Flag: ptr(lantern.FlagChild)}, []string{"P1", "P4"}, 2},
		{"OtherFlag", lantern.PersonFilter{Flag: ptr(lantern.FlagDomesticAbuseVictim)}, []string{"P2"}, 1},
		{"UnheldFlag", lantern.PersonFilter{Flag: ptr(lantern.FlagSexWorker)}, []string{}, 0},
		{"PhoneHash", lantern.PersonFilter{PhoneHash: ptr("hB")}, []string{"P1", "P2"}, 2},
		{"UnheldPhoneHash", lantern.PersonFilter{PhoneHash: ptr("hZ")}, []string{}, 0},
		{"FlagAndPhoneHash", lantern.PersonFilter{Flag: ptr(lantern.FlagChild), PhoneHash: ptr("hB")}, []string{"P1"}, 1},
		{"IDAndFlag", lantern.PersonFilter{ID: ptr("P2"), Flag: ptr(lantern.FlagChild)}, []string{}, 0},
		{"Limit", lantern.PersonFilter{Limit: 3}, []string{"P1", "P2", "P3"}, 4},
		{"Offset", lantern.PersonFilter{Offset: 2}, []string{"P3", "P4"}, 4},
		{"OffsetPastEnd", lantern.PersonFilter{Offset: 4}, []string{}, 4},
		{"FilterAndPage", lantern.PersonFilter{PhoneHash: ptr("hB"), Offset: 1, Limit: 5}, []string{"P2"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, n, err := s.FindPersons(t.Context(), tt.filter)
			must(t, err)
			sameIDs(t, "FindPersons", personIDs(list), tt.want)
			if n != tt.total {
				t.Errorf("total = %d, want %d", n, tt.total)
			}
		})
	}
	t.Run("FlagsAndHashesInList", func(t *testing.T) {
		list, _, err := s.FindPersons(t.Context(), lantern.PersonFilter{Flag: ptr(lantern.FlagChild)})
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("got %d people, want 2", len(list))
		}
		samePerson(t, list[0], &lantern.Person{ID: "P1", Gender: lantern.GenderFemale, Flags: []string{lantern.FlagChild, lantern.FlagMentalHealth}, PhoneHashes: []string{"hA", "hB"}})
	})
	for _, f := range []lantern.PersonFilter{{Offset: -1}, {Limit: -1}} {
		_, _, err := s.FindPersons(t.Context(), f)
		wantCode(t, err, lantern.EINVALID)
	}
}
