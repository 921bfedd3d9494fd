package sim

import "lantern"

// Small codes keep the buffered events compact; these tables turn them into
// the strings written out. All tables here are immutable.

// Systems audited.
const (
	sysRMS uint8 = iota
	sysPNC
	sysPND
	sysCommand
	sysCustody
	sysIntel
)

var systemNames = [...]string{lantern.SystemRecords, lantern.SystemPNC, lantern.SystemPND, lantern.SystemCommand, lantern.SystemCustody, lantern.SystemIntelligence}

// Actions in an audit entry.
const (
	actView uint8 = iota
	actSearch
	actPrint
	actExport
	actUpdate
	actCreate
)

var actionNames = [...]string{lantern.ActionView, lantern.ActionSearch, lantern.ActionPrint, lantern.ActionExport, lantern.ActionUpdate, lantern.ActionCreate}

// Sets of record fields an access touches.
const (
	fNone uint8 = iota
	fSummary
	fSummaryAddress
	fAddressPhone
	fPhone
	fAddress
	fSummaryWarnings
	fSummaryWarningsAddress
	fContact // summary, address and phone: an officer about to ring their victim
	fCustody
	fOutcome
	fStatement
	fRisk
)

var fieldSets = [...][]string{
	fNone:                   nil,
	fSummary:                {"summary"},
	fSummaryAddress:         {"summary", "address"},
	fAddressPhone:           {"address", "phone"},
	fPhone:                  {"phone"},
	fAddress:                {"address"},
	fSummaryWarnings:        {"summary", "warnings"},
	fSummaryWarningsAddress: {"summary", "warnings", "address"},
	fContact:                {"summary", "address", "phone"},
	fCustody:                {"custody_record"},
	fOutcome:                {"outcome"},
	fStatement:              {"statement"},
	fRisk:                   {"risk_assessment"},
}

// Vulnerability flags as bits of person.flags, in alphabetical order so that
// writing the set bits in order writes the flags sorted.
const (
	flagChild uint16 = 1 << iota
	flagDomesticAbuse
	flagHonourBased
	flagMentalHealth
	flagMissing
	flagModernSlavery
	flagSexWorker
	flagSexualOffence
	flagStalking
	flagSubstance
)

var flagNames = [...]string{
	lantern.FlagChild, lantern.FlagDomesticAbuseVictim, lantern.FlagHonourBasedAbuseRisk, lantern.FlagMentalHealth,
	lantern.FlagMissingPerson, lantern.FlagModernSlavery, lantern.FlagSexWorker, lantern.FlagSexualOffenceVictim,
	lantern.FlagStalkingVictim, lantern.FlagSubstanceMisuse,
}

// victimFlags are the flags that mark someone as a victim of the offences
// offenders in the simulation look for.
const victimFlags = flagDomesticAbuse | flagSexualOffence | flagStalking

// vulnerableFlags are all flags but child: the people a no-purpose lookup
// or a trawl is drawn to.
const vulnerableFlags = victimFlags | flagHonourBased | flagMentalHealth | flagMissing | flagModernSlavery | flagSexWorker | flagSubstance

// Genders of staff and people.
const (
	genderFemale uint8 = iota
	genderMale
	genderOther
	genderUnknown
)

var genderNames = [...]string{lantern.GenderFemale, lantern.GenderMale, lantern.GenderOther, lantern.GenderUnknown}

// Parts in an incident.
const (
	partVictim uint8 = iota
	partSuspect
	partWitness
	partOther
)

var partNames = [...]string{lantern.PartVictim, lantern.PartSuspect, lantern.PartWitness, lantern.PartOther}

// Kinds of assignment.
const (
	asgAssigned uint8 = iota
	asgAttended
)

var assignmentNames = [...]string{lantern.AssignmentAssigned, lantern.AssignmentAttended}

// Kinds of roster entry.
const (
	shiftDuty uint8 = iota
	shiftLeave
	shiftSick
	shiftTraining
	shiftCourt
)

var shiftNames = [...]string{lantern.ShiftDuty, lantern.ShiftLeave, lantern.ShiftSick, lantern.ShiftTraining, lantern.ShiftCourt}

// Directions and kinds of work-phone contact.
const (
	dirOutbound uint8 = iota
	dirInbound
)

var directionNames = [...]string{lantern.DirectionOutbound, lantern.DirectionInbound}

const (
	commsCall uint8 = iota
	commsSMS
	commsApp
)

var commsKindNames = [...]string{lantern.CommsCall, lantern.CommsSMS, lantern.CommsApp}
