package h2server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestHTTP1ServerNetHTTP: NetHTTP's net/http fallback serves HTTP/1.1
// requests, hands an h2c upgrade to UpgradeH2C (stream 1 is answered over
// HTTP/2 by the same handler), answers a bad upgrade with 400, and the
// h2server's Shutdown shuts it down, letting a request in progress finish and
// returning once its connection is closed.
func TestHTTP1ServerNetHTTP(t *testing.T) {
	srv := &Server{}
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	h1 := NetHTTP(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "nethttp: "+r.Method+" "+r.URL.Path+"\n")
	}))
	shutdownCalled := make(chan struct{})
	h1.RegisterOnShutdown(func() { close(shutdownCalled) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	dial := func() (net.Conn, *bufio.Reader) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		return nc, bufio.NewReader(nc)
	}
	get := func(nc net.Conn, br *bufio.Reader, path string) (*http.Response, string) {
		t.Helper()
		io.WriteString(nc, "GET "+path+" HTTP/1.1\r\nHost: example.com\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}

	// Plain HTTP/1.1.
	nc, br := dial()
	if resp, body := get(nc, br, "/x"); resp.StatusCode != 200 || body != "nethttp: GET /x\n" {
		t.Fatalf("HTTP/1.1: %d %q", resp.StatusCode, body)
	}

	// The h2c upgrade: 101, then stream 1 answered over HTTP/2.
	up, _ := dial()
	io.WriteString(up, "GET /up HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"+
		"Upgrade: h2c\r\nHTTP2-Settings: \r\n\r\n")
	got := make([]byte, len(switchingProtocols))
	if _, err := io.ReadFull(up, got); err != nil || string(got) != switchingProtocols {
		t.Fatalf("upgrade: read %q, %v; want the 101", got, err)
	}
	c := dialClient(t, up)
	f := c.until(func(f http2.Frame) bool {
		return f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream)
	})
	if df, ok := f.(*http2.DataFrame); !ok || string(df.Data()) != "nethttp: GET /up\n" {
		t.Fatalf("stream 1 ended with %v", f)
	}

	// A bad HTTP2-Settings value: the typed error becomes a 400.
	bad, badr := dial()
	io.WriteString(bad, "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"+
		"Upgrade: h2c\r\nHTTP2-Settings: !!\r\n\r\n")
	if resp, err := http.ReadResponse(badr, nil); err != nil || resp.StatusCode != 400 {
		t.Fatalf("bad HTTP2-Settings: %v, %v", resp, err)
	}

	// Shutdown with a request in progress: it reaches net/http, the
	// request finishes, and Shutdown returns once every connection (the
	// idle keep-alive one, the slow one, the upgraded one) is closed.
	slow, slowr := dial()
	slowDone := make(chan string, 1)
	go func() {
		io.WriteString(slow, "GET /slow HTTP/1.1\r\nHost: example.com\r\n\r\n")
		resp, err := http.ReadResponse(slowr, nil)
		if err != nil {
			slowDone <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		slowDone <- string(b)
	}()
	<-entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	select {
	case <-shutdownCalled:
	case err := <-shut:
		t.Fatalf("Shutdown returned %v without shutting the HTTP/1.1 fallback down", err)
	}
	close(release)
	if body := <-slowDone; body != "nethttp: GET /slow\n" {
		t.Fatalf("request in progress during Shutdown: %q", body)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
}

// TestUpgradeH2CErrors: UpgradeH2C's refusals are typed, reported to
// OnReject where they are rejects, and leave the connection to the caller
// with nothing written, so that the HTTP/1.1 side can answer.
func TestUpgradeH2CErrors(t *testing.T) {
	closed := &Server{Handler: echoFactory}
	closed.Close()
	tests := []struct {
		name   string
		srv    *Server
		req    UpgradeRequest
		want   error // a sentinel, or nil for an *UpgradeError
		status int
		reject string
	}{
		{"body", &Server{Handler: echoFactory}, UpgradeRequest{Method: "POST", Target: "/", HasBody: true}, ErrUpgradeBody, 0, ""},
		{"no handler", &Server{}, UpgradeRequest{Method: "GET", Target: "/"}, ErrUpgradeNotServing, 0, ""},
		{"closed", closed, UpgradeRequest{Method: "GET", Target: "/"}, ErrUpgradeNotServing, 0, ""},
		{"not base64url", &Server{Handler: echoFactory}, UpgradeRequest{Method: "GET", Target: "/", HTTP2Settings: "!!"}, nil, 400, "h2c_settings_not_base64url"},
		{"length", &Server{Handler: echoFactory}, UpgradeRequest{Method: "GET", Target: "/", HTTP2Settings: "AAAA"}, nil, 400, "h2c_settings_length"},
		{"bad request", &Server{Handler: echoFactory}, UpgradeRequest{Method: "GET", Target: "no-slash"}, nil, 400, "h2c_upgrade_bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rej rejects
			tt.srv.OnReject = rej.add
			a, b := net.Pipe()
			read := make(chan string, 1)
			go func() { all, _ := io.ReadAll(b); read <- string(all) }()
			err := tt.srv.UpgradeH2C(a, tt.req, nil)
			var ue *UpgradeError
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			case tt.want == nil && (!errors.As(err, &ue) || ue.Status != tt.status || string(ue.Reject) != tt.reject):
				t.Fatalf("got %#v, want an *UpgradeError %d %s", err, tt.status, tt.reject)
			}
			if tt.reject != "" && !rej.has(tt.reject) {
				t.Errorf("OnReject got %q, want %s", rej.names, tt.reject)
			}
			// The caller still owns the connection: it can write, and
			// nothing came before.
			if _, err := io.WriteString(a, "answer"); err != nil {
				t.Fatalf("connection closed by UpgradeH2C: %v", err)
			}
			a.Close()
			if got := <-read; got != "answer" {
				t.Fatalf("client read %q, want only the caller's answer", got)
			}
		})
	}
}
