package sim

// Telephone numbers are written as a force export would write them, in
// clear, from Ofcom's range for drama (07700 900000-900999) and its
// neighbours: number k of the force is 07700 9xxxxx for the first 100,000
// numbers, then the rest of 07700, then 07701 to 07799. The digits are
// scrambled by a fixed bijection so that neighbours in a file do not have
// neighbouring numbers. Agencies' landlines come from the London drama range
// 020 7946 0xxx.

const (
	phoneStep  = 7919 // prime, so coprime to every block size below
	phoneShift = 4409
)

// appendPhone appends number k (k >= 0 a mobile, k < 0 an agency landline).
func appendPhone(b []byte, k int32) []byte {
	if k < 0 {
		b = append(b, "020 7946 0"...)
		return appendPadded(b, int64(-k-1)%1000, 3)
	}
	n := int64(k)
	switch {
	case n < 100_000:
		b = append(b, "07700 9"...)
		return appendPadded(b, (n*phoneStep+phoneShift)%100_000, 5)
	case n < 1_000_000:
		b = append(b, "07700 "...)
		return appendPadded(b, ((n-100_000)*phoneStep+phoneShift)%900_000, 6)
	}
	b = append(b, "077"...)
	b = appendPadded(b, n/1_000_000%100, 2)
	b = append(b, ' ')
	return appendPadded(b, (n%1_000_000*phoneStep+phoneShift)%1_000_000, 6)
}

// newPhone allocates the force's next mobile number.
func (w *world) newPhone() int32 {
	k := w.nextPhone
	w.nextPhone++
	return k
}

// agencies is how many other agencies' landlines officers call.
const agencies = 400
