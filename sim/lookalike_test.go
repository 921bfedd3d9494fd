package sim

import (
	"bytes"
	"testing"
	"time"

	"lantern/ingest"
)

// TestLegitimateLookAlikes checks that the force does, legitimately, what
// offenders do, so that a detector has to tell them apart: the domestic
// abuse unit reads many victims' records, the control room reads far more
// than anyone, officers reread closed cases months later before a trial,
// cases are reopened, closed cases are assigned for review, officers attend
// incidents outside their area, and family liaison officers ring families.
// Staff also leave, and make no entries after they have gone.
func TestLegitimateLookAlikes(t *testing.T) {
	dir, st := generate(t, moderateForce)
	f := loadReference(t, dir)
	role, area, left, daVictim, incidents, courts := f.role, f.area, f.left, f.daVictim, f.incidents, f.courts
	reviews, mutualAid, afterReopen := 0, 0, 0
	eachLine(t, dir, ingest.KindAssignment, func(_ int, line []byte) {
		h, s := incidents[field(line, "incident_id")], field(line, "staff_id")
		at := fieldTime(t, line, "at")
		switch {
		case field(line, "kind") == "attended" && role[s] == "response" && h.area != area[s]:
			mutualAid++
		case h.closed.IsZero() || !at.After(h.closed):
		case h.reopens > 0:
			afterReopen++
		default:
			reviews++
		}
	})

	daViews := map[string]map[string]bool{} // staff → DA victims viewed
	courtPrep := 0
	eachLine(t, dir, ingest.KindAccess, func(n int, line []byte) {
		s, p := field(line, "staff_id"), field(line, "person_id")
		if d := left[s]; d != "" && field(line, "time") >= d {
			t.Errorf("access.jsonl:%d: %s made an entry after leaving on %s", n, s, d)
		}
		if r := role[s]; (r == "safeguarding" || r == "response") && daVictim[p] {
			if daViews[s] == nil {
				daViews[s] = map[string]bool{}
			}
			daViews[s][p] = true
		}
		in := incidents[field(line, "incident_id")]
		if in == nil || in.closed.IsZero() || !bytes.Contains(line, []byte(`"statement"`)) {
			return
		}
		at := fieldTime(t, line, "time")
		if at.Sub(in.closed) < 45*24*time.Hour {
			return
		}
		for _, c := range courts[s] {
			if c.After(at) && c.Sub(at) < 15*24*time.Hour {
				courtPrep++
				return
			}
		}
	})
	mean := func(r string) float64 {
		n, sum := 0, 0
		for s, viewed := range daViews {
			if role[s] == r {
				n, sum = n+1, sum+len(viewed)
			}
		}
		return float64(sum) / float64(max(n, 1))
	}
	t.Logf("distinct domestic abuse victims viewed: safeguarding %.1f each, response %.1f; court preparation %d, reopened %d, reviews %d, mutual aid %d",
		mean("safeguarding"), mean("response"), courtPrep, afterReopen, reviews, mutualAid)
	if sg, resp := mean("safeguarding"), mean("response"); sg < 3*resp {
		t.Errorf("the domestic abuse unit views %.1f distinct victims each, response officers %.1f", sg, resp)
	}
	perShift := map[string]float64{}
	for _, r := range st.Roles {
		perShift[r.Role] = r.AccessPerShift()
	}
	if perShift["control_room"] < 3*perShift["response"] || perShift["analyst"] < perShift["response"] {
		t.Errorf("audit entries per shift: %v", perShift)
	}
	for name, n := range map[string]int{"court preparation months after closure": courtPrep, "reopened case assignment": afterReopen,
		"review of a closed case": reviews, "mutual aid out of area": mutualAid, "leaver": len(left)} {
		if n == 0 {
			t.Errorf("no %s in %s", name, moderateForce)
		}
	}
	if st.Roles[roleFamilyLiaison].Comms == 0 || st.Roles[roleControlRoom].Comms != 0 {
		t.Errorf("family liaison comms %d, control room comms %d", st.Roles[roleFamilyLiaison].Comms, st.Roles[roleControlRoom].Comms)
	}
}

// reference is what the look-alike checks need from a force's reference
// files.
type reference struct {
	role, area map[string]string   // staff → role, area
	left       map[string]string   // staff → left_date
	daVictim   map[string]bool     // person → carries the domestic abuse flag
	incidents  map[string]*history // incident → its history
	courts     map[string][]time.Time
}

// history is what happened to an incident.
type history struct {
	area    string
	closed  time.Time // first closing
	reopens int
}

func loadReference(t *testing.T, dir string) *reference {
	t.Helper()
	f := &reference{role: map[string]string{}, area: map[string]string{}, left: map[string]string{},
		daVictim: map[string]bool{}, incidents: map[string]*history{}, courts: map[string][]time.Time{}}
	eachLine(t, dir, ingest.KindStaff, func(_ int, line []byte) {
		id := field(line, "id")
		f.role[id], f.area[id] = field(line, "role"), field(line, "area")
		if d := field(line, "left_date"); d != "" {
			f.left[id] = d
		}
	})
	eachLine(t, dir, ingest.KindPerson, func(_ int, line []byte) {
		f.daVictim[field(line, "id")] = bytes.Contains(line, []byte(`"domestic_abuse_victim"`))
	})
	eachLine(t, dir, ingest.KindIncident, func(_ int, line []byte) {
		id := field(line, "id")
		h := f.incidents[id]
		if h == nil {
			h = &history{area: field(line, "area")}
			f.incidents[id] = h
		}
		switch field(line, "status") {
		case "closed":
			if h.closed.IsZero() {
				h.closed = fieldTime(t, line, "closed_at")
			}
		case "open":
			if !h.closed.IsZero() {
				h.reopens++
			}
		}
	})
	eachLine(t, dir, ingest.KindShift, func(_ int, line []byte) {
		if field(line, "kind") == "court" {
			s := field(line, "staff_id")
			f.courts[s] = append(f.courts[s], fieldTime(t, line, "start"))
		}
	})
	return f
}
