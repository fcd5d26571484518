package hpack

// strHash is a fast, seeded hash of a string for the Deflater's table index.
// It reads the length and at most 24 octets (the first, middle and last 8),
// which separates the names and values that real header lists repeat
// (dates, paths and cookies differ near an end or in the middle) at a cost
// independent of the string length; equal hashes are confirmed by comparing
// the strings. The seed is random per table, so a peer cannot aim collisions
// at it, and a collision costs only one comparison on a chain no longer than
// the table.
func strHash(s string, seed uint64) uint64 {
	const m = 0x9e3779b97f4a7c15
	n := len(s)
	h := (seed ^ uint64(n)) * m
	switch {
	case n >= 16:
		h = (h ^ le64(s, 0)) * m
		h = (h ^ le64(s, n/2-4)) * m
		h = (h ^ le64(s, n-8)) * m
	case n >= 8:
		h = (h ^ le64(s, 0)) * m
		h = (h ^ le64(s, n-8)) * m
	case n >= 4:
		h = (h ^ (uint64(le32(s, 0))<<32 | uint64(le32(s, n-4)))) * m
	case n > 0:
		h = (h ^ (uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1]))) * m
	}
	return h ^ h>>32
}

// le64 reads 8 octets of s at i, little endian (one load on amd64/arm64).
func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// strEqual reports whether a == b. Header names and most values are short,
// and comparing them a word at a time here costs less than the call to the
// runtime's general comparison that a == b makes; longer strings are left
// to it.
func strEqual(a, b string) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	switch {
	case n > 32:
		return a == b
	case n >= 16:
		return le64(a, 0) == le64(b, 0) && le64(a, 8) == le64(b, 8) &&
			le64(a, n/2) == le64(b, n/2) && le64(a, n-8) == le64(b, n-8)
	case n >= 8:
		return le64(a, 0) == le64(b, 0) && le64(a, n-8) == le64(b, n-8)
	case n >= 4:
		return le32(a, 0) == le32(b, 0) && le32(a, n-4) == le32(b, n-4)
	case n > 0:
		return a[0] == b[0] && a[n>>1] == b[n>>1] && a[n-1] == b[n-1]
	}
	return true
}
