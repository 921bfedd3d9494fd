package sim

import (
	"strconv"
	"strings"
)

// Search text as officers type it. Legitimate searches name someone in full
// with a year of birth, or give a registration, a reference, or (analysts) a
// method and a place. Offenders search by description or part of a name.

// nameQuery is a search for person p by full name and year of birth.
func (w *world) nameQuery(p int32) string {
	fore, sur := nameOf(int64(p), w.people[p].gender == genderFemale)
	return strings.ToUpper(sur) + " " + strings.ToUpper(fore) + " " + strconv.Itoa(int(w.people[p].birthYear))
}

// vehicleQuery is a registration check.
func (w *world) vehicleQuery() string {
	r := w.rng
	l := func() byte { return byte('A' + r.IntN(26)) }
	d := func() byte { return byte('0' + r.IntN(10)) }
	return "VRM " + string([]byte{l(), l(), d(), d(), ' ', l(), l(), l()})
}

var analystTopics = []string{
	"burglary dwelling rear door forced", "theft from motor vehicle", "shoplifting repeat", "robbery knife",
	"assault night time economy", "criminal damage graffiti", "drugs supply county lines", "vehicle crime catalytic converter",
	"domestic abuse repeat victims", "missing from care", "stalking harassment", "fraud elderly victims",
}

// analystQuery is a broad search by method and place.
func (w *world) analystQuery(a int32) string {
	days := pick(w.rng, []string{"7", "14", "28", "90"})
	return pick(w.rng, analystTopics) + " " + w.areas[a].name + " last " + days + " days"
}

// descriptionQuery is a search by description, such as an offender types to
// find a woman without a reference: gender, age band, looks, place.
func (w *world) descriptionQuery(p int32, t int64) string {
	age := w.age(p, t) / 5 * 5
	gender := "female"
	if w.people[p].gender != genderFemale {
		gender = "male"
	}
	return gender + " " + strconv.Itoa(age) + "-" + strconv.Itoa(age+5) + " " + pick(w.rng, hairs) + " " + pick(w.rng, builds) + " " + w.areas[w.people[p].area].name
}

// partialNameQuery is a search by the start of a forename or surname, with a
// wildcard.
func (w *world) partialNameQuery(p int32) string {
	fore, sur := nameOf(int64(p), w.people[p].gender == genderFemale)
	if w.rng.IntN(2) == 0 {
		return strings.ToUpper(fore[:min(3, len(fore))]) + "*"
	}
	return strings.ToUpper(fore[:1]) + "* " + strings.ToUpper(sur[:min(4, len(sur))]) + "*"
}
