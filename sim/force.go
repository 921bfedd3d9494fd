package sim

import "math"

// Scale of the force's organisation.
const (
	staffPerArea    = 400 // a basic command unit per this many staff, 3 to 16 units
	staffPerStation = 150
	terminals       = 20 // terminals per station
)

// buildAreas lays out the force's areas on a grid and gives each its
// stations; the first area also holds headquarters.
func (w *world) buildAreas() {
	n := min(max(w.cfg.Staff/staffPerArea, 3), len(areaNames))
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	total := 0.0
	for i := range n {
		a := area{name: areaNames[i], x: i % cols, y: i / cols, weight: 0.6 + 0.8*w.rng.Float64()}
		total += a.weight
		w.areas = append(w.areas, a)
	}
	for i := range w.areas {
		a := &w.areas[i]
		a.weight /= total
		k := min(max(int(math.Round(float64(w.cfg.Staff)*a.weight/staffPerStation)), 1), len(stationNames))
		for j := range k {
			a.stations = append(a.stations, w.addStation(a.name+"-"+stationNames[j], int32(i)))
		}
		a.custody = a.stations[0]
	}
	w.hq = w.addStation("headquarters", 0)
	for _, a := range w.areas {
		w.names.areas = append(w.names.areas, a.name)
	}
	for _, s := range w.stations {
		w.names.stations = append(w.names.stations, s.name)
	}
}

func (w *world) addStation(name string, a int32) int32 {
	w.stations = append(w.stations, station{name: name, area: a})
	return int32(len(w.stations) - 1)
}

// buildStaff creates the workforce: role counts by share, shuffled so that
// staff numbers do not follow roles, each member placed in an area, station
// and team.
func (w *world) buildStaff() {
	var roles []uint8
	for r := range numRoles {
		n := int(math.Round(roleSpecs[r].share * float64(w.cfg.Staff)))
		for range n {
			roles = append(roles, r)
		}
	}
	for len(roles) < w.cfg.Staff {
		roles = append(roles, roleResponse)
	}
	roles = roles[:w.cfg.Staff]
	w.rng.Shuffle(len(roles), func(i, j int) { roles[i], roles[j] = roles[j], roles[i] })
	for _, r := range roles {
		w.addStaff(r, w.start-int64(between(w.rng, 60, 30*365))*day)
	}
}

// addStaff appends a new member of staff in role r who joined at startDate.
func (w *world) addStaff(r uint8, startDate int64) int32 {
	spec := &roleSpecs[r]
	s := staff{role: r, phone: -1, courtOn: -1, awayUntil: math.MinInt32, startDate: startDate - startDate%day}
	s.variant = uint8(weighted(w.rng, len(spec.variants), func(i int) float64 { return spec.variants[i].weight }))
	switch x := w.rng.Float64(); {
	case x < spec.female:
		s.gender = genderFemale
	case x < 0.997:
		s.gender = genderMale
	default:
		s.gender = genderOther
	}
	s.pace = min(max(math.Exp(0.35*w.rng.NormFloat64()), 0.4), 2.5)
	s.rotaTeam = uint8(w.rng.IntN(numRotaTeams))
	s.officeStart = int64(7*hour + 30*minute + w.rng.IntN(9)*15*minute)
	s.terminal = int32(1 + w.rng.IntN(terminals))
	if chance(w.rng, spec.device) {
		s.phone = w.newPhone()
	}
	team := w.place(&s)
	idx, ok := w.teamIndex[team]
	if !ok {
		idx = int32(len(w.teams))
		w.teams = append(w.teams, team)
		w.teamIndex[team] = idx
	}
	s.team = idx
	id := int32(len(w.staff))
	w.staff = append(w.staff, s)
	w.areas[s.area].staffByRole[r] = append(w.areas[s.area].staffByRole[r], id)
	w.byRole[r] = append(w.byRole[r], id)
	return id
}

// place puts s in an area, a station and a team as their role has it, and
// returns the team's name. Force-wide roles, force intelligence and some
// police staff sit at headquarters.
func (w *world) place(s *staff) string {
	s.area = int32(weighted(w.rng, len(w.areas), func(i int) float64 { return w.areas[i].weight }))
	a := &w.areas[s.area]
	s.station = pick(w.rng, a.stations)
	letter := string(rune('A' + s.rotaTeam))
	var team string
	switch s.role {
	case roleResponse, roleSupervisor:
		team = a.name + "-response-" + letter
	case roleNeighbourhood, rolePCSO:
		team = w.stations[s.station].name + "-neighbourhood"
		s.rotaTeam = uint8(s.station % 3)
	case roleDetective:
		team = a.name + "-cid"
	case roleSafeguarding:
		team = a.name + "-safeguarding"
	case roleCustody:
		s.station = a.custody
		team = a.name + "-custody-" + letter
	case roleControlRoom:
		team = "control-room-" + letter
	case roleFamilyLiaison:
		team = "major-crime"
	case roleAnalyst:
		team = a.name + "-analysis"
		if chance(w.rng, 0.5) {
			team = "force-intelligence"
		}
	case rolePoliceStaff:
		k := weighted(w.rng, len(staffTeams), func(i int) float64 { return staffTeams[i].weight })
		team, s.admin = staffTeams[k].name, staffTeams[k].admin
	}
	if roleSpecs[s.role].forceWide || team == "force-intelligence" || s.role == rolePoliceStaff && chance(w.rng, 0.4) {
		s.area, s.station = 0, w.hq
	}
	return team
}

// staffRecord is the current version of s's record.
func (w *world) staffRecord(s int32, left bool) staffRec {
	st := &w.staff[s]
	return staffRec{staff: s, left: left, role: st.role, variant: st.variant, gender: st.gender,
		area: st.area, station: st.station, team: w.teams[st.team], startDate: st.startDate}
}

// writeStaff queues the workforce as it stands at the start of the records.
func (w *world) writeStaff(at int64) {
	for i := range w.staff {
		w.out.staff.add(at, w.staffRecord(int32(i), false))
	}
}

// distance is how far apart two areas are on the force's map.
func (w *world) distance(a, b int32) int {
	x, y := w.areas[a].x-w.areas[b].x, w.areas[a].y-w.areas[b].y
	return abs(x) + abs(y)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
