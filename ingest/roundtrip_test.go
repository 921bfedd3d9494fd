package ingest

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"lantern"
)

// Generators of valid domain values, for the AppendJSON/Decode round trip.

var (
	idRunes   = []rune("abcXYZ0189 -_./:#\"\\é😀中")
	textRunes = []rune("abc XYZ 0189\t\n\"\\/'<>&é😀中\u2028")
	minUnix   = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxUnix   = time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC).Unix() // room for later times
)

func genID() *rapid.Generator[string] {
	return rapid.StringOfN(rapid.RuneFrom(idRunes), 1, 40, lantern.MaxIDLen).
		Filter(func(s string) bool { return s[0] != ' ' && s[len(s)-1] != ' ' })
}

func genOptID() *rapid.Generator[string] {
	return rapid.OneOf(rapid.Just(""), genID())
}

func genToken() *rapid.Generator[string] {
	return rapid.StringMatching(`[a-z][a-z0-9_-]{0,15}`)
}

func genTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(minUnix, maxUnix).Draw(t, "sec")
		nsec := rapid.OneOf(rapid.Just(int64(0)), rapid.Int64Range(0, 999_999_999)).Draw(t, "nsec")
		return time.Unix(sec, nsec).UTC()
	})
}

func genHash() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "hash")
		return base64.RawURLEncoding.EncodeToString(b)
	})
}

// sortedSet draws a sorted list of unique values, nil when empty.
func sortedSet(t *rapid.T, g *rapid.Generator[string], max int, label string) []string {
	l := rapid.SliceOfNDistinct(g, 0, max, func(s string) string { return s }).Draw(t, label)
	if len(l) == 0 {
		return nil
	}
	slices.Sort(l)
	return l
}

func later(t *rapid.T, from time.Time, max time.Duration, label string) time.Time {
	return from.Add(time.Duration(rapid.Int64Range(1, int64(max)).Draw(t, label)))
}

