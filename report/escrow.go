package report

import (
	"context"
	"fmt"
	"slices"

	"filippo.io/age"

	"lantern"
)

// CreateEscrow makes the escrow key pair, its private key wrapped under
// passphrase, which the head of PSD keeps apart from their own password
// (written down and locked away). Every report received afterwards has its
// keys wrapped for the escrow too, so that a unit member who loses their
// password, or leaves, does not take reports with them. Only the head of PSD
// may do it (the principal in ctx; EFORBIDDEN); ECONFLICT when an escrow key exists.
func (k *Keyring) CreateEscrow(ctx context.Context, passphrase string) error {
	p, _ := lantern.PrincipalFrom(ctx)
	if err := headOfPSD(p); err != nil {
		return err
	}
	if len(passphrase) < 16 {
		return lantern.FieldErrorf("passphrase", "The escrow passphrase must be at least 16 characters.")
	}
	if _, err := k.cfg.Store.KeyRecipient(ctx, lantern.EscrowRecipient); err == nil {
		return lantern.Errorf(lantern.ECONFLICT, "An escrow key already exists.")
	} else if lantern.ErrorCode(err) != lantern.ENOTFOUND {
		return err
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return err
	}
	wrapped, err := k.wrapIdentity(id, passphrase)
	if err != nil {
		return err
	}
	if err := k.audit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: "report.escrow.create", Object: "key:escrow", Outcome: lantern.AuditAllowed}); err != nil {
		return err
	}
	return k.cfg.Store.PutKeyRecipient(ctx, &lantern.KeyRecipient{UserID: lantern.EscrowRecipient, Role: lantern.UserHeadOfPSD,
		PublicKey: id.Recipient().String(), WrappedIdentity: wrapped, CreatedAt: k.cfg.Now()})
}

// RecoverWithEscrow unlocks the escrow key with passphrase and wraps every
// report key the escrow holds for userID's current key pair: content keys
// and intelligence items' keys always, identity keys only when userID is a
// head of PSD. The user must
// have signed in once since losing their old key, so that they have a new
// pair. Only the head of PSD may do it; the attempt is on the audit trail
// whether it succeeds or not. It returns how many keys were wrapped.
func (k *Keyring) RecoverWithEscrow(ctx context.Context, passphrase, userID string) (int, error) {
	p, _ := lantern.PrincipalFrom(ctx)
	if err := headOfPSD(p); err != nil {
		return 0, err
	}
	entry := lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: "report.escrow.use", Object: "user:" + userID, Outcome: lantern.AuditFailed}
	esc, err := k.cfg.Store.KeyRecipient(ctx, lantern.EscrowRecipient)
	if err != nil {
		entry.Detail = "no escrow key"
		k.audit(ctx, entry)
		return 0, err
	}
	target, err := k.cfg.Store.KeyRecipient(ctx, userID)
	if err != nil {
		entry.Detail = "the user has no report key yet"
		k.audit(ctx, entry)
		return 0, err
	}
	id, err := k.unwrapIdentity(esc.WrappedIdentity, passphrase)
	if err != nil {
		entry.Detail = "wrong escrow passphrase"
		k.audit(ctx, entry)
		return 0, lantern.Errorf(lantern.EUNAUTHORIZED, "The escrow passphrase is not right.")
	}
	pub, err := age.ParseHybridRecipient(target.PublicKey)
	if err != nil {
		return 0, err
	}
	purposes := []string{lantern.KeyContent}
	if target.Role == lantern.UserHeadOfPSD {
		purposes = append(purposes, lantern.KeyIdentity)
	}
	n, err := k.rewrapAll(ctx, id, lantern.EscrowRecipient, userID, pub, purposes)
	entry.Detail = fmt.Sprintf("%d report and intelligence keys wrapped for the user", n)
	if err == nil {
		entry.Outcome = lantern.AuditAllowed
	}
	if aerr := k.audit(ctx, entry); err == nil {
		err = aerr
	}
	return n, err
}

