package storetest

import (
	"testing"

	"lantern"
)

func intelKey(recipient string) lantern.IntelKey {
	return lantern.IntelKey{RecipientID: recipient, Wrapped: []byte("age:" + recipient), CreatedAt: fine(hour(1))}
}

// testSealedIntel checks items whose text is sealed: the store keeps the
// sealed bytes and the wrapped keys as they are, and the clear text
// columns empty.
func testSealedIntel(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	sealed := func(h float64) *lantern.IntelItem {
		return &lantern.IntelItem{Source: lantern.IntelFromReferral, SourceRef: "referral:1", CreatedBy: "system", CreatedAt: fine(hour(h)),
			Sealed: &lantern.SealedIntelText{Summary: []byte("sealed-summary"), Keys: []lantern.IntelKey{intelKey("ann"), intelKey("hop")}}}
	}
	it := sealed(1)
	must(t, s.CreateIntelItem(ctx, it))
	got, err := s.IntelItem(ctx, it.ID)
	must(t, err)
	if got.Summary != "" || got.Sanitised != "" || got.Sealed == nil || string(got.Sealed.Summary) != "sealed-summary" ||
		got.Sealed.Sanitised != nil || len(got.Sealed.Keys) != 0 {
		t.Fatalf("stored %+v %+v", got, got.Sealed)
	}
	k, err := s.IntelKey(ctx, it.ID, "hop")
	must(t, err)
	want := intelKey("hop")
	want.ItemID, want.CreatedAt = it.ID, norm(want.CreatedAt)
	same(t, "key", k, &want)
	_, err = s.IntelKey(ctx, it.ID, "ivy")
	wantCode(t, err, lantern.ENOTFOUND)

	// Sealed and clear text do not mix.
	mixed := sealed(2)
	mixed.Summary = "in clear"
	wantInvalid(t, s.CreateIntelItem(ctx, mixed), "summary")
	bad := sealed(2)
	bad.Sealed.Keys = []lantern.IntelKey{{RecipientID: "ann", CreatedAt: hour(1)}}
	wantInvalid(t, s.CreateIntelItem(ctx, bad), "wrapped")
	if _, n, err := s.FindIntelItems(ctx, lantern.IntelFilter{}); err != nil || n != 1 {
		t.Fatalf("refused items were stored: %d %v", n, err)
	}

	// Sharing replaces the sealed sanitised text; clear text is refused.
	_, err = s.GradeIntelItem(ctx, it.ID, lantern.Grading{Grade: lantern.Grade{Source: 1, Intelligence: "A", Handling: lantern.HandlingP}, By: "ann", At: hour(2)})
	must(t, err)
	_, err = s.ShareIntelItem(ctx, it.ID, lantern.Sharing{Sanitised: "in clear", With: "ACU", By: "ann", At: hour(3)})
	wantInvalid(t, err, "sanitised")
	_, err = s.ShareIntelItem(ctx, it.ID, lantern.Sharing{With: "ACU", By: "ann", At: hour(3)})
	wantInvalid(t, err, "sanitised")
	shared, err := s.ShareIntelItem(ctx, it.ID, lantern.Sharing{SealedSanitised: []byte("sealed-sanitised"), With: "ACU", By: "ann", At: hour(3)})
	must(t, err)
	got, err = s.IntelItem(ctx, it.ID)
	must(t, err)
	same(t, "shared item", got, shared)
	if got.State != lantern.IntelShared || got.Sanitised != "" || string(got.Sealed.Sanitised) != "sealed-sanitised" || string(got.Sealed.Summary) != "sealed-summary" {
		t.Errorf("shared %+v %+v", got, got.Sealed)
	}
	linked, err := s.LinkIntelStaff(ctx, it.ID, lantern.StaffLink{StaffID: "S1", By: "ann", At: hour(4)})
	must(t, err)
	if string(linked.Sealed.Sanitised) != "sealed-sanitised" {
		t.Errorf("linking lost the sealed text: %+v", linked.Sealed)
	}
	clear := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:a1", Summary: "in clear", CreatedBy: "ann", CreatedAt: fine(hour(5))}
	must(t, s.CreateIntelItem(ctx, clear))
	_, err = s.GradeIntelItem(ctx, clear.ID, lantern.Grading{Grade: lantern.Grade{Source: 1, Intelligence: "A", Handling: lantern.HandlingP}, By: "ann", At: hour(6)})
	must(t, err)
	_, err = s.ShareIntelItem(ctx, clear.ID, lantern.Sharing{SealedSanitised: []byte("x"), With: "ACU", By: "ann", At: hour(6)})
	wantInvalid(t, err, "sanitised")

	// Keys are added (a colleague granted, the escrow recovered), replaced
	// and listed by recipient.
	second := sealed(7)
	second.Sealed.Keys = nil
	must(t, s.CreateIntelItem(ctx, second))
	ivy1, ivy2 := intelKey("ivy"), intelKey("ivy")
	ivy1.ItemID, ivy2.ItemID = second.ID, it.ID
	must(t, s.PutIntelKeys(ctx, []lantern.IntelKey{ivy1, ivy2}))
	ivy2.Wrapped = []byte("age:ivy:again")
	must(t, s.PutIntelKeys(ctx, []lantern.IntelKey{ivy2}))
	keys, err := s.RecipientIntelKeys(ctx, "ivy")
	must(t, err)
	ivy1.CreatedAt, ivy2.CreatedAt = norm(ivy1.CreatedAt), norm(ivy2.CreatedAt)
	same(t, "ivy's keys", keys, []lantern.IntelKey{ivy2, ivy1})
	missing := intelKey("ivy")
	missing.ItemID = 999
	wantCode(t, s.PutIntelKeys(ctx, []lantern.IntelKey{missing}), lantern.ENOTFOUND)
	wantInvalid(t, s.PutIntelKeys(ctx, []lantern.IntelKey{{ItemID: it.ID, Wrapped: []byte("w"), CreatedAt: hour(1)}}), "recipient_id")
	if keys, err := s.RecipientIntelKeys(ctx, "nobody"); err != nil || len(keys) != 0 {
		t.Errorf("keys for nobody: %v %v", keys, err)
	}

	// An item recorded in clear is sealed in place, with its keys.
	old := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:a2", Summary: "in clear", CreatedBy: "ann", CreatedAt: fine(hour(8))}
	must(t, s.CreateIntelItem(ctx, old))
	wantInvalid(t, s.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{}), "summary")
	wantInvalid(t, s.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{Summary: []byte("s"), Sanitised: []byte("t")}), "sanitised")
	wantInvalid(t, s.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{Summary: []byte("s"), Keys: []lantern.IntelKey{{RecipientID: "ann"}}}), "wrapped")
	wantCode(t, s.SealIntelItem(ctx, 999, &lantern.SealedIntelText{Summary: []byte("s")}), lantern.ENOTFOUND)
	must(t, s.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{Summary: []byte("sealed-old"), Keys: []lantern.IntelKey{intelKey("ann")}}))
	got, err = s.IntelItem(ctx, old.ID)
	must(t, err)
	if got.Summary != "" || got.Sealed == nil || string(got.Sealed.Summary) != "sealed-old" || got.Sealed.Sanitised != nil || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("sealed in place: %+v", got)
	}
	if _, err := s.IntelKey(ctx, old.ID, "ann"); err != nil {
		t.Errorf("no key stored with the sealing: %v", err)
	}
	wantCode(t, s.SealIntelItem(ctx, old.ID, &lantern.SealedIntelText{Summary: []byte("again")}), lantern.ECONFLICT)
	sharedOld := &lantern.IntelItem{Source: lantern.IntelFromAlert, SourceRef: "alert:a3", Summary: "in clear", CreatedBy: "ann", CreatedAt: fine(hour(9))}
	must(t, s.CreateIntelItem(ctx, sharedOld))
	_, err = s.GradeIntelItem(ctx, sharedOld.ID, lantern.Grading{Grade: lantern.Grade{Source: 1, Intelligence: "A", Handling: lantern.HandlingP}, By: "ann", At: hour(9)})
	must(t, err)
	_, err = s.ShareIntelItem(ctx, sharedOld.ID, lantern.Sharing{Sanitised: "clear sanitised", With: "ACU", By: "ann", At: hour(9)})
	must(t, err)
	wantInvalid(t, s.SealIntelItem(ctx, sharedOld.ID, &lantern.SealedIntelText{Summary: []byte("s")}), "sanitised")
	must(t, s.SealIntelItem(ctx, sharedOld.ID, &lantern.SealedIntelText{Summary: []byte("s"), Sanitised: []byte("t")}))
	if got, err := s.IntelItem(ctx, sharedOld.ID); err != nil || got.Sanitised != "" || string(got.Sealed.Sanitised) != "t" || got.State != lantern.IntelShared {
		t.Errorf("shared item sealed in place: %+v %v", got, err)
	}

	// Removing a key recipient removes their item keys, not others'.
	must(t, s.PutKeyRecipient(ctx, &lantern.KeyRecipient{UserID: "ivy", Role: lantern.UserInvestigator, PublicKey: "age1pqivy", WrappedIdentity: []byte("w"), CreatedAt: hour(1)}))
	must(t, s.DeleteKeyRecipient(ctx, "ivy"))
	if keys, err := s.RecipientIntelKeys(ctx, "ivy"); err != nil || len(keys) != 0 {
		t.Errorf("%d item keys left for a removed recipient (%v)", len(keys), err)
	}
	if _, err := s.IntelKey(ctx, it.ID, "ann"); err != nil {
		t.Errorf("another recipient's item key went too: %v", err)
	}
}
