package sim

import "math/rand/v2"

// Integrity screening: the force checks its staff against national and local
// databases on a cycle. The continuous checks (PNC and PND) run every four
// weeks, the fraud check (NFIB) every twelve, and the annual review (credit
// reference, business interests, social media) once a year, each member of
// staff on a day of the cycle of their own. Almost every check finds
// nothing. Some offenders are named by a check once their behaviour has
// begun, as intelligence would name them; a few innocent staff have findings
// of their own (a county court judgment, an undeclared directorship), as a
// real force's would.
//
// Screening draws from a random stream of its own, so that adding it left
// every other file of a seed unchanged.

// screeningStream separates screening's random stream from the simulation's.
const screeningStream = 0x73637265656e // "screen"

// Screening cycles, in days. The longer cycles are multiples of the
// shortest, so that a member of staff is looked at only on the days of
// their four-weekly check.
const (
	screenCycle   = 28
	fraudCycle    = 84
	annualCycle   = 364
	screenMaxWait = 40 * minute // the nightly batch's spread
)

// Chances of a finding for staff who are not offenders, per check.
const (
	innocentPNC       = 0.0004
	innocentPND       = 0.0008
	innocentFinancial = 0.02
	innocentBusiness  = 0.01
	innocentNFIB      = 0.002
	offenderNamed     = 0.35 // that a check after an offender's first act names them
)

// Checks and results, as screening.jsonl writes them.
const (
	checkPNC uint8 = iota
	checkPND
	checkFinancial
	checkNFIB
	checkSocial
	checkBusiness
)

var checkNames = [...]string{"pnc", "pnd", "financial", "nfib", "social_media", "business_interests"}

const (
	resultNoTrace uint8 = iota
	resultTrace
	resultPossible
)

var resultNames = [...]string{"no_trace", "trace", "possible_trace"}

// screeningRec is one check result waiting to be written.
type screeningRec struct {
	id     int64
	staff  int32
	check  uint8
	result uint8
	detail uint8 // index into findingDetails, for a finding
}

// findingDetails are what findings say; offenderDetails for offenders.
var findingDetails = [...]string{
	"Fixed penalty for speeding, not declared to the vetting unit.",
	"Named as an associate in an intelligence report.",
	"County court judgment registered; not declared.",
	"Director of a private security company; no business interest declared.",
	"Named as the victim of an investment fraud reported to Action Fraud.",
	"Named in a partner agency's concern: in contact with a woman known from a domestic abuse incident, outside duty.",
	"Account believed to be the officer's messaging a victim known from an incident.",
	"Named in an intelligence report as visiting a vulnerable woman's address off duty.",
}

const (
	detailPNC uint8 = iota
	detailPND
	detailFinancial
	detailBusiness
	detailNFIB
	detailOffenderPartner
	detailOffenderSocial
	detailOffenderPND
)

// screening is the state of the screening cycle.
type screening struct {
	rng    *rand.Rand
	byDay  [screenCycle][]int32 // staff by the day of the cycle of their checks
	offset []int16              // each member's day of the annual cycle
	seen   int                  // staff placed on the cycle so far
	named  map[int32]bool       // offenders a check has named, or decided never will
	nextID int64
}

func newScreening(seed int64) *screening {
	return &screening{rng: rand.New(rand.NewPCG(uint64(seed), screeningStream)), named: map[int32]bool{}}
}

// screen runs today's checks of every member of staff whose day it is.
func (w *world) screen() {
	if !eventsOn(w.day) {
		return
	}
	sc := w.screening
	for ; sc.seen < len(w.staff); sc.seen++ {
		o := int16(sc.rng.IntN(annualCycle))
		sc.offset = append(sc.offset, o)
		sc.byDay[int(o)%screenCycle] = append(sc.byDay[int(o)%screenCycle], int32(sc.seen))
	}
	for _, i := range sc.byDay[w.day%screenCycle] {
		s := &w.staff[i]
		if s.left || s.startDate > w.dayStart {
			continue
		}
		since := w.day - int(sc.offset[i])
		night := w.dayStart + 2*hour + sc.rng.Int64N(screenMaxWait)
		w.screenCheck(i, checkPNC, night, innocentPNC, detailPNC)
		w.screenCheck(i, checkPND, night+minute, innocentPND, detailPND)
		if since%fraudCycle == 0 {
			w.screenCheck(i, checkNFIB, night+2*minute, innocentNFIB, detailNFIB)
		}
		if since%annualCycle == 0 {
			office := w.dayStart + 10*hour + sc.rng.Int64N(6*hour)
			w.screenCheck(i, checkFinancial, office, innocentFinancial, detailFinancial)
			w.screenCheck(i, checkBusiness, office+5*minute, innocentBusiness, detailBusiness)
			w.screenCheck(i, checkSocial, office+20*minute, 0, 0)
		}
	}
}

// screenCheck records one check of member i at t: a finding for an innocent
// member with chance p, and for an offender whose behaviour has begun, once,
// by the PND, the social media check or, failing those, with chance
// offenderNamed the first such check decides.
func (w *world) screenCheck(i int32, c uint8, t int64, p float64, detail uint8) {
	sc := w.screening
	sc.nextID++
	r := screeningRec{id: sc.nextID, staff: i, check: c}
	switch {
	case w.offenderNamedBy(i, c, t):
		r.result, r.detail = resultPossible, detailOffenderPND
		if c == checkSocial {
			r.detail = detailOffenderSocial
		} else if sc.rng.IntN(2) == 0 {
			r.result, r.detail = resultTrace, detailOffenderPartner
		}
	case p > 0 && chance(sc.rng, p):
		r.result, r.detail = resultTrace, detail
		if c == checkPND || c == checkBusiness {
			r.result = resultPossible
		}
	}
	w.out.screening.add(t, r)
}

// offenderNamedBy reports whether check c of member i at t names them as an
// offender: a PND or social media check after their first planted act,
// decided once per offender.
func (w *world) offenderNamedBy(i int32, c uint8, t int64) bool {
	o := w.staff[i].offender
	if o == nil || c != checkPND && c != checkSocial {
		return false
	}
	sc := w.screening
	if _, decided := sc.named[i]; decided {
		return false
	}
	began := false
	for _, p := range o.plans {
		began = began || len(p.events) > 0 && p.onset <= t
	}
	if !began {
		return false
	}
	sc.named[i] = chance(sc.rng, offenderNamed)
	return sc.named[i]
}

// encScreening writes a screening result.
func (n *names) encScreening(b []byte, t int64, r *screeningRec) []byte {
	b = append(b, '{')
	b = appendKey(b, "id")
	b = append(b, '"')
	b = appendID(b, 'V', r.id, 8)
	b = append(b, '"')
	b = appendKey(b, "staff_id")
	b = append(b, '"')
	b = appendStaffID(b, r.staff)
	b = append(b, '"')
	b = appendTime(b, "checked_at", t)
	b = appendStr(b, "check", checkNames[r.check])
	b = appendStr(b, "result", resultNames[r.result])
	if r.result != resultNoTrace {
		b = appendStr(b, "detail", findingDetails[r.detail])
	}
	b = appendKey(b, "reference")
	b = append(b, '"')
	b = append(b, checkRefPrefix[r.check]...)
	b = appendPadded(b, r.id, 8)
	b = append(b, '"')
	return append(b, '}')
}

// checkRefPrefix begins each check's own reference.
var checkRefPrefix = [...]string{"PNC/", "PND/", "CRA/", "NFIB/", "OSINT/", "COHO/"}
