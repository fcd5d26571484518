package httpfield

import (
	"testing"

	"golang.org/x/net/http/httpguts"
)

func TestHasToken(t *testing.T) {
	tests := []struct {
		vs   []string
		t    string
		want bool
	}{
		{[]string{"Upgrade, HTTP2-Settings"}, "http2-settings", true},
		{[]string{"keep-alive", " UPGRADE\t"}, "upgrade", true},
		{[]string{"h2c2"}, "h2c", false},
		{[]string{",,h2c,"}, "h2c", true},
		{[]string{"http2-ſettings"}, "http2-settings", false}, // no Unicode folding
		{nil, "h2c", false},
	}
	for _, tt := range tests {
		if got := HasToken(tt.vs, tt.t); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.vs, tt.t, got, tt.want)
		}
	}
}

// FuzzHasToken checks HasToken against x/net's httpguts, the header token
// matcher net/http itself uses.
func FuzzHasToken(f *testing.F) {
	f.Add("Upgrade, HTTP2-Settings", "http2-settings")
	f.Add(" h2c ,", "h2c")
	f.Add("100-Continue", "100-continue")
	f.Fuzz(func(t *testing.T, v, tok string) {
		if !ValidName(tok) {
			t.Skip()
		}
		if got, want := HasToken([]string{v}, tok), httpguts.HeaderValuesContainsToken([]string{v}, tok); got != want {
			t.Errorf("HasToken(%q, %q) = %v, httpguts says %v", v, tok, got, want)
		}
	})
}
