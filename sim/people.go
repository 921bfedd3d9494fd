package sim

// Population of the force's records. A force of N staff serves roughly
// N x 150 residents; its records start with N x 25 of them (people who have
// already been a victim, witness, suspect or subject of a report) and gain
// more as incidents bring new people in.

const (
	peoplePerStaff = 25
	// phoneChance is the chance a person in the records has a mobile number
	// on file, by part: victims and witnesses give one, suspects less often.
	phoneKnown   = 0.6
	phoneVictim  = 0.9
	phoneWitness = 0.8
	phoneSuspect = 0.5
)

// Pools a person can be in, as bits of person.pooled.
const (
	inFemaleVictims uint8 = 1 << iota
	inVulnerable
)

// pools are lists of people that offenders, trawls and reviews draw from.
// A person joins a pool when they gain a flag that puts them in it.
type pools struct {
	femaleVictims []int32 // women and girls with a victim flag
	vulnerable    []int32 // anyone with a vulnerability flag
}

// ageBands are the ages of people in the records: [from, to) and weight.
var ageBands = []struct {
	from, to int
	weight   float64
}{{0, 12, 0.08}, {12, 18, 0.1}, {18, 30, 0.24}, {30, 50, 0.3}, {50, 70, 0.18}, {70, 95, 0.1}}

// buildPopulation creates the people already in the records at the start of
// the warm-up, and queues their records at the instant at.
func (w *world) buildPopulation(at int64) {
	n := w.cfg.Staff * peoplePerStaff
	w.people = make([]person, 0, n+n/2)
	year := w.startYear()
	for range n {
		a := int32(weighted(w.rng, len(w.areas), func(i int) float64 { return w.areas[i].weight }))
		b := ageBands[weighted(w.rng, len(ageBands), func(i int) float64 { return ageBands[i].weight })]
		age := between(w.rng, b.from, b.to-1)
		female := chance(w.rng, 0.51)
		p := w.newPerson(a, female, year-age, phoneKnown)
		pp := &w.people[p]
		pp.flags |= w.backgroundFlags(female, age)
		w.pool(p)
		w.out.person.add(at, w.personRecord(p))
	}
}

// backgroundFlags draws the flags a person already carries.
func (w *world) backgroundFlags(female bool, age int) uint16 {
	var f uint16
	add := func(flag uint16, p float64) {
		if chance(w.rng, p) {
			f |= flag
		}
	}
	adult := age >= 18
	add(flagMentalHealth, 0.04)
	if age >= 14 {
		add(flagSubstance, 0.03)
	}
	if female && adult && age < 65 {
		add(flagDomesticAbuse, 0.06)
		add(flagSexualOffence, 0.02)
		add(flagStalking, 0.01)
	} else if adult {
		add(flagDomesticAbuse, 0.01)
	}
	if female && adult && age < 40 {
		add(flagSexWorker, 0.005)
	}
	if age >= 12 && age < 25 {
		add(flagMissing, 0.03)
	}
	add(flagModernSlavery, 0.002)
	if female && age >= 14 && age < 30 {
		add(flagHonourBased, 0.003)
	}
	return f
}

// newPerson adds a person living in area a, born in birthYear, who has a
// mobile number on file with probability phone. It does not queue a record.
func (w *world) newPerson(a int32, female bool, birthYear int, phone float64) int32 {
	p := person{area: a, birthYear: int16(birthYear), phone: -1, gender: genderMale, since: int32(w.day)}
	if female {
		p.gender = genderFemale
	} else if chance(w.rng, 0.01) {
		p.gender = genderUnknown
	}
	age := w.startYear() - birthYear
	if age < 18 {
		p.flags |= flagChild
	}
	if age >= 11 && chance(w.rng, phone) {
		p.phone = w.newPhone()
	}
	id := int32(len(w.people))
	w.people = append(w.people, p)
	w.areas[a].people = append(w.areas[a].people, id)
	return id
}

// addFlags gives person p the flags f from instant t, queuing a new version
// of their record if that changes anything.
func (w *world) addFlags(p int32, f uint16, t int64) {
	pp := &w.people[p]
	if pp.flags|f == pp.flags {
		return
	}
	pp.flags |= f
	w.pool(p)
	w.out.person.add(t, w.personRecord(p))
}

// personRecord is the current version of p's record.
func (w *world) personRecord(p int32) personRec {
	pp := &w.people[p]
	return personRec{person: p, flags: pp.flags, gender: pp.gender, birthYear: pp.birthYear, area: pp.area, phone: pp.phone}
}

// pool puts p in the pools their flags call for.
func (w *world) pool(p int32) {
	pp := &w.people[p]
	if pp.gender == genderFemale && pp.flags&victimFlags != 0 && pp.pooled&inFemaleVictims == 0 {
		pp.pooled |= inFemaleVictims
		w.pools.femaleVictims = append(w.pools.femaleVictims, p)
	}
	if pp.flags&vulnerableFlags != 0 && pp.pooled&inVulnerable == 0 {
		pp.pooled |= inVulnerable
		w.pools.vulnerable = append(w.pools.vulnerable, p)
	}
}

// known reports whether p's record existed before today, so that any
// event today may refer to it.
func (w *world) known(p int32) bool { return int(w.people[p].since) < w.day }

// age returns p's age in the year of instant t.
func (w *world) age(p int32, t int64) int {
	y, _, _ := civil(floorDiv(t, day))
	return int(y) - int(w.people[p].birthYear)
}

// startYear is the year of day 0.
func (w *world) startYear() int {
	y, _, _ := civil(floorDiv(w.start, day))
	return int(y)
}

// youngWoman reports whether p is female and aged lo to hi at t.
func (w *world) youngWoman(p int32, t int64, lo, hi int) bool {
	if w.people[p].gender != genderFemale {
		return false
	}
	a := w.age(p, t)
	return a >= lo && a <= hi
}
