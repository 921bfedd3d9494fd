package sim

import "lantern"

// roleAttender in an investigator list means the officer who attended keeps
// the case; roleNone means the incident is closed without investigation.
const (
	roleAttender = numRoles
	roleNone     = numRoles + 1
)

type investigator struct {
	role   uint8
	weight float64
}

type span [2]int

// incidentSpec is how incidents of one type arise and run.
type incidentSpec struct {
	typ           string
	share         float64
	victims       span // people in each part: min, max
	suspects      span
	witnesses     span
	others        span
	subjectFemale float64 // for the victim, or the subject ("other") when there is no victim
	subjectAge    span
	suspectFemale float64
	subjectFlag   uint16  // flag the victim or subject gains
	flagChance    float64 // chance the flag is recorded
	repeat        float64 // chance the victim or subject is already in the force's records
	attend        float64 // chance officers attend
	investigators []investigator
	openDays      [2]float64 // how long an investigated case stays open, log-uniform
	quickClose    float64    // chance it closes within three days anyway (victim withdraws, no suspect)
	arrest        float64    // chance a suspect is arrested and taken to custody
	court         float64    // chance the case goes to court months after closing
	familyLiaison float64    // chance a family liaison officer is deployed
}

// Incident types, as indices into incidentSpecs.
const (
	incDomesticAbuse uint8 = iota
	incSexualOffence
	incStalking
	incAssault
	incTheft
	incBurglary
	incWelfare
	incMissing
	incPublicOrder
	incRoadTraffic
	incCriminalDamage
	incDrugs
	numIncidentTypes
)

