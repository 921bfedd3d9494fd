package sim

import (
	"bufio"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Truth is one line of truth.jsonl: a behaviour planted in one member of
// staff, when it began, and the events that make it up.
type Truth struct {
	StaffID  string         `json:"staff_id"`
	Pattern  string         `json:"pattern"`
	Onset    time.Time      `json:"onset"`
	EventIDs []string       `json:"event_ids"` // access ids (A...) and comms ids (C...), in the order made
	Careful  bool           `json:"careful"`
	Params   map[string]any `json:"params"`
}

// writeTruth writes a line for every planted behaviour that produced events,
// ordered by onset, and counts them in st.
func (w *world) writeTruth(st *Stats) error {
	var lines []Truth
	for _, o := range w.offenders {
		for _, p := range o.plans {
			if len(p.events) == 0 {
				continue
			}
			ids := make([]string, len(p.events))
			for i, e := range p.events {
				if e > 0 {
					ids[i] = accessID(e)
				} else {
					ids[i] = commsID(-e)
				}
			}
			lines = append(lines, Truth{StaffID: staffID(p.staff), Pattern: patternNames[p.pattern], Onset: unixTime(p.onset),
				EventIDs: ids, Careful: p.careful, Params: w.params(p)})
		}
	}
	slices.SortStableFunc(lines, func(a, b Truth) int {
		if c := a.Onset.Compare(b.Onset); c != 0 {
			return c
		}
		if c := cmp.Compare(a.StaffID, b.StaffID); c != 0 {
			return c
		}
		return cmp.Compare(a.Pattern, b.Pattern)
	})
	f, err := os.Create(filepath.Join(w.out.dir, TruthFile))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	staff := map[string]bool{}
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			f.Close()
			return err
		}
		staff[l.StaffID] = true
		st.Patterns[l.Pattern]++
	}
	st.Offenders, st.Behaviours = len(staff), len(lines)
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadTruth reads a truth.jsonl file.
func ReadTruth(path string) ([]Truth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Truth
	dec := json.NewDecoder(bufio.NewReader(f))
	for dec.More() {
		var t Truth
		if err := dec.Decode(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
