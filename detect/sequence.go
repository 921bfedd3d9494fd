package detect

// seqState is a partial match of a sequence for one staff member and key:
// the steps matched so far.
type seqState struct {
	next  int   // index of the next positive step to match
	start int64 // time of the first step's event
	ids   []string
}

// seqOutcome says what one event did to a sequence.
type seqOutcome int

const (
	seqNone     seqOutcome = iota
	seqStarted             // the event matched the first step
	seqAdvanced            // the event matched a later step, not the last
	seqBroken              // the event matched an absent step: the partial match is dropped
	seqComplete            // the event matched the last step
)

// stepSequence applies one event (already past the rule's when and
// exceptions) to a sequence's state, with match telling whether the event
// matches step i. It returns the new state (nil when none is held) and what
// happened; on seqComplete the returned state holds the evidence and must be
// dropped by the caller.
//
// Semantics (see docs/rules.md): the span is inclusive, so a last step exactly
// Within after the first completes; a partial match older than Within is
// dropped before the event is judged. An absent step is judged before the
// step after it, so an event matching both breaks the sequence. An event
// matching the first step while only the first step has matched restarts the
// sequence from it (the span counts from the latest first step); once later
// steps have matched it does not.
func stepSequence(seq *Sequence, st *seqState, at int64, id string, match func(i int) bool) (*seqState, seqOutcome) {
	if st != nil && at-st.start > int64(seq.Within) {
		st = nil
	}
	if st != nil {
		if st.next > 0 && seq.Steps[st.next-1].Absent && match(st.next-1) {
			st = nil
			if match(0) {
				return &seqState{next: nextPositive(seq, 0), start: at, ids: []string{id}}, seqStarted
			}
			return nil, seqBroken
		}
		if match(st.next) {
			st.ids = append(st.ids, id)
			st.next = nextPositive(seq, st.next)
			if st.next >= len(seq.Steps) {
				return st, seqComplete
			}
			return st, seqAdvanced
		}
		if st.next != nextPositive(seq, 0) {
			return st, seqNone
		}
	}
	if match(0) {
		return &seqState{next: nextPositive(seq, 0), start: at, ids: []string{id}}, seqStarted
	}
	return st, seqNone
}

// nextPositive returns the index of the first step after i that is not
// absent, or len(steps).
func nextPositive(seq *Sequence, i int) int {
	for i++; i < len(seq.Steps) && seq.Steps[i].Absent; i++ {
	}
	return i
}