var incidentSpecs = [numIncidentTypes]incidentSpec{
	incDomesticAbuse: {typ: lantern.IncidentDomesticAbuse, share: 0.14, victims: span{1, 1}, suspects: span{1, 1}, witnesses: span{0, 1},
		subjectFemale: 0.8, subjectAge: span{17, 65}, suspectFemale: 0.15, subjectFlag: flagDomesticAbuse, flagChance: 1, repeat: 0.35,
		attend: 0.95, investigators: []investigator{{roleAttender, 0.55}, {roleSafeguarding, 0.45}}, openDays: [2]float64{5, 60},
		quickClose: 0.15, arrest: 0.45, court: 0.2},
	incSexualOffence: {typ: lantern.IncidentSexualOffence, share: 0.04, victims: span{1, 1}, suspects: span{0, 1}, witnesses: span{0, 1},
		subjectFemale: 0.85, subjectAge: span{13, 45}, suspectFemale: 0.05, subjectFlag: flagSexualOffence, flagChance: 1, repeat: 0.1,
		attend: 0.7, investigators: []investigator{{roleDetective, 0.5}, {roleSafeguarding, 0.5}}, openDays: [2]float64{30, 200},
		quickClose: 0.05, arrest: 0.25, court: 0.12},
	incStalking: {typ: lantern.IncidentStalking, share: 0.04, victims: span{1, 1}, suspects: span{1, 1},
		subjectFemale: 0.75, subjectAge: span{17, 55}, suspectFemale: 0.2, subjectFlag: flagStalking, flagChance: 1, repeat: 0.2,
		attend: 0.5, investigators: []investigator{{roleSafeguarding, 0.4}, {roleDetective, 0.3}, {roleAttender, 0.3}}, openDays: [2]float64{14, 90},
		quickClose: 0.1, arrest: 0.3, court: 0.15},
	incAssault: {typ: lantern.IncidentAssault, share: 0.12, victims: span{1, 1}, suspects: span{1, 1}, witnesses: span{0, 2},
		subjectFemale: 0.35, subjectAge: span{16, 60}, suspectFemale: 0.15, repeat: 0.15,
		attend: 0.9, investigators: []investigator{{roleAttender, 0.6}, {roleDetective, 0.4}}, openDays: [2]float64{5, 60},
		quickClose: 0.15, arrest: 0.35, court: 0.15, familyLiaison: 0.005},
	incTheft: {typ: lantern.IncidentTheft, share: 0.18, victims: span{1, 1}, suspects: span{0, 1}, witnesses: span{0, 1},
		subjectFemale: 0.5, subjectAge: span{18, 80}, suspectFemale: 0.3, repeat: 0.1,
		attend: 0.5, investigators: []investigator{{roleAttender, 0.3}, {roleNeighbourhood, 0.3}, {roleNone, 0.4}}, openDays: [2]float64{1, 30},
		quickClose: 0.3, arrest: 0.15, court: 0.05},
	incBurglary: {typ: lantern.IncidentBurglary, share: 0.07, victims: span{1, 1}, suspects: span{0, 1}, witnesses: span{0, 1},
		subjectFemale: 0.5, subjectAge: span{25, 85}, suspectFemale: 0.1, repeat: 0.1,
		attend: 0.85, investigators: []investigator{{roleDetective, 0.7}, {roleNeighbourhood, 0.3}}, openDays: [2]float64{7, 60},
		quickClose: 0.2, arrest: 0.1, court: 0.06},
	incWelfare: {typ: lantern.IncidentConcernForWelfare, share: 0.12, others: span{1, 1}, witnesses: span{0, 1},
		subjectFemale: 0.5, subjectAge: span{14, 90}, subjectFlag: flagMentalHealth, flagChance: 0.5, repeat: 0.4,
		attend: 0.9, investigators: []investigator{{roleNone, 0.8}, {roleNeighbourhood, 0.2}}, openDays: [2]float64{0.1, 3}},
	incMissing: {typ: lantern.IncidentMissingPerson, share: 0.05, others: span{1, 1}, witnesses: span{0, 1},
		subjectFemale: 0.5, subjectAge: span{12, 40}, subjectFlag: flagMissing, flagChance: 1, repeat: 0.4,
		attend: 1, investigators: []investigator{{roleAttender, 0.6}, {roleNeighbourhood, 0.4}}, openDays: [2]float64{0.2, 5}},
	incPublicOrder: {typ: lantern.IncidentPublicOrder, share: 0.08, victims: span{0, 1}, suspects: span{1, 2}, witnesses: span{0, 2},
		subjectFemale: 0.4, subjectAge: span{16, 70}, suspectFemale: 0.2, repeat: 0.2,
		attend: 0.95, investigators: []investigator{{roleAttender, 0.7}, {roleNeighbourhood, 0.3}}, openDays: [2]float64{1, 20},
		quickClose: 0.3, arrest: 0.3, court: 0.05},
	incRoadTraffic: {typ: lantern.IncidentRoadTraffic, share: 0.07, victims: span{0, 2}, suspects: span{0, 1}, witnesses: span{0, 2}, others: span{0, 1},
		subjectFemale: 0.45, subjectAge: span{17, 85}, suspectFemale: 0.25, repeat: 0.05,
		attend: 0.9, investigators: []investigator{{roleAttender, 0.9}, {roleDetective, 0.1}}, openDays: [2]float64{1, 30},
		quickClose: 0.3, court: 0.04, familyLiaison: 0.03},
	incCriminalDamage: {typ: lantern.IncidentCriminalDamage, share: 0.07, victims: span{1, 1}, suspects: span{0, 1}, witnesses: span{0, 1},
		subjectFemale: 0.5, subjectAge: span{20, 80}, suspectFemale: 0.2, repeat: 0.15,
		attend: 0.6, investigators: []investigator{{roleNeighbourhood, 0.5}, {roleAttender, 0.3}, {roleNone, 0.2}}, openDays: [2]float64{3, 30},
		quickClose: 0.3, arrest: 0.1, court: 0.04},
	incDrugs: {typ: lantern.IncidentDrugs, share: 0.02, suspects: span{1, 2},
		subjectFemale: 0.15, subjectAge: span{16, 50}, suspectFemale: 0.15, repeat: 0.4,
		attend: 1, investigators: []investigator{{roleNeighbourhood, 0.5}, {roleDetective, 0.5}}, openDays: [2]float64{7, 90},
		arrest: 0.6, court: 0.2},
}
