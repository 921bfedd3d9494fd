// Package storetest is the contract every lantern.Store adapter must meet: one
// suite of tests that the SQLite adapter runs always and the PostgreSQL adapter
// runs against a real server, so that both behave the same to their callers.
//
// The suite pins down what the service interfaces in the root package leave to
// the implementation:
//
//   - Times come back in UTC, truncated to the microsecond.
//   - Lists are ordered by the byte order of their IDs (quarantined rows by
//     their numeric IDs, sources by the byte order of their names).
//   - Paging: a Limit of zero means no limit, an Offset past the end gives an
//     empty list, and the total counts every match whatever the paging. An
//     Offset or Limit below zero is EINVALID.
//   - Flags and phone hashes come back sorted and unique; an empty set comes
//     back as nil, and so do an incident's links when it has none.
//   - Involvements come back ordered by At, PersonID and Part; assignments by
//     At, StaffID and Kind.
//   - Within one batch the last record with a key wins; an involvement
//     recorded again keeps its first At.
//   - Shifts are ordered by staff, start and kind; a From/To range matches
//     the shifts that overlap [From, To).
//   - A status change recorded twice is kept once; when changes share an
//     instant, the one recorded last wins. A status change dated before
//     the incident opened is EINVALID. An applied change sets StatusAt.
//   - UpsertIncidents writes the status history from the records alone,
//     never from the store's clock: a new incident's opening at OpenedAt and
//     its status at StatusAt; for a known incident, a Status or StatusAt
//     other than the stored one at StatusAt. A record whose StatusAt is
//     older than the latest change in the history still replaces the other
//     fields and is recorded in the history, but keeps the current Status,
//     ClosedAt and StatusAt, so an open record with no StatusAt (which
//     dates from its opening) does not reopen a closed incident. Replaying
//     the same records, one by one or as a batch, into the same store or a
//     fresh one, gives the same incidents and the same IncidentOpenAt
//     answers.
//   - OnDuty is true when a working shift (duty, training, court) covers the
//     instant and no leave or sickness does: an absence booked over a rostered
//     shift wins. A member of staff the store does not know is not on duty.
//   - Upserts and AddRejections set UpdatedAt, from the store's clock, on the
//     records passed in as well as in the store; SetRejectionState sets it to
//     the time it is given.
//   - AddRejections assigns IDs in the order of the rows given, each greater
//     than any assigned before; a refused batch writes nothing and assigns
//     no IDs. Raw comes back byte for byte, an empty Raw as nil.
//     SetRejectionState takes any state from any other, tolerates repeated
//     IDs and does nothing without IDs.
//   - A source's name and token hash belong to it for good: creating another
//     with either is ECONFLICT even once it is disabled. Disabling a disabled
//     source keeps the first DisabledAt. FindSources lists disabled sources
//     too; FindSourceByTokenHash does not find them.
//   - Error messages may name incidents but never people or staff: they reach
//     logs, and those identifiers are personal data.
//   - Alerts are ordered by score, highest first, or by LastEvidence, latest
//     first, and then by the byte order of their IDs. Evidence ids come back
//     in the order saved; none comes back as nil. A filter's Since and Until
//     match alerts whose evidence span [FirstEvidence, LastEvidence] reaches
//     Since and starts before Until.
//   - SaveAlerts stores a new ID as new with RaisedAt and UpdatedAt from the
//     store's clock. Saving a known ID again replaces its finding, widens its
//     evidence span to cover both, sets UpdatedAt, and keeps its state,
//     reason, user, StateAt and RaisedAt whatever the alert passed in says:
//     a replay never undoes a decision. Alerts sharing an ID in a batch are
//     saved in order. An ID saved with another rule, member of staff or key
//     is ECONFLICT and the batch writes nothing.
//   - SetAlertState follows lantern.AlertTransitionAllowed: a refused move is
//     ECONFLICT naming both states and changes nothing; a missing reason is
//     EINVALID. It returns the alert as Alert then gives it.
//   - AlertCounts lists the rules with alerts in byte order; AlertScores
//     leaves out dismissed alerts and orders by staff, LastEvidence and ID.
//   - Users are listed by username and restrictions by staff id, in byte
//     order. A user's username, id and OIDC subject are unique. A TOTP step
//     is accepted once and only when later than the last; a new secret
//     starts afresh. SetUserPassword clears failed sign-ins and any lock.
//   - Sessions are found only by the SHA-256 of their token; deleting a
//     session that is gone is not an error.
//   - The audit trail numbers entries from 1 with no gap, chains each to the
//     one before (the first to lantern.AuditGenesis), keeps times to the
//     microsecond, and stays one sound chain under concurrent appends.
//   - The event index replaces an event saved again by ID. IndexedEvents and
//     StaffEvents order by time then ID; PersonAccesses by time then ID,
//     newest first, and never lists events with no person. Fields come
//     back in the order saved, none as nil.
//   - Screening results are stored once per ID: recording a known ID again
//     changes nothing and creates no second intelligence item. Each new
//     result with a finding becomes one ungraded, unlinked item created by
//     lantern.ScreeningActor, with an intel.create entry on the audit trail,
//     in the same transaction; a batch with an invalid result stores
//     nothing. FindScreeningResults orders by check time, latest first,
//     then ID; ScreeningCoverage in the order of lantern.ScreeningChecks.
//   - Close may be called more than once, and Ping after Close is EUNAVAILABLE.
package storetest

