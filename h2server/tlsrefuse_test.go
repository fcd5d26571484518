package h2server

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
)

// A client whose certificate the server refuses learns why: with TLS 1.3
// the client's side of the handshake is over before the server checks its
// certificate, so the client has already sent its first bytes (the HTTP/2
// preface) when the server's alert goes out. Closing the socket with those
// bytes unread makes the kernel send a reset, and the client reads
// "connection reset" instead of the alert; the server drains before it
// closes (lingerClose), as after a final GOAWAY.
func TestRefusedClientCertificateAlertArrives(t *testing.T) {
	ca, err := pki.NewCA("pipe CA", 0)
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := ca.IssueServer("127.0.0.1", []string{"127.0.0.1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.NewCA("another CA", 0)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.IssueClient("node1", 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: echoFactory, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{srvCert.TLS()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	}}
	url := startServer(t, srv, true)
	for i := range 20 {
		c, err := tls.Dial("tcp", url[len("https://"):], &tls.Config{
			Certificates: []tls.Certificate{foreign.TLS()},
			RootCAs:      ca.Pool(),
			NextProtos:   []string{"h2"},
			MinVersion:   tls.VersionTLS13,
		})
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		// The preface and more, written while the server checks the
		// certificate and after it refused it: a server that closed at
		// once answers these bytes with a reset, and a write fails with a
		// broken pipe before the client could read the alert (restpipe's
		// client saw exactly that).
		chunk := bytes.Repeat([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 42) // 1 KiB
		for range 192 {
			if _, err := c.Write(chunk); err != nil {
				t.Fatalf("connection %d: write %v; the server must drain, not reset, before its alert is read", i, err)
			}
		}
		_, err = c.Read(make([]byte, 1))
		c.Close()
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("connection %d: read %v, want the server's certificate alert", i, err)
		}
	}
}
