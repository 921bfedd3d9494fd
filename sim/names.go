package sim

// Names for staff, and for the search text officers type. They are common
// British names; none belongs to anyone in particular.

var femaleNames = []string{
	"Amy", "Anna", "Beth", "Chloe", "Claire", "Danielle", "Emma", "Gemma", "Hannah", "Helen",
	"Jade", "Jessica", "Joanne", "Karen", "Kate", "Laura", "Leanne", "Lisa", "Lucy", "Megan",
	"Michelle", "Natalie", "Nicola", "Rachel", "Rebecca", "Sarah", "Sophie", "Stacey", "Zoe", "Priya",
}

var maleNames = []string{
	"Adam", "Andrew", "Ben", "Chris", "Craig", "Daniel", "David", "Dean", "Gareth", "Ian",
	"James", "Jason", "John", "Kevin", "Lee", "Liam", "Mark", "Matthew", "Michael", "Neil",
	"Paul", "Richard", "Robert", "Ryan", "Scott", "Simon", "Stephen", "Steven", "Tom", "Imran",
}

var surnames = []string{
	"Allen", "Bailey", "Baker", "Bell", "Brown", "Clarke", "Cooper", "Davies", "Edwards", "Evans",
	"Green", "Hall", "Harris", "Hill", "Hughes", "Jackson", "James", "Johnson", "Jones", "Khan",
	"King", "Lewis", "Martin", "Moore", "Morgan", "Morris", "Patel", "Phillips", "Roberts", "Robinson",
	"Shaw", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White",
	"Williams", "Wilson", "Wood", "Wright", "Young",
}

// areaNames name the force's basic command units; a force with more areas
// numbers the rest.
var areaNames = []string{
	"central", "north", "south", "east", "west", "city", "coast", "valley",
	"moor", "forest", "river", "downs", "harbour", "vale", "heath", "fen",
}

// stationNames are the stations of an area after its main one.
var stationNames = []string{"main", "market", "bridge", "park", "cross", "green", "hill", "quay"}

// hairs and builds make up descriptions in searches.
var (
	hairs  = []string{"blonde", "dark hair", "red hair", "long brown hair", "short dark hair"}
	builds = []string{"slim", "medium build", "petite", "tall"}
)

// nameOf returns a forename and surname for a person or member of staff,
// derived from their number so that nothing needs storing.
func nameOf(n int64, female bool) (forename, surname string) {
	h := mix(uint64(n))
	names := maleNames
	if female {
		names = femaleNames
	}
	return names[h%uint64(len(names))], surnames[(h>>20)%uint64(len(surnames))]
}

// mix is a fixed bijective scrambler (splitmix64's finaliser).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
