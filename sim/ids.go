package sim

// Identifiers are derived from counters, so that they are stable for a seed
// and readable: S00042 is the 42nd member of staff. A counter wider than the
// padding simply gets more digits.

const (
	staffIDWidth    = 5
	personIDWidth   = 7
	incidentIDWidth = 7
	accessIDWidth   = 10
	commsIDWidth    = 9
)

// appendID appends prefix and n, zero-padded to width digits.
func appendID(b []byte, prefix byte, n int64, width int) []byte {
	b = append(b, prefix)
	return appendPadded(b, n, width)
}

// appendPadded appends n (not negative) in decimal with at least width digits.
func appendPadded(b []byte, n int64, width int) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	for len(d)-i < width {
		i--
		d[i] = '0'
	}
	return append(b, d[i:]...)
}

func appendStaffID(b []byte, s int32) []byte { return appendID(b, 'S', int64(s)+1, staffIDWidth) }
func appendPersonID(b []byte, p int32) []byte {
	return appendID(b, 'P', int64(p)+1, personIDWidth)
}
func appendIncidentID(b []byte, i int32) []byte {
	return appendID(b, 'I', int64(i)+1, incidentIDWidth)
}

// staffID, personID and incidentID return the identifiers as strings, for
// the truth file and tests.
func staffID(s int32) string    { return string(appendStaffID(nil, s)) }
func personID(p int32) string   { return string(appendPersonID(nil, p)) }
func incidentID(i int32) string { return string(appendIncidentID(nil, i)) }
func accessID(n int64) string   { return string(appendID(nil, 'A', n, accessIDWidth)) }
func commsID(n int64) string    { return string(appendID(nil, 'C', n, commsIDWidth)) }

// appendDevice appends the work phone of a member of staff: D and the digits
// of their staff number.
func appendDevice(b []byte, s int32) []byte { return appendID(b, 'D', int64(s)+1, staffIDWidth) }
