package h2server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/reject"
)

// testCert returns a self-signed certificate for 127.0.0.1 and localhost.
func testCert(t testing.TB) tls.Certificate {
	t.Helper()
	cert, err := pki.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// echoHandler answers every request from OnRequestDone with a small text body
// that describes the request, and echoes a POST body.
type echoHandler struct {
	handler.BaseRequestHandler
	body []byte
}

func (h *echoHandler) OnData(_ *handler.Stream, data []byte) { h.body = append(h.body, data...) }

func (h *echoHandler) OnRequestDone(s *handler.Stream) {
	var body []byte
	if s.Method() == "POST" {
		body = h.body
	} else {
		body = []byte("hello, " + s.Method() + " " + s.Path() + "\n")
	}
	s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, body)
}

func echoFactory(*handler.Stream) handler.RequestHandler { return &echoHandler{} }

// startServer runs srv on a loopback listener (TLS when tlsOn) and stops it at
// the end of the test; it returns the base URL.
func startServer(t testing.TB, srv *Server, tlsOn bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	scheme := "http"
	if tlsOn {
		scheme = "https"
		if srv.TLSConfig == nil {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{testCert(t)}}
		}
		go func() { done <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { done <- srv.Serve(ln) }()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	// Addr reports the bound port once Serve has registered the listener.
	for i := 0; srv.Addr() == nil && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	if srv.Addr() == nil {
		t.Fatal("server did not start")
	}
	return scheme + "://" + srv.Addr().String()
}

func port(t testing.TB, a net.Addr) string {
	t.Helper()
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strconv.Atoi(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rejects collects OnReject names.
type rejects struct {
	mu    sync.Mutex
	names []string
}

func (r *rejects) add(name reject.Name) {
	r.mu.Lock()
	r.names = append(r.names, string(name))
	r.mu.Unlock()
}

func (r *rejects) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.names {
		if n == name {
			return true
		}
	}
	return false
}
