package referral

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"lantern"
	"lantern/sqlite"
)

func TestNameWordsAndCollarKey(t *testing.T) {
	for in, want := range map[string]string{"PC Gary O'Neil": "gary o'neil", "Sgt. J. Smith-Jones": "smith-jones", "DC  TANNER": "tanner", "": ""} {
		if got := strings.Join(nameWords(in), " "); got != want {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"PC 2210": "2210", "pc2210": "2210", " 2210 ": "2210", "AB 12": "AB12", "PCSO 77": "77", "PC": ""} {
		if got := collarKey(in); got != want {
			t.Errorf("collarKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProposerRanksReferralMatches checks the referral proposer against
// real staff records: collar number and name first, then collar number
// with part of the name, collar number alone, then name alone; a force
// that is not this one is noted in every reason.
func TestProposerRanksReferralMatches(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	staff := []*lantern.Staff{
		{ID: "S1", CollarNumber: "2210", Name: "Gary Tanner"},
		{ID: "S2", CollarNumber: "4471", Name: "Gary Tanner"},  // the name only
		{ID: "S3", CollarNumber: "2210", Name: "Gary Hughes"},  // collar, part of the name (a record shared across forces)
		{ID: "S4", CollarNumber: "2210", Name: "Sarah Wilson"}, // collar alone
		{ID: "S5", CollarNumber: "9999", Name: "Gary Wilson"},  // neither
		{ID: "S0", CollarNumber: "2210", Name: "Gary Tanner"},  // ties sort by id
	}
	for _, s := range staff {
		s.Category, s.Role, s.Gender, s.StartDate = "officer", "response", "male", start
		if err := st.UpsertStaff(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	r := &lantern.Referral{Partner: "refuge", SubmittedBy: "pat", Concern: "c", VictimConsent: lantern.ConsentGiven, Safeguarding: lantern.SafeguardingInPlace,
		Officer: lantern.OfficerDetails{Name: "PC Gary Tanner", CollarNumber: "PC 2210", Force: "Westshire"}, SubmittedAt: start}
	if err := st.CreateReferral(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	ref := "referral:" + strconv.FormatInt(r.ID, 10)
	got, err := Proposer(st, st, "Midshire Police")(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.StaffID)
		if !strings.Contains(p.Reason, `force mismatch: the referral names the force as "Westshire"`) {
			t.Errorf("%s: no force mismatch in %q", p.StaffID, p.Reason)
		}
	}
	if strings.Join(ids, " ") != "S0 S1 S3 S4 S2" {
		t.Fatalf("order %v", ids)
	}
	for i, want := range []string{"Strong: collar number PC 2210 matches exactly; name matches", "", "Strong: collar number PC 2210 matches exactly; name matches only in part",
		"collar number PC 2210 matches exactly; but the name given (PC Gary Tanner) does not match theirs", "name matches (PC Gary Tanner); but the collar number given (PC 2210) is not theirs"} {
		if !strings.HasPrefix(got[i].Reason, want) {
			t.Errorf("%s: reason %q, want it to start %q", got[i].StaffID, got[i].Reason, want)
		}
	}
	// This force named: no note; no force named: none either.
	r2 := *r
	r2.ID, r2.Officer = 0, lantern.OfficerDetails{CollarNumber: "4471", Force: "midshire"}
	if err := st.CreateReferral(t.Context(), &r2); err != nil {
		t.Fatal(err)
	}
	got, err = Proposer(st, st, "Midshire Police")(t.Context(), "referral:"+strconv.FormatInt(r2.ID, 10))
	if err != nil || len(got) != 1 || got[0].StaffID != "S2" || strings.Contains(got[0].Reason, "force") {
		t.Fatalf("this force: %+v %v", got, err)
	}
	got, err = Proposer(st, st)(t.Context(), "referral:"+strconv.FormatInt(r2.ID, 10))
	if err != nil || len(got) != 1 || !strings.Contains(got[0].Reason, "check it is this force") {
		t.Fatalf("no force names known: %+v %v", got, err)
	}
	// Only a vehicle: nothing to match.
	r3 := *r
	r3.ID, r3.Officer = 0, lantern.OfficerDetails{Vehicle: "red Fiesta"}
	if err := st.CreateReferral(t.Context(), &r3); err != nil {
		t.Fatal(err)
	}
	if got, err := Proposer(st, st)(t.Context(), "referral:"+strconv.FormatInt(r3.ID, 10)); err != nil || len(got) != 0 {
		t.Fatalf("vehicle only: %+v %v", got, err)
	}
	for _, bad := range []string{"referral:999", "report:1", "referral:x"} {
		if _, err := Proposer(st, st)(t.Context(), bad); lantern.ErrorCode(err) != lantern.ENOTFOUND {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
