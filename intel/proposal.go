package intel

import (
	"context"
	"strconv"

	"lantern"
)

// Proposal is a member of staff an item's source appears to identify, for
// an analyst to confirm.
type Proposal struct {
	StaffID string
	Reason  string // why the source points to them, and anything against it
}

// StaffProposal is a Proposal with the staff record it names.
type StaffProposal struct {
	Staff  *lantern.Staff
	Reason string
}

// MaxProposals bounds the proposals Proposals returns.
const MaxProposals = 10

// Proposals returns the members of staff the item's source appears to
// identify, in the order its proposer ranks them (the strongest first), at
// most MaxProposals, each with the proposer's reason, for an analyst to
// confirm one with LinkStaff. The user's own staff record is never among
// them, and a record that no longer exists is left out. An item whose
// source has no proposer has none. Only analysts confirm identifications
// (EFORBIDDEN for anyone else); the proposals are on the audit trail by
// count, without the names.
func (s *Service) Proposals(ctx context.Context, id int64) ([]StaffProposal, error) {
	p, err := unit(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role != lantern.UserAnalyst {
		s.record(ctx, p, "intel.propose", id, lantern.AuditDenied, "not an analyst")
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "Only an analyst confirms who an item is about.")
	}
	it, err := s.cfg.Store.IntelItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if about, err := s.aboutUser(ctx, p, it); err != nil {
		return nil, err
	} else if about {
		s.record(ctx, p, "intel.propose", id, lantern.AuditDenied, "about the user")
		return nil, errAboutYou
	}
	propose := s.cfg.Proposers[it.Source]
	if propose == nil {
		return nil, nil
	}
	if s.cfg.Staff == nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "The staff records are not available.")
	}
	proposed, err := propose(ctx, it.SourceRef)
	if err != nil {
		return nil, err
	}
	var out []StaffProposal
	seen := map[string]bool{}
	for _, pr := range proposed {
		if seen[pr.StaffID] || p.StaffID != "" && pr.StaffID == p.StaffID {
			continue
		}
		seen[pr.StaffID] = true
		st, err := s.cfg.Staff.FindStaffByID(ctx, pr.StaffID)
		if lantern.ErrorCode(err) == lantern.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, StaffProposal{Staff: st, Reason: pr.Reason})
		if len(out) == MaxProposals {
			break
		}
	}
	return out, s.record(ctx, p, "intel.propose", id, lantern.AuditAllowed, strconv.Itoa(len(out))+" proposals")
}
