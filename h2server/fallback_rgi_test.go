package h2server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
	"golang.org/x/net/http2"
)

// TestRGIFallbackCurl runs Debian's curl against a server with RGIFallback:
// --http2 over http:// does the h2c Upgrade (RFC 7540 §3.2) and is answered
// over HTTP/2 by the h2 handler; --http1.1 over https:// (ALPN http/1.1) and
// over http:// get the RGI app's answer over HTTP/1.1; a --http2 POST (a
// body: curl does not offer the upgrade, or the server ignores it) stays
// HTTP/1.1. (x/net's http2.Transport cannot do the h2c Upgrade, so the real
// clients of the upgrade here are curl and nghttp -u.)
func TestRGIFallbackCurl(t *testing.T) {
	curl := needTool(t, "curl", "curl")
	_, clear := startFallback(t, false, nil)
	_, secure := startFallback(t, true, nil)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"h2c upgrade", []string{"--http2", clear + "/a?b=c"}, "hello, GET /a?b=c\n|2 200"},
		{"h2c upgrade HEAD", []string{"--http2", "-I", clear + "/h"}, "|2 200"},
		{"http/1.1 over TLS", []string{"--http1.1", "-k", secure + "/tls"}, "rgi: GET /tls\n|1.1 200"},
		{"http/1.1 cleartext", []string{"--http1.1", clear + "/plain"}, "rgi: GET /plain\n|1.1 200"},
		{"h2 over TLS", []string{"--http2", "-k", secure + "/h2"}, "hello, GET /h2\n|2 200"},
		{"h2c prior knowledge", []string{"--http2-prior-knowledge", clear + "/pk"}, "hello, GET /pk\n|2 200"},
		{"post with --http2", []string{"--http2", "--data-binary", "xyz", clear + "/post"}, "rgi: POST /post xyz\n|1.1 200"},
	} {
		args := append([]string{"-sS", "-w", "|%{http_version} %{http_code}"}, tc.args...)
		out, err := exec.Command(curl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: curl %q: %v: %s", tc.name, args, err, out)
		}
		got := string(out)
		if tc.name == "h2c upgrade HEAD" {
			// -I prints the response header blocks: the 101, then the
			// HTTP/2 response.
			if !strings.HasPrefix(got, "HTTP/1.1 101 Switching Protocols\r\n") || !strings.Contains(got, "\r\n\r\nHTTP/2 200 \r\n") {
				t.Errorf("%s: %q", tc.name, got)
			}
			got = got[strings.LastIndexByte(got, '|'):]
		}
		if got != tc.want {
			t.Errorf("%s: curl printed %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestRGIFallbackShutdown: Shutdown closes an idle HTTP/1.1 keep-alive
// connection at once (instead of waiting for rgi's 15 s timeout), sends an
// upgraded connection the HTTP/2 GOAWAY, and returns once both are closed.
func TestRGIFallbackShutdown(t *testing.T) {
	srv := &h2server.Server{Handler: echoFactory}
	srv.Config.ShutdownDelay = 10 * time.Millisecond
	if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	h1, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer h1.Close()
	h1.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(h1, "GET /k HTTP/1.1\r\nHost: a\r\n\r\n")
	br := bufio.NewReader(h1)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)

	h2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	h2.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(h2, upgradeRequest("/u", "AAMAAABk", ""))
	pre := make([]byte, len(switchingProtocols))
	if _, err := io.ReadFull(h2, pre); err != nil || string(pre) != switchingProtocols {
		t.Fatalf("%q %v", pre, err)
	}
	c := dialClient(t, h2)
	c.Until(func(f http2.Frame) bool { d, ok := f.(*http2.DataFrame); return ok && d.StreamEnded() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	// The upgraded connection gets GOAWAY; answer the PING and close.
	c.Until(func(f http2.Frame) bool { _, ok := f.(*http2.GoAwayFrame); return ok })
	if n, err := br.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("idle HTTP/1.1 connection: read %d, %v; want it closed", n, err)
	}
	h2.Close()
	// Without the fallback's Shutdown the idle connection would stay open
	// for rgi's 15 s Timeout and ctx would expire first.
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, h2server.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}

// TestRGIFallbackOptions: invalid rgi options are reported, no fallback set.
func TestRGIFallbackOptions(t *testing.T) {
	srv := &h2server.Server{Handler: echoFactory}
	o := rgi.DefaultOptions()
	o.Timeout = -1
	if err := rgih2.Fallback(srv, rgiApp, &o); err == nil || h2server.HasHTTP1Server(srv) {
		t.Fatalf("err %v, fallback set %v", err, h2server.HasHTTP1Server(srv))
	}
	if err := rgih2.Fallback(srv, nil, nil); err == nil {
		t.Fatal("nil app accepted")
	}
}

// TestH2CUpgradeNghttp: nghttp -u (nghttp2-client) performs the HTTP Upgrade
// and reports the frames it receives.
func TestH2CUpgradeNghttp(t *testing.T) {
	nghttp := needTool(t, "nghttp", "nghttp2-client")
	_, clear := startFallback(t, false, nil)
	out, err := exec.Command(nghttp, "-u", "-nv", clear+"/ng").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp -u: %v: %s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"HTTP Upgrade request", "HTTP Upgrade response", "HTTP Upgrade success",
		"recv SETTINGS frame", "recv (stream_id=1) :status: 200", "content-length: 15",
		"recv DATA frame <length=15, flags=0x01, stream_id=1>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("nghttp -u output lacks %q:\n%s", want, s)
		}
	}
}

// TestRGIFallbackOneApp: with rgih2 serving the same RGI app over HTTP/2, a
// site written once answers curl's h2c upgrade (stream 1 goes through rgih2),
// HTTP/1.1 in cleartext and over TLS alike.
func TestRGIFallbackOneApp(t *testing.T) {
	curl := needTool(t, "curl", "curl")
	for _, tlsOn := range []bool{false, true} {
		srv := &h2server.Server{Handler: rgih2.Handler(rgiApp, nil)}
		if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
			t.Fatal(err)
		}
		base := startServer(t, srv, tlsOn)
		for _, proto := range []string{"--http2", "--http1.1"} {
			out, err := exec.Command(curl, "-sS", "-k", proto, "-w", "|%{http_version}", base+"/same").CombinedOutput()
			want := "rgi: GET /same\n|" + map[string]string{"--http2": "2", "--http1.1": "1.1"}[proto]
			if err != nil || string(out) != want {
				t.Errorf("tls=%v curl %s: %v: %q, want %q", tlsOn, proto, err, out, want)
			}
		}
	}
}

// TestShutdownStuckHTTP1App: an HTTP/1.1 app call that does not return
// does not hold Shutdown past its context: once ctx ends, the connections
// are closed and Shutdown returns ctx's error without waiting for the app
// (as net/http's Shutdown does). Before, it waited for the app forever.
func TestShutdownStuckHTTP1App(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		entered <- struct{}{}
		<-release
		return rgi.Response{Status: 200, Reason: "OK", Body: "late"}
	})
	srv := &h2server.Server{Handler: echoFactory}
	if err := rgih2.Fallback(srv, app, nil); err != nil {
		t.Fatal(err)
	}
	base := startServer(t, srv, false)
	nc := dialBase(t, base)
	io.WriteString(nc, "GET /stuck HTTP/1.1\r\nHost: example.com\r\n\r\n")
	<-entered
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	select {
	case err := <-shut:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown: %v, want DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		// A hang guard, not a timing goal: ctx ended 10 s ago.
		t.Fatal("Shutdown still blocked by the app call 10 s after its context ended")
	}
	if n, err := nc.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("the stuck request's connection: read %d, %v; want it closed", n, err)
	}
}
