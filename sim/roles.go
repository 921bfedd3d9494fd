package sim

import "lantern"

// Roles of the simulated workforce, as indices into roleSpecs.
const (
	roleResponse uint8 = iota
	roleNeighbourhood
	roleDetective
	roleSafeguarding
	roleFamilyLiaison
	roleControlRoom
	roleCustody
	roleAnalyst
	rolePCSO
	rolePoliceStaff
	roleSupervisor
	numRoles
)

// rota is a pattern of shifts.
type rota uint8

const (
	rota24       rota = iota // 24/7 cover by five teams: two earlies, two lates, two nights, four rest days
	rotaLocal                // neighbourhood cover: five days in seven, earlies and lates, some weekends
	rotaOffice               // weekdays, office hours
	numRotaTeams = 5
)

// variant is a kind of post within a role: its category, rank and the
// prefix of its shoulder number ("" for none).
type variant struct {
	category, rank, collar string
	weight                 float64
}

// roleSpec is how members of one role work. Rates are means per shift, for
// a member of staff whose individual pace is 1; each member's pace is drawn
// around 1 so that peers differ.
type roleSpec struct {
	name      string
	share     float64 // of the workforce
	female    float64
	variants  []variant
	rota      rota
	forceWide bool    // works across every area (and sits at headquarters)
	device    float64 // share issued a work phone
	mobile    float64 // share of system use from a handheld device rather than a terminal

	checks   float64 // people checked on the PNC or in records: met on patrol, callers, stops
	monitor  float64 // open incidents in their scope looked at
	caseWork float64 // chance each of their open cases is worked on a shift
	daReview float64 // new domestic abuse incidents risk-assessed (safeguarding)
	marac    float64 // high-risk victims reviewed for the multi-agency conference (safeguarding)
	broad    float64 // broad searches by description, area or method (analysts)
	custody  float64 // detained people booked in or reviewed (custody)
	review   float64 // incidents attended by their team checked and signed off (supervisors)
	admin    float64 // records looked at for administration or disclosure (police staff)
	calls    float64 // calls and messages with colleagues
	agency   float64 // calls with other agencies (social care, health, courts)
}

var (
	pc      = variant{lantern.CategoryOfficer, "pc", "PC", 0.95}
	special = variant{lantern.CategorySpecial, "sc", "SC", 0.05}
)

// roleSpecs is the workforce of the simulated force. Shares follow the
// make-up of a county force in England and Wales: about six in ten officers,
// the rest police staff and PCSOs.
var roleSpecs = [numRoles]roleSpec{
	roleResponse: {name: lantern.RoleResponse, share: 0.25, female: 0.32, variants: []variant{pc, special}, rota: rota24,
		device: 0.98, mobile: 0.6, checks: 6, monitor: 6, caseWork: 0.35, calls: 2, agency: 0.5},
	roleNeighbourhood: {name: lantern.RoleNeighbourhood, share: 0.11, female: 0.35, variants: []variant{pc, special}, rota: rotaLocal,
		device: 0.98, mobile: 0.5, checks: 2, monitor: 3, caseWork: 0.4, calls: 2, agency: 1},
	roleDetective: {name: lantern.RoleDetective, share: 0.11, female: 0.4,
		variants: []variant{{lantern.CategoryOfficer, "dc", "DC", 0.85}, {lantern.CategoryOfficer, "ds", "DS", 0.15}}, rota: rotaOffice,
		device: 0.95, mobile: 0.2, checks: 4, monitor: 4, caseWork: 0.6, calls: 3, agency: 1.5},
	roleSafeguarding: {name: lantern.RoleSafeguarding, share: 0.05, female: 0.6,
		variants: []variant{{lantern.CategoryOfficer, "dc", "DC", 0.5}, {lantern.CategoryOfficer, "pc", "PC", 0.4}, {lantern.CategoryOfficer, "ds", "DS", 0.1}}, rota: rotaOffice,
		device: 0.95, mobile: 0.1, checks: 1, daReview: 4, marac: 8, caseWork: 0.6, calls: 3, agency: 2},
	roleFamilyLiaison: {name: lantern.RoleFamilyLiaison, share: 0.01, female: 0.5,
		variants: []variant{{lantern.CategoryOfficer, "dc", "DC", 0.7}, {lantern.CategoryOfficer, "pc", "PC", 0.3}}, rota: rotaOffice, forceWide: true,
		device: 1, mobile: 0.2, checks: 0.5, monitor: 1, caseWork: 0.9, calls: 1.5, agency: 0.5},
	roleControlRoom: {name: lantern.RoleControlRoom, share: 0.07, female: 0.65,
		variants: []variant{{lantern.CategoryStaff, "call_handler", "", 0.6}, {lantern.CategoryStaff, "dispatcher", "", 0.35}, {lantern.CategoryOfficer, "ps", "PS", 0.05}}, rota: rota24, forceWide: true,
		checks: 12, monitor: 40},
	roleCustody: {name: lantern.RoleCustody, share: 0.04, female: 0.35,
		variants: []variant{{lantern.CategoryOfficer, "ps", "PS", 0.4}, {lantern.CategoryStaff, "detention_officer", "", 0.6}}, rota: rota24,
		device: 0.3, checks: 1, custody: 4, calls: 0.5, agency: 0.5},
	roleAnalyst: {name: lantern.RoleAnalyst, share: 0.03, female: 0.6,
		variants: []variant{{lantern.CategoryStaff, "analyst", "", 1}}, rota: rotaOffice,
		device: 0.3, monitor: 2, broad: 6, calls: 0.5},
	rolePCSO: {name: lantern.RolePCSO, share: 0.06, female: 0.5,
		variants: []variant{{lantern.CategoryStaff, "pcso", "PCSO", 1}}, rota: rotaLocal,
		device: 0.9, mobile: 0.7, checks: 0.5, monitor: 1, caseWork: 0.3, calls: 1.5, agency: 0.5},
	rolePoliceStaff: {name: lantern.RolePoliceStaff, share: 0.20, female: 0.62,
		variants: []variant{{lantern.CategoryStaff, "staff", "", 1}}, rota: rotaOffice,
		device: 0.25, admin: 1, calls: 0.5},
	roleSupervisor: {name: lantern.RoleSupervisor, share: 0.07, female: 0.3,
		variants: []variant{{lantern.CategoryOfficer, "ps", "PS", 0.7}, {lantern.CategoryOfficer, "insp", "Insp", 0.3}}, rota: rota24,
		device: 1, mobile: 0.3, checks: 0.5, monitor: 4, review: 8, calls: 4, agency: 0.5},
}

// staffTeams are the police staff departments, with how much each looks at
// records: the records and disclosure unit reads case files all day, HR and
// finance almost never.
var staffTeams = []struct {
	name   string
	weight float64
	admin  float64
}{
	{"records", 0.15, 12}, {"disclosure", 0.05, 15}, {"front-counter", 0.15, 4}, {"admin", 0.25, 1},
	{"hr", 0.1, 0.1}, {"finance", 0.1, 0.05}, {"it", 0.1, 0.3}, {"estates", 0.1, 0.02},
}
