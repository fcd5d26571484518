package h2server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/hpack"
)

// oneConnListener hands one connection to http.Server.Serve; its next Accept
// waits until that connection or the listener is closed, so that Serve
// returns when the connection is done.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	took bool
	mu   sync.Mutex
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.took {
		l.took = true
		l.mu.Unlock()
		return &closeNotifyConn{Conn: l.conn, l: l}, nil
	}
	l.mu.Unlock()
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.mu.Lock()
	took := l.took
	l.took = true
	l.mu.Unlock()
	if !took {
		l.conn.Close() // never served: Serve ended before Accept
	}
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

type closeNotifyConn struct {
	net.Conn
	l *oneConnListener
}

func (c *closeNotifyConn) Close() error {
	c.l.once.Do(func() { close(c.l.done) })
	return c.Conn.Close()
}

// netHTTPFallback is an HTTP1Server made of a net/http server: each
// connection is served by Serve on a one-connection listener.
type netHTTPFallback struct{ srv *http.Server }

func (f *netHTTPFallback) ServeConn(nc net.Conn, buffered []byte) {
	f.srv.Serve(&oneConnListener{conn: PrefixConn(nc, buffered), done: make(chan struct{})})
}
func (f *netHTTPFallback) Shutdown(ctx context.Context) error { return f.srv.Shutdown(ctx) }
func (f *netHTTPFallback) Close() error                       { return f.srv.Close() }

// h2cUpgrade is a net/http handler that hands "Upgrade: h2c" requests to
// srv.UpgradeH2C, answering its typed errors over HTTP/1.1.
func h2cUpgrade(srv *Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "h2c" || len(r.Header.Values("HTTP2-Settings")) != 1 {
			next.ServeHTTP(w, r)
			return
		}
		req := UpgradeRequest{Method: r.Method, Target: r.RequestURI, Authority: r.Host,
			HTTP2Settings: r.Header.Get("HTTP2-Settings"), HasBody: r.ContentLength != 0}
		for name, vs := range r.Header {
			for _, v := range vs {
				req.Fields = append(req.Fields, hpack.HeaderField{Name: strings.ToLower(name), Value: v})
			}
		}
		if req.HasBody {
			next.ServeHTTP(w, r) // RFC 7540 §3.2 lets the server ignore it
			return
		}
		nc, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		nc.SetDeadline(time.Time{})
		var buffered []byte
		if n := brw.Reader.Buffered(); n > 0 {
			buffered, _ = brw.Reader.Peek(n)
			buffered = append([]byte(nil), buffered...)
		}
		var ue *UpgradeError
		switch err := srv.UpgradeH2C(nc, req, buffered); {
		case errors.As(err, &ue):
			RefuseUpgrade(nc, ue)
		case err != nil:
			nc.Close()
		}
	})
}

// TestHTTP1ServerNetHTTP plugs a net/http server in as the HTTP/1.1
// fallback: it serves HTTP/1.1 requests, hands an h2c upgrade to UpgradeH2C
// (stream 1 is answered by the HTTP/2 handler), and the h2server's Shutdown
// shuts it down, letting a request in progress finish and returning once its
// connection is closed.
func TestHTTP1ServerNetHTTP(t *testing.T) {
	srv := &Server{Handler: echoFactory}
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	h1 := &http.Server{}
	h1.Handler = h2cUpgrade(srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "nethttp: "+r.Method+" "+r.URL.Path+"\n")
	}))
	shutdownCalled := make(chan struct{})
	h1.RegisterOnShutdown(func() { close(shutdownCalled) })
	srv.SetHTTP1Server(&netHTTPFallback{h1})
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
	if df, ok := f.(*http2.DataFrame); !ok || string(df.Data()) != "hello, GET /up\n" {
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
