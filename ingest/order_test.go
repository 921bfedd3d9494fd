package ingest

import (
	"strconv"
	"testing"
)

// TestKeyOrders checks that the quoted keys scanObject expects in order are
// the keys of their indexes.
func TestKeyOrders(t *testing.T) {
	for _, c := range []struct {
		order []string
		index func([]byte) int
	}{{accessOrder, accessIndex}, {commsOrder, commsIndex}} {
		for i, q := range c.order {
			key, err := strconv.Unquote(q)
			if err != nil || c.index([]byte(key)) != i {
				t.Errorf("%s is at %d, its index is %d", q, i, c.index([]byte(key)))
			}
		}
	}
}

// TestKeyPatternMatch checks the word-wise key match against a plain
// comparison, for keys of every length at every place in lines that hold
// them, almost hold them, or end early.
func TestKeyPatternMatch(t *testing.T) {
	keys := []string{`""`, `"a"`, `"id"`, `"time"`, `"kind1"`, `"staff_i"`, `"staff_id"`, `"incident_id"`, `"abcdefghijklmn"`, `"abcdefghijklmnopqrst"`}
	pats := keyPatterns(keys)
	for ki, q := range keys {
		for _, line := range []string{q + `:"x"}`, `{` + q + `:1,"more":"padding to be long"}`, q[:len(q)-1] + `x:1}`, "x" + q, q, q[:len(q)-1]} {
			b := []byte(line)
			for i := 0; i <= len(b); i++ {
				want := 0
				if len(b)-i >= len(q) && string(b[i:i+len(q)]) == q {
					want = len(q)
				}
				if got := pats[ki].match(b, i); got != want {
					t.Errorf("%s at %d of %q: %d, want %d", q, i, line, got, want)
				}
			}
		}
	}
}