// Grant wraps every report content key and intelligence item key held by
// the session of the principal in ctx for userID, a colleague who joined
// the unit after those reports and items arrived. Audited.
func (k *Keyring) Grant(ctx context.Context, userID string) (int, error) {
	p, _ := lantern.PrincipalFrom(ctx)
	if err := unitMember(p); err != nil {
		return 0, err
	}
	id, err := k.identity(p)
	if err != nil {
		return 0, err
	}
	target, err := k.cfg.Store.KeyRecipient(ctx, userID)
	if err != nil {
		return 0, err
	}
	pub, err := age.ParseHybridRecipient(target.PublicKey)
	if err != nil {
		return 0, err
	}
	n, err := k.rewrapAll(ctx, id, p.UserID, userID, pub, []string{lantern.KeyContent})
	outcome := lantern.AuditAllowed
	if err != nil {
		outcome = lantern.AuditFailed
	}
	k.audit(ctx, lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: "report.key.grant", Object: "user:" + userID,
		Outcome: outcome, Detail: fmt.Sprintf("%d report and intelligence keys wrapped for the user", n)})
	return n, err
}

// rewrapAll unwraps with id every key held by from and wraps it for to:
// report keys with the purposes given, and with lantern.KeyContent the
// intelligence items' keys too.
func (k *Keyring) rewrapAll(ctx context.Context, id age.Identity, from, to string, pub age.Recipient, purposes []string) (int, error) {
	n := 0
	if slices.Contains(purposes, lantern.KeyContent) {
		m, err := k.rewrapIntel(ctx, id, from, to, pub)
		if n += m; err != nil {
			return n, err
		}
	}
	for _, purpose := range purposes {
		keys, err := k.cfg.Store.RecipientKeys(ctx, from, purpose)
		if err != nil {
			return n, err
		}
		var out []lantern.ReportKey
		for _, rk := range keys {
			key, err := unwrapKey(rk.Wrapped, id)
			if err != nil {
				return n, err
			}
			w, err := wrapKey(key, pub)
			if err != nil {
				return n, err
			}
			out = append(out, lantern.ReportKey{ReportID: rk.ReportID, RecipientID: to, Purpose: purpose, Wrapped: w, CreatedAt: k.cfg.Now()})
		}
		if len(out) > 0 {
			if err := k.cfg.Store.PutReportKeys(ctx, out); err != nil {
				return n, err
			}
		}
		n += len(out)
	}
	return n, nil
}

// headOfPSD returns EFORBIDDEN unless p is a head of PSD who is not locked
// out.
func headOfPSD(p lantern.Principal) error {
	if err := unitMember(p); err != nil {
		return err
	}
	if p.Role != lantern.UserHeadOfPSD {
		return lantern.Errorf(lantern.EFORBIDDEN, "Only the head of PSD may do this.")
	}
	return nil
}

// unitMember returns EUNAUTHORIZED or EFORBIDDEN unless p is signed in with
// a role that reads reports and is not locked out.
func unitMember(p lantern.Principal) error {
	if p.UserID == "" {
		return lantern.Errorf(lantern.EUNAUTHORIZED, "Sign in first.")
	}
	if p.LockedOut {
		return lantern.Errorf(lantern.EFORBIDDEN, "Your access to the workspace is suspended.")
	}
	if !lantern.ReportRecipientRole(p.Role) {
		return lantern.Errorf(lantern.EFORBIDDEN, "Your role may not read reports.")
	}
	return nil
}

// rewrapIntel unwraps with id every intelligence item key held by from and
// wraps it for to.
func (k *Keyring) rewrapIntel(ctx context.Context, id age.Identity, from, to string, pub age.Recipient) (int, error) {
	keys, err := k.cfg.Store.RecipientIntelKeys(ctx, from)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	out := make([]lantern.IntelKey, 0, len(keys))
	for _, ik := range keys {
		key, err := unwrapKey(ik.Wrapped, id)
		if err != nil {
			return 0, err
		}
		w, err := wrapKey(key, pub)
		if err != nil {
			return 0, err
		}
		out = append(out, lantern.IntelKey{ItemID: ik.ItemID, RecipientID: to, Wrapped: w, CreatedAt: k.cfg.Now()})
	}
	if err := k.cfg.Store.PutIntelKeys(ctx, out); err != nil {
		return 0, err
	}
	return len(out), nil
}
