package h2server

import (
	"net/http"
	"testing"
)

// TestWantsH2C: only a request with Upgrade listing h2c, Connection listing
// both Upgrade and HTTP2-Settings, and exactly one HTTP2-Settings field is
// upgraded by NetHTTP's server (RFC 7540 §3.2, §3.2.1); others are served as
// HTTP/1.1.
func TestWantsH2C(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want bool
	}{
		{"curl", http.Header{"Connection": {"Upgrade, HTTP2-Settings"}, "Upgrade": {"h2c"}, "Http2-Settings": {"AAMAAABkAAQAoAAAAAIAAAAA"}}, true},
		{"tokens in any case and order", http.Header{"Connection": {"http2-settings", "UPGRADE"}, "Upgrade": {"websocket, H2C"}, "Http2-Settings": {""}}, true},
		{"no HTTP2-Settings connection option", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"h2c"}, "Http2-Settings": {""}}, false},
		{"no Upgrade connection option", http.Header{"Connection": {"HTTP2-Settings"}, "Upgrade": {"h2c"}, "Http2-Settings": {""}}, false},
		{"no HTTP2-Settings", http.Header{"Connection": {"Upgrade, HTTP2-Settings"}, "Upgrade": {"h2c"}}, false},
		{"two HTTP2-Settings", http.Header{"Connection": {"Upgrade, HTTP2-Settings"}, "Upgrade": {"h2c"}, "Http2-Settings": {"", ""}}, false},
		{"upgrade to h2 (TLS only)", http.Header{"Connection": {"Upgrade, HTTP2-Settings"}, "Upgrade": {"h2"}, "Http2-Settings": {""}}, false},
	}
	for _, tt := range tests {
		if got := wantsH2C(tt.h); got != tt.want {
			t.Errorf("%s: wantsH2C = %v, want %v", tt.name, got, tt.want)
		}
	}
}