func genRecord(t *rapid.T, kind Kind) *Record {
	r := &Record{Kind: kind}
	switch kind {
	case KindAccess:
		e := &lantern.AccessEvent{ID: genID().Draw(t, "id"), Time: genTime().Draw(t, "time"), StaffID: genID().Draw(t, "staff"),
			System: genToken().Draw(t, "system"), Action: rapid.SampledFrom(actionsForTest).Draw(t, "action"),
			PersonID: genOptID().Draw(t, "person"), IncidentID: genOptID().Draw(t, "incident"),
			Query:       rapid.StringOfN(rapid.RuneFrom(textRunes), 0, 60, lantern.MaxQueryBytes).Draw(t, "query"),
			Workstation: genOptID().Draw(t, "ws"), Location: genOptID().Draw(t, "loc")}
		if e.Action != lantern.ActionSearch && e.PersonID == "" && e.IncidentID == "" {
			e.PersonID = "P1"
		}
		if fields := rapid.SliceOfN(genToken(), 0, 8).Draw(t, "fields"); len(fields) > 0 {
			e.Fields = fields
		}
		r.ID, r.Time, r.StaffID, r.Access = e.ID, e.Time, e.StaffID, e
	case KindComms:
		e := &lantern.CommsEvent{ID: genID().Draw(t, "id"), Time: genTime().Draw(t, "time"), StaffID: genID().Draw(t, "staff"),
			Device: genID().Draw(t, "device"), Direction: rapid.SampledFrom([]string{"inbound", "outbound"}).Draw(t, "dir"),
			Kind: rapid.SampledFrom([]string{"call", "sms", "app"}).Draw(t, "kind"), NumberHash: genHash().Draw(t, "hash"),
			Duration: time.Duration(rapid.IntRange(0, maxDurationS).Draw(t, "dur")) * time.Second}
		r.ID, r.Time, r.StaffID, r.Comms = e.ID, e.Time, e.StaffID, e
	case KindStaff:
		s := &lantern.Staff{ID: genID().Draw(t, "id"), CollarNumber: genOptID().Draw(t, "collar"), Name: genOptID().Draw(t, "name"),
			Category: rapid.SampledFrom([]string{"officer", "staff", "special", "volunteer"}).Draw(t, "cat"), Role: genToken().Draw(t, "role"),
			Rank: genOptID().Draw(t, "rank"), Team: genOptID().Draw(t, "team"), Station: genOptID().Draw(t, "station"),
			Area: genOptID().Draw(t, "area"), Gender: rapid.SampledFrom(gendersForTest).Draw(t, "gender"), StartDate: genTime().Draw(t, "start")}
		if rapid.Bool().Draw(t, "left") {
			left := later(t, s.StartDate, time.Hour*24*365, "leftAfter")
			s.LeftDate = &left
		}
		s.UpdatedAt = genTime().Draw(t, "time")
		r.Time, r.StaffID, r.Staff = s.UpdatedAt, s.ID, s
	case KindPerson:
		p := &lantern.Person{ID: genID().Draw(t, "id"), Gender: rapid.SampledFrom(gendersForTest).Draw(t, "gender"),
			BirthYear: rapid.OneOf(rapid.Just(0), rapid.IntRange(1900, 2199)).Draw(t, "born"), Area: genOptID().Draw(t, "area"),
			Flags: sortedSet(t, genToken(), 6, "flags"), PhoneHashes: sortedSet(t, genHash(), lantern.MaxPhoneHashes, "phones"),
			UpdatedAt: genTime().Draw(t, "time")}
		r.Time, r.Person = p.UpdatedAt, p
	case KindIncident:
		i := &lantern.Incident{ID: genID().Draw(t, "id"), Type: genToken().Draw(t, "type"), Status: lantern.StatusOpen,
			OpenedAt: genTime().Draw(t, "opened"), Area: genOptID().Draw(t, "area")}
		if rapid.Bool().Draw(t, "closed") {
			closed := later(t, i.OpenedAt, 90*24*time.Hour, "closedAfter")
			i.Status, i.ClosedAt = lantern.StatusClosed, &closed
		}
		i.StatusAt = later(t, i.OpenedAt, 90*24*time.Hour, "time")
		if i.ClosedAt != nil {
			i.StatusAt = *i.ClosedAt
		}
		i.UpdatedAt = i.StatusAt
		r.Time, r.Incident = i.StatusAt, i
	case KindInvolvement:
		v := &lantern.Involvement{IncidentID: genID().Draw(t, "incident"), PersonID: genID().Draw(t, "person"),
			Part: rapid.SampledFrom([]string{"victim", "suspect", "witness", "other"}).Draw(t, "part"), At: genTime().Draw(t, "at")}
		r.Time, r.Involvement = v.At, v
	case KindAssignment:
		a := &lantern.Assignment{IncidentID: genID().Draw(t, "incident"), StaffID: genID().Draw(t, "staff"),
			Kind: rapid.SampledFrom([]string{"assigned", "attended"}).Draw(t, "kind"), At: genTime().Draw(t, "at")}
		if rapid.Bool().Draw(t, "ended") {
			until := later(t, a.At, 30*24*time.Hour, "until")
			a.Until = &until
		}
		r.Time, r.StaffID, r.Assignment = a.At, a.StaffID, a
	case KindShift:
		s := &lantern.Shift{StaffID: genID().Draw(t, "staff"), Kind: rapid.SampledFrom([]string{"duty", "leave", "sick", "training", "court"}).Draw(t, "kind"),
			Start: genTime().Draw(t, "start")}
		s.End = later(t, s.Start, lantern.MaxShiftLength, "length")
		r.Time, r.StaffID, r.Shift = s.Start, s.StaffID, s
	case KindScreening:
		s := &lantern.ScreeningResult{ID: genID().Draw(t, "id"), StaffID: genID().Draw(t, "staff"), CheckedAt: genTime().Draw(t, "at"),
			Check: rapid.SampledFrom(lantern.ScreeningChecks).Draw(t, "check"), Result: rapid.SampledFrom(lantern.ScreeningOutcomes).Draw(t, "result"),
			Detail: "x" + rapid.StringOfN(rapid.RuneFrom(textRunes), 0, 60, lantern.MaxScreeningDetail-1).Draw(t, "detail"), Reference: genOptID().Draw(t, "ref")}
		r.ID, r.Time, r.StaffID, r.Screening = s.ID, s.CheckedAt, s.StaffID, s
	}
	if kind.reference() {
		r.ID = genID().Draw(t, "record_id")
	}
	return r
}

var (
	actionsForTest = []string{"view", "search", "print", "export", "update", "create"}
	gendersForTest = []string{"female", "male", "other", "unknown"}
)

// TestRoundTrip checks that Decode(AppendJSON(r)) equals r for valid records
// of every kind, and that a reference record without record_id gets the same
// content ID every time.
func TestRoundTrip(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				r := genRecord(t, kind)
				d := NewDecoder(kind, nil)
				line := r.AppendJSON(nil)
				got, err := d.Decode(line)
				if err != nil {
					t.Fatalf("decode: %v\nline: %s", err, line)
				}
				if !reflect.DeepEqual(got, r) {
					t.Fatalf("round trip changed the record\nline: %s\nbefore: %s\nafter:  %s", line, dump(r), dump(got))
				}
				if !kind.reference() {
					return
				}
				anonymous := []byte(set(string(line), "record_id", "-"))
				a, errA := d.Decode(anonymous)
				b, errB := NewDecoder(kind, nil).Decode(anonymous)
				if errA != nil || errB != nil || a.ID != b.ID || !strings.HasPrefix(a.ID, string(kind)+":") || len(a.ID) != len(kind)+1+22 {
					t.Fatalf("content IDs %v %v: %v %v", a, b, errA, errB)
				}
			})
		})
	}
}
