package sim

import (
	"testing"

	"lantern"
	"lantern/ingest"
)

// TestScreening checks the screening file of a moderate force: every member
// of staff in post for four weeks is checked, almost every check finds
// nothing, some offenders are named by a check after their behaviour began,
// and a few innocent staff have findings of their own.
func TestScreening(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a moderate force")
	}
	dir, _ := generate(t, moderateForce)
	truth, err := ReadTruth(dir + "/" + TruthFile)
	if err != nil {
		t.Fatal(err)
	}
	onset := map[string]bool{}
	for _, tr := range truth {
		onset[tr.StaffID] = true
	}
	checked := map[string]bool{}
	inPost := map[string]bool{}
	h := testHasher(t)
	results, findings := 0, 0
	namedOffenders, namedInnocents := map[string]bool{}, map[string]bool{}
	byCheck := map[string]int{}
	for _, k := range []ingest.Kind{ingest.KindStaff, ingest.KindScreening} {
		dec := ingest.NewDecoder(k, h)
		eachLine(t, dir, k, func(n int, line []byte) {
			r, err := dec.Decode(line)
			if err != nil {
				t.Fatalf("%s:%d: %v", k, n, err)
			}
			if k == ingest.KindStaff {
				if _, seen := inPost[r.StaffID]; !seen {
					inPost[r.StaffID] = r.Staff.StartDate.Before(defaultStart())
				}
				if r.Staff.LeftDate != nil {
					inPost[r.StaffID] = false
				}
				return
			}
			s := r.Screening
			results++
			checked[s.StaffID] = true
			byCheck[s.Check]++
			if !s.Finding() {
				return
			}
			findings++
			if onset[s.StaffID] {
				namedOffenders[s.StaffID] = true
			} else {
				namedInnocents[s.StaffID] = true
			}
			if s.Detail == "" || s.Check == lantern.CheckPNC && s.Result != lantern.ScreeningTrace {
				t.Errorf("finding %+v", s)
			}
		})
	}
	for id, ok := range inPost {
		if ok && !checked[id] {
			t.Errorf("%s was in post throughout and never checked", id)
			break
		}
	}
	if share := float64(findings) / float64(results); share > 0.01 || findings == 0 {
		t.Errorf("%d findings in %d results", findings, results)
	}
	if len(namedOffenders) == 0 || len(namedOffenders) == len(onset) {
		t.Errorf("%d of %d offenders named by screening", len(namedOffenders), len(onset))
	}
	if len(namedInnocents) == 0 {
		t.Error("no innocent member of staff has a finding")
	}
	for _, c := range []string{"pnc", "pnd", "nfib", "financial", "business_interests", "social_media"} {
		if byCheck[c] == 0 {
			t.Errorf("no %s checks", c)
		}
	}
	t.Logf("%d results, %d findings: %d of %d offenders, %d innocents", results, findings, len(namedOffenders), len(onset), len(namedInnocents))
}
