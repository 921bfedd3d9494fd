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
