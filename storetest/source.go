package storetest

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"lantern"
)

func testSource(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) { t.Parallel(); testSourceCreateAndFind(t, open) })
	t.Run("Rejected", func(t *testing.T) { t.Parallel(); testSourceRejected(t, open) })
	t.Run("Disable", func(t *testing.T) { t.Parallel(); testSourceDisable(t, open) })
	t.Run("None", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		list, err := s.FindSources(t.Context())
		must(t, err)
		if len(list) != 0 {
			t.Errorf("FindSources on an empty store: %d sources", len(list))
		}
		_, err = s.FindSourceByTokenHash(t.Context(), tokenHash("nobody"))
		wantCode(t, err, lantern.ENOTFOUND)
	})
}

// tokenHash is the SHA-256 of a made-up token.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte("token:" + token))
	return sum[:]
}

func newSource(name string) *lantern.Source {
	return &lantern.Source{Name: name, Scope: lantern.ScopeIngest, TokenHash: tokenHash(name), CreatedAt: base()}
}

// sameSource compares got with want as a store must give it back.
func sameSource(t *testing.T, got, want *lantern.Source) {
	t.Helper()
	if got == nil {
		t.Fatalf("source %q: got nil", want.Name)
	}
	w := *want
	w.CreatedAt = norm(w.CreatedAt)
	w.DisabledAt = normPtr(w.DisabledAt)
	// TokenHash is not in the JSON form.
	if !bytes.Equal(got.TokenHash, w.TokenHash) {
		t.Errorf("source %q: TokenHash %x, want %x", want.Name, got.TokenHash, w.TokenHash)
	}
	same(t, "source "+want.Name, got, &w)
}

func sourceNames(list []*lantern.Source) []string {
	names := []string{}
	for _, s := range list {
		names = append(names, s.Name)
	}
	return names
}

func testSourceCreateAndFind(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	// Names in byte order: '-' sorts before '_', which a collation that
	// ignores punctuation would not keep.
	created := []*lantern.Source{newSource("rms"), newSource("b_1"), newSource("b-2"), newSource("cad")}
	created[0].CreatedAt = fine(hour(1))
	created[2].Scope = lantern.ScopeAlerts
	for i, src := range created {
		must(t, s.CreateSource(ctx, src))
		if src.ID <= 0 || i > 0 && src.ID <= created[i-1].ID {
			t.Errorf("source %q: ID %d not assigned in ascending order", src.Name, src.ID)
		}
	}
	for _, src := range created {
		got, err := s.FindSourceByTokenHash(ctx, tokenHash(src.Name))
		must(t, err)
		sameSource(t, got, src)
	}
	list, err := s.FindSources(ctx)
	must(t, err)
	sameIDs(t, "FindSources", sourceNames(list), []string{"b-2", "b_1", "cad", "rms"})
	for _, got := range list {
		for _, src := range created {
			if src.Name == got.Name {
				sameSource(t, got, src)
			}
		}
	}
	_, err = s.FindSourceByTokenHash(ctx, tokenHash("unknown"))
	wantCode(t, err, lantern.ENOTFOUND)
	_, err = s.FindSourceByTokenHash(ctx, nil)
	wantCode(t, err, lantern.ENOTFOUND)
}

func testSourceRejected(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		source *lantern.Source
		code   string
		field  string
	}{
		{"NoScope", &lantern.Source{Name: "other", TokenHash: tokenHash("other"), CreatedAt: base()}, lantern.EINVALID, "scope"},
		{"BadScope", &lantern.Source{Name: "other", Scope: "admin", TokenHash: tokenHash("other"), CreatedAt: base()}, lantern.EINVALID, "scope"},
		{"NameTaken", &lantern.Source{Name: "rms", Scope: lantern.ScopeIngest, TokenHash: tokenHash("other"), CreatedAt: base()}, lantern.ECONFLICT, ""},
		{"NameOfDisabled", &lantern.Source{Name: "old", Scope: lantern.ScopeIngest, TokenHash: tokenHash("other"), CreatedAt: base()}, lantern.ECONFLICT, ""},
		{"TokenTaken", &lantern.Source{Name: "other", Scope: lantern.ScopeIngest, TokenHash: tokenHash("rms"), CreatedAt: base()}, lantern.ECONFLICT, ""},
		{"TokenOfDisabled", &lantern.Source{Name: "other", Scope: lantern.ScopeIngest, TokenHash: tokenHash("old"), CreatedAt: base()}, lantern.ECONFLICT, ""},
		{"NameNotToken", &lantern.Source{Name: "RMS", Scope: lantern.ScopeIngest, TokenHash: tokenHash("other"), CreatedAt: base()}, lantern.EINVALID, "name"},
		{"ShortHash", &lantern.Source{Name: "other", Scope: lantern.ScopeIngest, TokenHash: tokenHash("other")[:31], CreatedAt: base()}, lantern.EINVALID, "token_hash"},
		{"NoCreatedAt", &lantern.Source{Name: "other", Scope: lantern.ScopeIngest, TokenHash: tokenHash("other")}, lantern.EINVALID, "created_at"},
	}
	// A refused source must leave the store as it was, so the cases share one.
	s := open(t)
	ctx := t.Context()
	must(t, s.CreateSource(ctx, newSource("rms")))
	must(t, s.CreateSource(ctx, newSource("old")))
	must(t, s.DisableSource(ctx, "old", hour(1)))
	before, err := s.FindSources(ctx)
	must(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateSource(ctx, tt.source)
			wantCode(t, err, tt.code)
			if tt.field != "" {
				wantInvalid(t, err, tt.field)
			}
			if tt.source.ID != 0 {
				t.Errorf("refused source given ID %d", tt.source.ID)
			}
			after, err := s.FindSources(ctx)
			must(t, err)
			same(t, "sources after a refused create", after, before)
		})
	}
}

func testSourceDisable(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	rms, cad := newSource("rms"), newSource("cad")
	must(t, s.CreateSource(ctx, rms))
	must(t, s.CreateSource(ctx, cad))

	at := fine(hour(5))
	must(t, s.DisableSource(ctx, "rms", at))
	_, err := s.FindSourceByTokenHash(ctx, rms.TokenHash)
	wantCode(t, err, lantern.ENOTFOUND)
	got, err := s.FindSourceByTokenHash(ctx, cad.TokenHash)
	must(t, err)
	sameSource(t, got, cad)

	// FindSources still lists it, with the time it was disabled; disabling
	// it again keeps that time.
	must(t, s.DisableSource(ctx, "rms", hour(9)))
	list, err := s.FindSources(ctx)
	must(t, err)
	sameIDs(t, "FindSources", sourceNames(list), []string{"cad", "rms"})
	rms.DisabledAt = &at
	sameSource(t, list[1], rms)

	wantCode(t, s.DisableSource(ctx, "RMS", hour(9)), lantern.ENOTFOUND)
	wantCode(t, s.DisableSource(ctx, "cad", time.Time{}), lantern.EINVALID)
	if got, err := s.FindSourceByTokenHash(ctx, cad.TokenHash); err != nil || got.DisabledAt != nil {
		t.Errorf("cad after refused disables: %+v, %v; want enabled", got, err)
	}
}
