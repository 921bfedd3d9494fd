// Package screening connects integrity screening results to the
// intelligence log. Intake stores every result and the store records each
// finding as an ungraded, unlinked intelligence item; this package proposes
// the member of staff such an item concerns, for an analyst to confirm.
package screening

import (
	"context"
	"strings"

	"lantern"
	"lantern/intel"
)

// Named returns the intel.Config Named function for items recorded from
// screening results: the staff id the result names, so that the item is
// kept from that member of staff before an analyst links it.
func Named(results lantern.ScreeningService) func(ctx context.Context, sourceRef string) (string, error) {
	propose := Proposer(results)
	return func(ctx context.Context, sourceRef string) (string, error) {
		ps, err := propose(ctx, sourceRef)
		if err != nil || len(ps) == 0 {
			return "", err
		}
		return ps[0].StaffID, nil
	}
}

// Proposer returns the intel.Config proposer for items recorded from
// screening results (SourceRef "screening:<id>"): the member of staff the
// result names, with a reason such as "named by the PNC check of
// 2026-03-01". It proposes only: the item is linked when an analyst
// confirms. The function returns EINVALID for a SourceRef that is not a
// screening result's and ENOTFOUND for a result that is not stored.
func Proposer(results lantern.ScreeningService) func(ctx context.Context, sourceRef string) ([]intel.Proposal, error) {
	return func(ctx context.Context, sourceRef string) ([]intel.Proposal, error) {
		id, ok := strings.CutPrefix(sourceRef, lantern.IntelFromScreening+":")
		if !ok || id == "" {
			return nil, lantern.FieldErrorf("source_ref", "source_ref %q is not a screening result's", sourceRef)
		}
		r, err := results.ScreeningResult(ctx, id)
		if err != nil {
			return nil, err
		}
		return []intel.Proposal{{StaffID: r.StaffID, Reason: "named by " + r.Described()}}, nil
	}
}
