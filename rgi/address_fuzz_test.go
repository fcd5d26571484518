package rgi

import "testing"

// FuzzParseAddress: any string parses or gives an *AddressError, and an
// accepted address prints in a form that parses back to the same value.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:0", "[::1]:8080", "[fe80::1%eth0]:0", "[::ffff:1.2.3.4]:1", "/tmp/x.socket", "@", "@name", "1.2.3.4:65535", "[::1]:", "/a/../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if _, ok := err.(*AddressError); !ok {
				t.Fatalf("%q: error %T", s, err)
			}
			return
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, a, a.String(), b, err)
		}
		if a.Network() == "" || a.Family.String() == "" {
			t.Fatalf("%q: empty network", s)
		}
	})
}
