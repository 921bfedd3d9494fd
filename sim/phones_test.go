package sim

import "testing"

func TestPhoneNumbersAreDistinct(t *testing.T) {
	seen := map[string]int32{}
	for _, k := range []int32{0, 1, 99_999, 100_000, 100_001, 999_999, 1_000_000, 1_000_001, 2_345_678, -1, -400} {
		s := string(appendPhone(nil, k))
		if len(s) != 12 && len(s) != 13 {
			t.Errorf("number %d = %q", k, s)
		}
		if o, dup := seen[s]; dup {
			t.Errorf("numbers %d and %d are both %s", o, k, s)
		}
		seen[s] = k
	}
	// The first block is a bijection onto 07700 9xxxxx.
	block := map[string]bool{}
	for k := int32(0); k < 100_000; k++ {
		block[string(appendPhone(nil, k))] = true
	}
	if len(block) != 100_000 {
		t.Fatalf("first block has %d distinct numbers", len(block))
	}
}
