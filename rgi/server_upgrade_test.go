package rgi

import (
	"io"
	"net"
	"testing"
)

func TestH2CUpgradeHandOff(t *testing.T) {
	type got struct {
		settings, uri string
		rest          string
	}
	ch := make(chan got, 1)
	o := testOptions()
	o.H2CUpgrader = func(conn net.Conn, req *Request, buffered []byte) {
		io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
		ch <- got{req.Headers["http2-settings"], req.URI, string(buffered)}
		conn.Close()
	}
	s, err := NewConnServer(hello, o)
	if err != nil {
		t.Fatal(err)
	}
	upgrade := "GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
	a, b := net.Pipe()
	done := make(chan error, 1)
	// The first request is plain, the second asks to upgrade, and the h2
	// preface follows at once.
	go func() {
		done <- s.ServeConn(a, []byte("GET / HTTP/1.1\r\n\r\n"+upgrade+"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	}()
	expect(t, b, helloResponse)
	expect(t, b, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
	g := <-ch
	if g.settings != "AAMAAABkAAQAAP__" || g.uri != "/x" || g.rest != "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" {
		t.Fatalf("%+v", g)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// With a body, the upgrade is ignored and the request served as HTTP/1.1.
	a, b = net.Pipe()
	go s.ServeConn(a, nil)
	go io.WriteString(b, "PUT /x HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AA\r\nContent-Length: 1\r\n\r\nz")
	expect(t, b, "HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\n\r\n")
	b.Close()
	select {
	case g := <-ch:
		t.Fatalf("upgraded a request with a body: %+v", g)
	default:
	}
}

func TestWantsH2C(t *testing.T) {
	tests := []struct {
		h    map[string]string
		want bool
	}{
		{map[string]string{"upgrade": "h2c", "connection": "Upgrade, HTTP2-Settings", "http2-settings": "x"}, true},
		{map[string]string{"upgrade": "websocket, H2C", "connection": "http2-settings,upgrade", "http2-settings": "x"}, true},
		{map[string]string{"upgrade": "h2c", "connection": "Upgrade", "http2-settings": "x"}, false},
		{map[string]string{"upgrade": "h2c", "connection": "Upgrade, HTTP2-Settings"}, false},
		{map[string]string{"upgrade": "h2", "connection": "Upgrade, HTTP2-Settings", "http2-settings": "x"}, false},
		{map[string]string{"connection": "Upgrade, HTTP2-Settings", "http2-settings": "x"}, false},
	}
	for _, tt := range tests {
		if got := wantsH2C(tt.h); got != tt.want {
			t.Errorf("%v: %v", tt.h, got)
		}
	}
}
