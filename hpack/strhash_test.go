package hpack

import (
	"strings"
	"testing"
)

// TestStrEqual compares strEqual with == for every length up to past the
// word-compare range, on equal strings and on strings differing in any one
// octet (in one bit, or made different by length).
func TestStrEqual(t *testing.T) {
	for n := 0; n <= 40; n++ {
		a := []byte(strings.Repeat("x-forwarded-for:", 3)[:n])
		if !strEqual(string(a), string(a)) || !strEqual(string(a), strings.Clone(string(a))) {
			t.Fatalf("length %d: equal strings differ", n)
		}
		for i := 0; i < n; i++ {
			for _, bit := range []byte{0x01, 0x80} {
				b := []byte(string(a))
				b[i] ^= bit
				if strEqual(string(a), string(b)) || strEqual(string(b), string(a)) {
					t.Fatalf("length %d: strings differing at %d compare equal", n, i)
				}
			}
		}
		if n > 0 && (strEqual(string(a), string(a[:n-1])) || strEqual(string(a[:n-1]), string(a))) {
			t.Fatalf("length %d: a prefix compares equal", n)
		}
	}
}
