package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"lantern"
	"lantern/report"
	"lantern/sqlite"
)

// TestScreeningFindingsSealedAfterFirstSignIn follows a screening finding
// that arrives before any unit member holds a key: intake cannot seal it,
// so it is recorded in clear and marked as waiting; the start-up attempt
// cannot seal it either; the first password sign-in of an analyst makes
// their key pair, and the hook seals the waiting item for them.
func TestScreeningFindingsSealedAfterFirstSignIn(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sys := &system{store: db}

	seal, err := screeningSealer(sys, logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seal(ctx); lantern.ErrorCode(err) != lantern.EUNAVAILABLE || !sys.clearIntel.Load() {
		t.Fatalf("seal with no key holder: %v, waiting %v", err, sys.clearIntel.Load())
	}
	finding := &lantern.ScreeningResult{ID: "vs-1", StaffID: "S1", CheckedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Check: lantern.CheckFinancial, Result: lantern.ScreeningTrace, Detail: "An undeclared county court judgment."}
	items, err := db.RecordScreeningResults(ctx, nil, finding)
	if err != nil || len(items) != 1 {
		t.Fatalf("record: %v %v", items, err)
	}

	kr := report.NewKeyring(report.KeyringConfig{Store: db, Audit: db, Logger: logger, WorkFactor: 10, RoleOf: roleOf(db)})
	in, err := report.NewSealedIntel(report.IntelConfig{Store: db, Keyring: kr, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	sealClearIntel(ctx, sys, in, logger) // at start: nobody holds a key yet
	if it, _ := db.IntelItem(ctx, items[0].ID); it.Sealed != nil || !sys.clearIntel.Load() {
		t.Fatalf("sealed with no key holder: %+v, waiting %v", it, sys.clearIntel.Load())
	}

	if err := db.CreateUser(ctx, &lantern.User{ID: "u-ann", Username: "ann", Name: "Ann", Role: lantern.UserAnalyst,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	hook := keyringHook{kr, sealWaiting(sys, in, logger)}
	hook.SignedIn(ctx, "u-ann", "session-1", "a long enough password")
	it, err := db.IntelItem(ctx, items[0].ID)
	if err != nil || it.Sealed == nil || it.Summary != "" || sys.clearIntel.Load() {
		t.Fatalf("after the first sign-in: %+v %v, waiting %v", it, err, sys.clearIntel.Load())
	}
	if _, err := db.IntelKey(ctx, it.ID, "u-ann"); err != nil {
		t.Errorf("the item's key was not wrapped for the analyst: %v", err)
	}
	// The analyst's session opens it.
	opened, err := in.IntelItem(lantern.WithPrincipal(ctx, lantern.Principal{UserID: "u-ann", Role: lantern.UserAnalyst, SessionID: "session-1"}), it.ID)
	if err != nil || opened.Summary != finding.IntelSummary() {
		t.Errorf("the analyst reads %q (%v), want %q", opened.Summary, err, finding.IntelSummary())
	}
	// Later findings are sealed as intake records them.
	if s, err := seal(ctx); err != nil || s == nil {
		t.Fatalf("seal with a key holder: %v", err)
	}
}
