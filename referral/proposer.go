package referral

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"lantern"
	"lantern/intel"
)

// Proposer returns the intelligence log's proposer for items recorded from
// referrals (intel.Config.Proposers[lantern.IntelFromReferral]): from what
// the partner knew of the officer, the staff whose collar number is the one
// given (a strong match, with or without a rank before it: "PC 2210") or
// whose name has every word of the name given (titles such as PC or Sgt
// aside). A collar number and name that both match come first, then a
// collar number with part of the name, a collar number alone, and a name
// alone; by staff id within each. Each reason says what matched, what did
// not, and when the referral names a force other than forceNames (this
// force's names; with none given, any named force is noted for checking).
func Proposer(refs lantern.ReferralService, staff lantern.StaffService, forceNames ...string) func(ctx context.Context, sourceRef string) ([]intel.Proposal, error) {
	return func(ctx context.Context, sourceRef string) ([]intel.Proposal, error) {
		n, err := strconv.ParseInt(strings.TrimPrefix(sourceRef, "referral:"), 10, 64)
		if err != nil || !strings.HasPrefix(sourceRef, "referral:") {
			return nil, lantern.Errorf(lantern.ENOTFOUND, "Referral not found.")
		}
		r, err := refs.Referral(ctx, n)
		if err != nil {
			return nil, err
		}
		o := r.Officer
		collar, words := collarKey(o.CollarNumber), nameWords(o.Name)
		if collar == "" && len(words) == 0 {
			return nil, nil
		}
		all, _, err := staff.FindStaff(ctx, lantern.StaffFilter{})
		if err != nil {
			return nil, err
		}
		force := forceNote(o.Force, forceNames)
		type ranked struct {
			rank int
			p    intel.Proposal
		}
		var out []ranked
		for _, st := range all {
			collarMatch := collar != "" && collarKey(st.CollarNumber) == collar
			have := nameWords(st.Name)
			matched := 0
			for _, w := range words {
				if slices.Contains(have, w) {
					matched++
				}
			}
			fullName := len(words) > 0 && matched == len(words)
			var rank int
			var why []string
			switch {
			case collarMatch && fullName:
				rank, why = 0, []string{"collar number " + o.CollarNumber + " matches exactly", "name matches (" + o.Name + ")"}
			case collarMatch && matched > 0:
				rank, why = 1, []string{"collar number " + o.CollarNumber + " matches exactly", "name matches only in part (" + o.Name + ")"}
			case collarMatch:
				rank, why = 2, []string{"collar number " + o.CollarNumber + " matches exactly"}
				if len(words) > 0 {
					why = append(why, "but the name given ("+o.Name+") does not match theirs")
				}
			case fullName:
				rank, why = 3, []string{"name matches (" + o.Name + ")"}
				if collar != "" {
					why = append(why, "but the collar number given ("+o.CollarNumber+") is not theirs")
				}
			default:
				continue
			}
			if force != "" {
				why = append(why, force)
			}
			reason := strings.Join(why, "; ")
			if rank <= 1 {
				reason = "Strong: " + reason
			}
			out = append(out, ranked{rank, intel.Proposal{StaffID: st.ID, Reason: reason}})
		}
		slices.SortFunc(out, func(a, b ranked) int {
			return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.p.StaffID, b.p.StaffID))
		})
		props := make([]intel.Proposal, len(out))
		for i, x := range out {
			props[i] = x.p
		}
		return props, nil
	}
}

// titles are words a partner writes before or around a name or number that
// are not part of it.
var titles = map[string]bool{
	"pc": true, "wpc": true, "dc": true, "ps": true, "ds": true, "sgt": true, "sergeant": true, "constable": true, "insp": true,
	"inspector": true, "di": true, "ci": true, "supt": true, "detective": true, "officer": true, "pcso": true, "police": true,
	"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "no": true, "number": true,
}

// nameWords returns a name's words in lower case, without punctuation,
// titles or initials.
func nameWords(name string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
		w = strings.Trim(w, "'-")
		if len([]rune(w)) > 1 && !titles[w] {
			out = append(out, w)
		}
	}
	return out
}

// collarKey is a collar number compared: letters and digits only, upper
// case, without a rank written before it.
func collarKey(c string) string {
	var parts []string
	for _, w := range strings.FieldsFunc(strings.ToLower(c), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !titles[w] {
			parts = append(parts, w)
		}
	}
	key := strings.ToUpper(strings.Join(parts, ""))
	for _, t := range []string{"PCSO", "WPC", "PC", "DC", "PS", "DS"} {
		// "PC2210": a rank written against the number.
		if rest, ok := strings.CutPrefix(key, t); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return rest
		}
	}
	return key
}

// forceNote says what to check about the force a referral names, or ""
// when it names none or one of forceNames.
func forceNote(force string, forceNames []string) string {
	f := strings.ToLower(strings.TrimSpace(force))
	if f == "" {
		return ""
	}
	for _, n := range forceNames {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && (strings.Contains(f, n) || strings.Contains(n, f)) {
			return ""
		}
	}
	if len(forceNames) == 0 {
		return fmt.Sprintf("the referral names the force as %q: check it is this force", force)
	}
	return fmt.Sprintf("force mismatch: the referral names the force as %q, not this force", force)
}
