package rgi

// interner turns byte slices into strings, reusing a string made earlier for
// the same bytes. A keep-alive connection sends the same header names and
// mostly the same values again and again, so after the first request parsing
// allocates nothing. The table is bounded (entries and length), so a peer
// sending ever-new values costs one allocation per value, never memory.
type interner struct {
	m map[string]string
}

const (
	internMaxEntries = 512
	internMaxLen     = 256
)

func newInterner() *interner { return &interner{m: make(map[string]string, 32)} }

// str returns string(b), from the table when possible.
func (in *interner) str(b []byte) string {
	if in == nil || len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // no allocation: the compiler keys the lookup on b
		return s
	}
	s := string(b)
	if len(in.m) >= internMaxEntries {
		clear(in.m)
	}
	in.m[s] = s
	return s
}
