package static

import "testing"

// TestPlainName: the fast path takes the common targets and gives the long
// way's answer; targets it may get wrong are left to the long way.
func TestPlainName(t *testing.T) {
	tests := []struct {
		target string
		plain  bool
	}{
		{"/", true},
		{"/hello.txt", true},
		{"/a/b/", true},
		{"/a/b?x=/../y", true},
		{"/?", true},
		{"/a.b/c.d", true},
		{"//x", false},
		{"/a//b", false},
		{"/./a", false},
		{"/a/..", false},
		{"/.well-known/x", false},
		{"/a%2fb", false},
		{"/a\\b", false},
		{"/a\x00b", false},
		{"a/b", false},
		{"", false},
	}
	for _, tc := range tests {
		name, slash, ok := plainName(tc.target)
		if ok != tc.plain {
			t.Errorf("%q: plain = %v, want %v", tc.target, ok, tc.plain)
		}
		if !ok {
			continue
		}
		wname, wslash, wok := unescapedName(tc.target)
		if name != wname || slash != wslash || !wok {
			t.Errorf("%q: plainName = %q %v, unescapedName = %q %v %v", tc.target, name, slash, wname, wslash, wok)
		}
	}
}

// FuzzPlainName: whenever the fast path answers, the long way agrees.
func FuzzPlainName(f *testing.F) {
	for _, s := range []string{"/", "/hello.txt", "/a/b/", "/a/b?x", "//x", "/a/../b", "/%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		name, slash, ok := plainName(target)
		if !ok {
			return
		}
		wname, wslash, wok := unescapedName(target)
		if name != wname || slash != wslash || !wok {
			t.Fatalf("%q: plainName = %q %v, unescapedName = %q %v %v", target, name, slash, wname, wslash, wok)
		}
	})
}
