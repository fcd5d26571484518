package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// newH2Server starts net/http serving /hello.txt over h2c with prior
// knowledge, or over TLS with ALPN h2.
func newH2Server(t *testing.T, secure bool) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hello.txt" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello, world"))
	}))
	if secure {
		ts.EnableHTTP2 = true
		ts.StartTLS()
	} else {
		ts.Config.Protocols = new(http.Protocols)
		ts.Config.Protocols.SetUnencryptedHTTP2(true)
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return ts
}

func TestDialIdleNoticesClose(t *testing.T) {
	for _, secure := range []bool{false, true} {
		ts := newH2Server(t, secure)
		addr := ts.Listener.Addr().String()
		ic, err := dialIdle(addr, secure, "/hello.txt")
		if err != nil {
			t.Fatalf("secure=%v: %v", secure, err)
		}
		if ic.closed() {
			t.Fatalf("secure=%v: closed right after the response", secure)
		}
		ts.CloseClientConnections()
		select {
		case <-ic.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("secure=%v: the server closed the connection and the client did not notice", secure)
		}
		ic.c.Close()
	}
}

func TestDialIdleRefusesNon2xx(t *testing.T) {
	ts := newH2Server(t, false)
	_, err := dialIdle(ts.Listener.Addr().String(), false, "/missing")
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v, want the 404", err)
	}
}

func TestMeasureIdleKeepsConnectionsOpen(t *testing.T) {
	ts := newH2Server(t, false)
	r := measureIdle(os.Getpid(), ts.Listener.Addr().String(), false, 5, 0)
	if r.err != nil || r.n != 5 || r.alive != 5 || r.base <= 0 || r.loaded <= 0 {
		t.Fatalf("got %+v, want 5 connections alive and two RSS readings", r)
	}
}
