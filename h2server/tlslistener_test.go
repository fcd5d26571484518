package h2server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestServeTLSListener: Serve on a listener that already yields *tls.Conn
// (tls.NewListener) handshakes each connection itself and serves HTTP/2 to
// clients that chose h2 by ALPN.
func TestServeTLSListener(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{testCert(t)}, NextProtos: []string{"h2"}})
	srv := &Server{Handler: echoFactory}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	nc := dialIdle(t, raw.Addr().String(), true)
	if p := nc.(*tls.Conn).ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN chose %q, want h2", p)
	}
	idleRequest(t, nc, true) // one GET answered, then a PING round trip
	nc.Close()
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
}

// TestServeTLSListenerChecks: connections from a TLS listener go through the
// same checks after their handshake as those ServeTLS wraps: a cipher suite
// RFC 9113 §9.2.2 prohibits gets SETTINGS and GOAWAY INADEQUATE_SECURITY.
func TestServeTLSListenerChecks(t *testing.T) {
	cbc := tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{testCert(t)}, NextProtos: []string{"h2"}, CipherSuites: []uint16{cbc}})
	srv := &Server{Handler: echoFactory}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Shutdown(context.Background())
		<-done
	}()
	nc, err := tls.Dial("tcp", raw.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"},
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cbc}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second)) // bounds a server that sends nothing
	io.WriteString(nc, http2.ClientPreface)
	fr := http2.NewFramer(nc, nc)
	fr.WriteSettings()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading: %v (want GOAWAY INADEQUATE_SECURITY)", err)
		}
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != http2.ErrCodeInadequateSecurity {
				t.Fatalf("GOAWAY %v, want INADEQUATE_SECURITY", ga.ErrCode)
			}
			return
		}
		if _, ok := f.(*http2.SettingsFrame); !ok {
			t.Fatalf("frame %v before the GOAWAY: the connection is served", f)
		}
	}
}
