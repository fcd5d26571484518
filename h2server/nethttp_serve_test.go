package h2server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/pki"
)

// TestNetHTTPCurl serves an http.ServeMux with the one-liners Serve and
// ServeTLS (ListenAndServe and ListenAndServeTLS without the listen) and
// fetches it with curl over every protocol: HTTP/1.1, h2c by Upgrade
// (--http2 on an http:// URL), h2c with prior knowledge, and over TLS h2 and
// http/1.1 by ALPN. The handler reports the protocol it saw, whether r.TLS is
// set and the request body it read; curl reports the protocol it spoke.
func TestNetHTTPCurl(t *testing.T) {
	curl := testenv.RequireTool(t, "curl", "curl")
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		n, _ := r.Body.Read(b)
		fmt.Fprintf(w, "%s tls=%v body=%q", r.Proto, r.TLS != nil, b[:n])
	})

	dir := t.TempDir()
	ca, err := pki.NewCA("h2kit test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueServer("localhost", pki.LoopbackNames, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := leaf.WriteFiles(dir, "server")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	listen := func(serve func(net.Listener) error) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- serve(l) }()
		t.Cleanup(func() { l.Close(); <-done })
		return l.Addr().String()
	}
	clear := listen(func(l net.Listener) error { return h2server.Serve(l, mux) })
	secure := listen(func(l net.Listener) error { return h2server.ServeTLS(l, mux, certFile, keyFile) })

	for _, tc := range []struct {
		name string
		args []string
		url  string
		want string // the handler's answer, then curl's %{http_version}
	}{
		{"http1.1", []string{"--http1.1"}, "http://" + clear, `HTTP/1.1 tls=false body="" 1.1`},
		{"http1.1 post", []string{"--http1.1", "-d", "up"}, "http://" + clear, `HTTP/1.1 tls=false body="up" 1.1`},
		{"h2c upgrade", []string{"--http2"}, "http://" + clear, `HTTP/2.0 tls=false body="" 2`},
		{"h2c upgrade with a body is HTTP/1.1", []string{"--http2", "-d", "up"}, "http://" + clear, `HTTP/1.1 tls=false body="up" 1.1`},
		{"h2c prior knowledge", []string{"--http2-prior-knowledge", "-d", "up"}, "http://" + clear, `HTTP/2.0 tls=false body="up" 2`},
		{"https h2", []string{"--http2"}, "https://" + secure, `HTTP/2.0 tls=true body="" 2`},
		{"https http/1.1", []string{"--http1.1"}, "https://" + secure, `HTTP/1.1 tls=true body="" 1.1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-sS", "--max-time", "20", "--cacert", caFile, "-w", " %{http_version}"}, tc.args...)
			args = append(args, tc.url+"/hello")
			out, err := exec.Command(curl, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("curl %v: %v\n%s", args, err, out)
			}
			if string(out) != tc.want {
				t.Errorf("curl %v:\n got %s\nwant %s", tc.args, out, tc.want)
			}
		})
	}
}

// TestNetHTTPServerContextAndClose: the *http.Server NetHTTP returns is
// the request context's http.ServerContextKey over HTTP/2 and over
// HTTP/1.1, and Close of the h2server closes the HTTP/1.1 connections
// net/http holds (an idle keep-alive connection reads EOF).
func TestNetHTTPServerContextAndClose(t *testing.T) {
	srv := &h2server.Server{}
	seen := make(chan any, 2)
	hs := h2server.NetHTTP(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Context().Value(http.ServerContextKey)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	base := "http://" + l.Addr().String() + "/"

	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	h2 := &http.Transport{Protocols: h2c}
	defer h2.CloseIdleConnections()
	resp, err := (&http.Client{Transport: h2}).Get(base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-seen; got != hs {
		t.Errorf("HTTP/2: ServerContextKey %v, want the server NetHTTP returned", got)
	}

	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-seen; got != hs {
		t.Errorf("HTTP/1.1: ServerContextKey %v, want the server NetHTTP returned", got)
	}
	if resp.Close {
		t.Fatal("net/http closed the keep-alive connection by itself")
	}

	srv.Close()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle HTTP/1.1 connection after Close: read %v, want EOF", err)
	}
	if err := <-done; !errors.Is(err, h2server.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}