import (
	"testing"

	"lantern"
)

// Opener returns a fresh, empty, migrated store for one test, and registers
// with t whatever cleanup the store needs (at least a call to Close).
type Opener = func(t *testing.T) lantern.Store

// Run runs the whole contract suite. Every subtest calls open for a store of
// its own, and most run in parallel, so open must be safe to call from
// several goroutines at once.
func Run(t *testing.T, open Opener) {
	t.Run("Ping", func(t *testing.T) { t.Parallel(); testPing(t, open) })
	t.Run("Staff", func(t *testing.T) { t.Parallel(); testStaff(t, open) })
	t.Run("Person", func(t *testing.T) { t.Parallel(); testPerson(t, open) })
	t.Run("Incident", func(t *testing.T) { t.Parallel(); testIncident(t, open) })
	t.Run("Involvement", func(t *testing.T) { t.Parallel(); testInvolvement(t, open) })
	t.Run("Assignment", func(t *testing.T) { t.Parallel(); testAssignment(t, open) })
	t.Run("StatusHistory", func(t *testing.T) { t.Parallel(); testStatusHistory(t, open) })
	t.Run("UpsertHistory", func(t *testing.T) { t.Parallel(); testUpsertHistory(t, open) })
	t.Run("Roster", func(t *testing.T) { t.Parallel(); testRoster(t, open) })
	t.Run("Quarantine", func(t *testing.T) { t.Parallel(); testQuarantine(t, open) })
	t.Run("Source", func(t *testing.T) { t.Parallel(); testSource(t, open) })
	t.Run("Concurrency", func(t *testing.T) { t.Parallel(); testConcurrency(t, open) })
	t.Run("Alert", func(t *testing.T) { t.Parallel(); testAlert(t, open) })
	t.Run("Progress", func(t *testing.T) { t.Parallel(); testProgress(t, open) })
	t.Run("User", func(t *testing.T) { t.Parallel(); testUser(t, open) })
	t.Run("Session", func(t *testing.T) { t.Parallel(); testSession(t, open) })
	t.Run("Restriction", func(t *testing.T) { t.Parallel(); testRestriction(t, open) })
	t.Run("Audit", func(t *testing.T) { t.Parallel(); testAudit(t, open) })
	t.Run("EventIndex", func(t *testing.T) { t.Parallel(); testEventIndex(t, open) })
	t.Run("Reports", func(t *testing.T) { t.Parallel(); testReports(t, open) })
	t.Run("Referrals", func(t *testing.T) { testReferrals(t, open) })
	t.Run("ReferralAttachments", func(t *testing.T) { testReferralAttachments(t, open) })
	t.Run("Intel", func(t *testing.T) { testIntel(t, open) })
	t.Run("SealedIntel", func(t *testing.T) { t.Parallel(); testSealedIntel(t, open) })
	t.Run("Screening", func(t *testing.T) { t.Parallel(); testScreening(t, open) })
	t.Run("ScreeningConcurrent", func(t *testing.T) { t.Parallel(); testScreeningConcurrent(t, open) })
}

func testPing(t *testing.T, open Opener) {
	t.Run("Open", func(t *testing.T) {
		t.Parallel()
		if err := open(t).Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
	t.Run("AfterClose", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wantCode(t, s.Ping(t.Context()), lantern.EUNAVAILABLE)
	})
}
