package storetest

import (
	"bytes"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"lantern"
)

func newUser(id, username string, role lantern.UserRole) *lantern.User {
	return &lantern.User{ID: id, Username: username, Name: "User " + id, Role: role, StaffID: "S-" + id,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", TOTPSecret: "sealed:" + id, CreatedAt: base()}
}

// testUser checks creating, finding, listing and changing users.
func testUser(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	a := newUser("u1", "alice", lantern.UserAnalyst)
	a.OIDCSubject = "sub-alice"
	must(t, s.CreateUser(ctx, a))
	must(t, s.CreateUser(ctx, newUser("u2", "bob", lantern.UserAdministrator)))
	got, err := s.FindUserByID(ctx, "u1")
	must(t, err)
	if got.Username != "alice" || got.Role != lantern.UserAnalyst || got.StaffID != "S-u1" || got.PasswordHash != a.PasswordHash ||
		got.TOTPSecret != "sealed:u1" || got.OIDCSubject != "sub-alice" || got.Disabled || got.LockedUntil != nil ||
		!got.CreatedAt.Equal(base()) || got.CreatedAt.Location() != time.UTC || got.UpdatedAt.IsZero() {
		t.Errorf("FindUserByID: %+v", got)
	}
	for name, find := range map[string]func() (*lantern.User, error){
		"username": func() (*lantern.User, error) { return s.FindUserByUsername(ctx, "alice") },
		"subject":  func() (*lantern.User, error) { return s.FindUserByOIDCSubject(ctx, "sub-alice") },
	} {
		u, err := find()
		must(t, err)
		if u.ID != "u1" {
			t.Errorf("find by %s: %s", name, u.ID)
		}
	}
	for _, find := range []func() (*lantern.User, error){
		func() (*lantern.User, error) { return s.FindUserByID(ctx, "nobody") },
		func() (*lantern.User, error) { return s.FindUserByUsername(ctx, "nobody") },
		func() (*lantern.User, error) { return s.FindUserByOIDCSubject(ctx, "nobody") },
		func() (*lantern.User, error) { return s.FindUserByOIDCSubject(ctx, "") },
	} {
		_, err := find()
		wantCode(t, err, lantern.ENOTFOUND)
	}
	// Taken id, username and subject.
	wantCode(t, s.CreateUser(ctx, newUser("u1", "carol", lantern.UserAuditor)), lantern.ECONFLICT)
	wantCode(t, s.CreateUser(ctx, newUser("u3", "alice", lantern.UserAuditor)), lantern.ECONFLICT)
	dup := newUser("u3", "carol", lantern.UserAuditor)
	dup.OIDCSubject = "sub-alice"
	wantCode(t, s.CreateUser(ctx, dup), lantern.ECONFLICT)
	wantCode(t, s.CreateUser(ctx, newUser("u3", "Carol", lantern.UserAuditor)), lantern.EINVALID)
	wantCode(t, s.CreateUser(ctx, newUser("u3", "carol", "chief")), lantern.EINVALID)
	// A partner's organisation is kept; other roles have none.
	org := newUser("u4", "pam", lantern.UserPartner)
	org.StaffID, org.Organisation = "", "refuge-north"
	must(t, s.CreateUser(ctx, org))
	if got, err := s.FindUserByUsername(ctx, "pam"); err != nil || got.Organisation != "refuge-north" {
		t.Errorf("partner's organisation: %+v %v", got, err)
	}
	if got, err := s.FindUserByID(ctx, "u1"); err != nil || got.Organisation != "" {
		t.Errorf("analyst's organisation: %+v %v", got, err)
	}
	notPartner := newUser("u5", "dan", lantern.UserAnalyst)
	notPartner.Organisation = "refuge-north"
	wantCode(t, s.CreateUser(ctx, notPartner), lantern.EINVALID)

	list, err := s.FindUsers(ctx)
	must(t, err)
	if len(list) != 3 || list[0].Username != "alice" || list[1].Username != "bob" || list[2].Username != "pam" || list[2].Organisation != "refuge-north" {
		t.Errorf("FindUsers: %d users", len(list))
	}

	must(t, s.SetUserOrganisation(ctx, "u4", "refuge-south"))
	if got, err := s.FindUserByID(ctx, "u4"); err != nil || got.Organisation != "refuge-south" {
		t.Errorf("after SetUserOrganisation: %+v %v", got, err)
	}
	wantCode(t, s.SetUserOrganisation(ctx, "u1", "refuge-south"), lantern.EINVALID) // not a partner
	wantCode(t, s.SetUserOrganisation(ctx, "u4", ""), lantern.EINVALID)
	wantCode(t, s.SetUserOrganisation(ctx, "u4", "bad organisation\n"), lantern.EINVALID)
	wantCode(t, s.SetUserOrganisation(ctx, "nobody", "refuge-south"), lantern.ENOTFOUND)
	if got, _ := s.FindUserByID(ctx, "u4"); got == nil || got.Organisation != "refuge-south" {
		t.Errorf("a refused change altered the user: %+v", got)
	}
	must(t, s.SetUserDisabled(ctx, "u1", true))
	must(t, s.SetUserTOTP(ctx, "u1", "sealed:new"))
	must(t, s.SetUserOIDCSubject(ctx, "u2", "sub-bob"))
	wantCode(t, s.SetUserOIDCSubject(ctx, "u1", "sub-bob"), lantern.ECONFLICT)
	must(t, s.SetUserOIDCSubject(ctx, "u1", ""))
	lock := base().Add(time.Hour)
	n, err := s.RecordSignInFailure(ctx, "u1", nil)
	must(t, err)
	if n != 1 {
		t.Errorf("first failure counted %d", n)
	}
	n, err = s.RecordSignInFailure(ctx, "u1", &lock)
	must(t, err)
	if n != 2 {
		t.Errorf("second failure counted %d", n)
	}
	got, err = s.FindUserByID(ctx, "u1")
	must(t, err)
	if !got.Disabled || got.TOTPSecret != "sealed:new" || got.OIDCSubject != "" || got.FailedSignIns != 2 ||
		got.LockedUntil == nil || !got.LockedUntil.Equal(lock) {
		t.Errorf("after changes: %+v", got)
	}
	must(t, s.SetUserPassword(ctx, "u1", "new-hash"))
	got, err = s.FindUserByID(ctx, "u1")
	must(t, err)
	if got.PasswordHash != "new-hash" || got.FailedSignIns != 0 || got.LockedUntil != nil {
		t.Errorf("SetUserPassword must clear failures and lock: %+v", got)
	}
	_, err = s.RecordSignInFailure(ctx, "u1", &lock)
	must(t, err)
	must(t, s.ClearSignInFailures(ctx, "u1"))
	got, err = s.FindUserByID(ctx, "u1")
	must(t, err)
	if got.FailedSignIns != 0 || got.LockedUntil != nil {
		t.Errorf("ClearSignInFailures: %+v", got)
	}

	// A TOTP step is accepted once, and only moving forward.
	must(t, s.UseTOTPStep(ctx, "u1", 100))
	wantCode(t, s.UseTOTPStep(ctx, "u1", 100), lantern.ECONFLICT)
	wantCode(t, s.UseTOTPStep(ctx, "u1", 99), lantern.ECONFLICT)
	must(t, s.UseTOTPStep(ctx, "u1", 101))
	must(t, s.SetUserTOTP(ctx, "u1", "sealed:again"))
	must(t, s.UseTOTPStep(ctx, "u1", 50)) // a new secret starts afresh

	// One code sent twice at once is accepted once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for range 8 {
		wg.Go(func() {
			err := s.UseTOTPStep(ctx, "u1", 60)
			if err == nil {
				mu.Lock()
				accepted++
				mu.Unlock()
			} else if lantern.ErrorCode(err) != lantern.ECONFLICT {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if accepted != 1 {
		t.Errorf("one step accepted %d times at once", accepted)
	}

	for _, err := range []error{
		s.SetUserDisabled(ctx, "nobody", true),
		s.SetUserPassword(ctx, "nobody", "x"),
		s.SetUserTOTP(ctx, "nobody", ""),
		s.SetUserOIDCSubject(ctx, "nobody", "x"),
		s.UseTOTPStep(ctx, "nobody", 1),
		s.ClearSignInFailures(ctx, "nobody"),
	} {
		wantCode(t, err, lantern.ENOTFOUND)
	}
	_, err = s.RecordSignInFailure(ctx, "nobody", nil)
	wantCode(t, err, lantern.ENOTFOUND)
}

func sessionHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// testSession checks that sessions are found by token hash, touched and
// deleted one by one or per user.
func testSession(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, s.CreateUser(ctx, newUser("u1", "alice", lantern.UserAnalyst)))
	must(t, s.CreateUser(ctx, newUser("u2", "bob", lantern.UserAnalyst)))
	at := base().Add(123456789 * time.Nanosecond)
	for i, id := range []string{"s1", "s2", "s3"} {
		user := "u1"
		if i == 2 {
			user = "u2"
		}
		must(t, s.CreateSession(ctx, &lantern.Session{ID: id, TokenHash: sessionHash(id), UserID: user, CreatedAt: at, LastSeenAt: at}))
	}
	wantCode(t, s.CreateSession(ctx, &lantern.Session{ID: "s1", TokenHash: sessionHash("other"), UserID: "u1", CreatedAt: at, LastSeenAt: at}), lantern.ECONFLICT)
	wantCode(t, s.CreateSession(ctx, &lantern.Session{ID: "s9", TokenHash: sessionHash("s1"), UserID: "u1", CreatedAt: at, LastSeenAt: at}), lantern.ECONFLICT)
	wantCode(t, s.CreateSession(ctx, &lantern.Session{ID: "s9", TokenHash: sessionHash("s9"), UserID: "nobody", CreatedAt: at, LastSeenAt: at}), lantern.ENOTFOUND)
	wantCode(t, s.CreateSession(ctx, &lantern.Session{ID: "s9", TokenHash: []byte("short"), UserID: "u1", CreatedAt: at, LastSeenAt: at}), lantern.EINVALID)

	got, err := s.FindSessionByTokenHash(ctx, sessionHash("s1"))
	must(t, err)
	want := at.Truncate(time.Microsecond)
	if got.ID != "s1" || got.UserID != "u1" || !bytes.Equal(got.TokenHash, sessionHash("s1")) ||
		!got.CreatedAt.Equal(want) || !got.LastSeenAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("FindSessionByTokenHash: %+v", got)
	}
	later := at.Add(time.Minute)
	must(t, s.TouchSession(ctx, "s1", later))
	got, err = s.FindSessionByTokenHash(ctx, sessionHash("s1"))
	must(t, err)
	if !got.LastSeenAt.Equal(later.Truncate(time.Microsecond)) || !got.CreatedAt.Equal(want) {
		t.Errorf("after TouchSession: %+v", got)
	}
	wantCode(t, s.TouchSession(ctx, "nobody", later), lantern.ENOTFOUND)

	must(t, s.DeleteSession(ctx, "s1"))
	must(t, s.DeleteSession(ctx, "s1"))
	_, err = s.FindSessionByTokenHash(ctx, sessionHash("s1"))
	wantCode(t, err, lantern.ENOTFOUND)
	must(t, s.CreateSession(ctx, &lantern.Session{ID: "s4", TokenHash: sessionHash("s4"), UserID: "u1", CreatedAt: at, LastSeenAt: at}))
	ids, err := s.DeleteUserSessions(ctx, "u1")
	must(t, err)
	if len(ids) != 2 || ids[0] != "s2" || ids[1] != "s4" {
		t.Errorf("DeleteUserSessions: %v", ids)
	}
	if _, err := s.FindSessionByTokenHash(ctx, sessionHash("s3")); err != nil {
		t.Errorf("another user's session went too: %v", err)
	}
	ids, err = s.DeleteUserSessions(ctx, "u1")
	must(t, err)
	if len(ids) != 0 {
		t.Errorf("DeleteUserSessions again: %v", ids)
	}
}

// testRestriction checks recording and ending open cases against staff.
func testRestriction(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	on, err := s.StaffRestricted(ctx, "S1")
	must(t, err)
	if on {
		t.Error("restricted before any restriction")
	}
	must(t, s.RestrictStaff(ctx, &lantern.Restriction{StaffID: "S2", By: "u1", CreatedAt: base()}))
	must(t, s.RestrictStaff(ctx, &lantern.Restriction{StaffID: "S1", By: "u1", CreatedAt: base()}))
	must(t, s.RestrictStaff(ctx, &lantern.Restriction{StaffID: "S1", By: "u2", CreatedAt: base().Add(time.Hour)}))
	wantCode(t, s.RestrictStaff(ctx, &lantern.Restriction{StaffID: "", By: "u1", CreatedAt: base()}), lantern.EINVALID)
	on, err = s.StaffRestricted(ctx, "S1")
	must(t, err)
	if !on {
		t.Error("S1 not restricted")
	}
	list, err := s.FindRestrictions(ctx)
	must(t, err)
	if len(list) != 2 || list[0].StaffID != "S1" || list[0].By != "u1" || !list[0].CreatedAt.Equal(base()) || list[1].StaffID != "S2" {
		t.Errorf("FindRestrictions: %+v", list)
	}
	must(t, s.UnrestrictStaff(ctx, "S1"))
	wantCode(t, s.UnrestrictStaff(ctx, "S1"), lantern.ENOTFOUND)
	on, err = s.StaffRestricted(ctx, "S1")
	must(t, err)
	if on {
		t.Error("S1 still restricted")
	}
}
