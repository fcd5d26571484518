package h2server

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
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

// TestNetHTTPServeConnLasts: NetHTTP's ServeConn returns only when the
// connection is closed, not when net/http has taken it, cleartext and TLS,
// so that the server keeps tracking (and counting) the connections net/http
// serves; a keep-alive connection that answered a request is still being
// served.
func TestNetHTTPServeConnLasts(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		srv := &Server{}
		NetHTTP(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
		}))
		f := srv.fallback
		a, b := net.Pipe()
		server, client := a, b
		if tlsOn {
			cert := testCert(t)
			ts := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
			tc := tls.Client(b, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
			errc := make(chan error, 1)
			go func() { errc <- ts.Handshake() }()
			if err := tc.Handshake(); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			server, client = ts, tc
		}
		returned := make(chan struct{})
		go func() {
			f.ServeConn(server, nil)
			close(returned)
		}()
		br := bufio.NewReader(client)
		io.WriteString(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "ok" || resp.Close {
			t.Fatalf("tls=%v: %q, close %v", tlsOn, body, resp.Close)
		}
		select {
		case <-returned:
			t.Fatalf("tls=%v: ServeConn returned while net/http still serves the connection", tlsOn)
		default:
		}
		client.Close()
		<-returned
		srv.Close()
	}
}

// TestNetHTTPCloseReleasesHijacked: a cleartext connection a handler
// hijacked and never closes holds its ServeConn only until the server's
// Close, so that Shutdown's fallback to Close cannot hang.
func TestNetHTTPCloseReleasesHijacked(t *testing.T) {
	hijacked, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv := &Server{}
	NetHTTP(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		close(hijacked)
		<-release
		nc.Close()
	}))
	a, b := net.Pipe()
	defer b.Close()
	returned := make(chan struct{})
	go func() {
		srv.fallback.ServeConn(a, nil)
		close(returned)
	}()
	go io.WriteString(b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-hijacked
	srv.Close()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("ServeConn still waits for a hijacked connection after Close")
	}
}
