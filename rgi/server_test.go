package rgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func testOptions() *Options {
	o := DefaultOptions()
	o.Logger = quietLog
	o.DisableDate = true // golden wire bytes; TestServerDate covers the date header
	return &o
}

func startServer(t *testing.T, app App, opts *Options) *Server {
	t.Helper()
	if opts == nil {
		opts = testOptions()
	}
	s, err := NewServer("127.0.0.1:0", app, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s
}

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Address())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange writes req and reads until the server closes the connection.
func exchangeClose(t *testing.T, s *Server, req string) string {
	t.Helper()
	c := dial(t, s)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading: %v (got %q)", err, out)
	}
	return string(out)
}

// readN reads exactly len(want) bytes and compares.
func expect(t *testing.T, c net.Conn, want string) {
	t.Helper()
	got := make([]byte, len(want))
	n, err := io.ReadFull(c, got)
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v\nwant %q", got[:n], err, want)
	}
}

func expectEOF(t *testing.T, c net.Conn) {
	t.Helper()
	rest, err := io.ReadAll(c)
	if err != nil || len(rest) != 0 {
		t.Fatalf("want EOF, got %q, %v", rest, err)
	}
}

var helloHeaders = map[string]string{"content-type": "text/plain"}

// helloBody is boxed once: converting a []byte to the Body interface
// allocates, and this app is meant to allocate nothing.
var helloBody any = []byte("hello, world")

var hello = AppFunc(func(s *Session, r *Request, b Bodies) Response {
	if r.Method != MethodGet && r.Method != MethodHead {
		return Response{Status: 405, Reason: "Method Not Allowed"}
	}
	return Response{Status: 200, Reason: "OK", Headers: helloHeaders, Body: helloBody}
})

const helloResponse = "HTTP/1.1 200 OK\r\ncontent-length: 12\r\ncontent-type: text/plain\r\n\r\nhello, world"

func TestServerHelloKeepAliveAndPipelining(t *testing.T) {
	s := startServer(t, hello, nil)
	c := dial(t, s)
	for range 3 {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		expect(t, c, helloResponse)
	}
	// Three pipelined requests in one write, HEAD among them.
	io.WriteString(c, "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n")
	expect(t, c, helloResponse+"HTTP/1.1 200 OK\r\ncontent-length: 12\r\ncontent-type: text/plain\r\n\r\n"+helloResponse)
	// 405 from the app: sent, then the connection closes (Degu closes after
	// an error status other than 404, 409 and 412).
	io.WriteString(c, "DELETE / HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\n\r\n")
	expectEOF(t, c)
}

func TestServerSessionAndRequest(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		mu.Lock()
		defer mu.Unlock()
		if s.Store["__n"] == nil {
			s.Store["__n"] = 0
		}
		s.Store["__n"] = s.Store["__n"].(int) + 1
		mount, _ := r.Shift()
		seen = append(seen, strings.Join([]string{r.Method, r.URI, mount, strings.Join(r.Path, ","), r.Query,
			map[bool]string{true: "q", false: "noq"}[r.HasQuery], r.Headers["x-a"], s.Client[:10]}, "|"))
		if s.Requests != s.Store["__n"].(int)-1 {
			return Response{Status: 500, Reason: "Bad Count"}
		}
		return Response{Status: 404, Reason: "Not Found"}
	})
	s := startServer(t, app, nil)
	c := dial(t, s)
	io.WriteString(c, "GET /foo/bar/baz?stuff=junk HTTP/1.1\r\nX-A: 1\r\n\r\nPUT /x/ HTTP/1.1\r\n\r\nGET /? HTTP/1.1\r\n\r\n")
	expect(t, c, strings.Repeat("HTTP/1.1 404 Not Found\r\n\r\n", 3))
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"GET|/foo/bar/baz?stuff=junk|foo|bar,baz|stuff=junk|q|1|127.0.0.1:",
		"PUT|/x/|x|||noq||127.0.0.1:",
		"GET|/?||||q||127.0.0.1:",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s", strings.Join(seen, "\n"))
	}
}

// TestServerMalformedRequests sends each bad request of the parser table
// (and a few that fail later) over a real connection: the server answers
// with the status and closes.
func TestServerMalformedRequests(t *testing.T) {
	s := startServer(t, hello, nil)
	tests := []struct {
		req    string
		status string
	}{
		{"GET / HTTP/1.0\r\n\r\n", "505 HTTP Version Not Supported"},
		{"OPTIONS * HTTP/1.1\r\n\r\n", "400 Bad Request"},
		{"G(T / HTTP/1.1\r\n\r\n", "400 Bad Request"},
		{"GET /a%zz HTTP/1.1\r\n\r\n", "400 Bad Request"},
		{"GET /../x HTTP/1.1\r\n\r\n", "400 Bad Request"},
		{"GET / HTTP/1.1\r\nHost:x\r\n\r\n", "400 Bad Request"},
		{"GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\n\r\n", "400 Bad Request"},
		{"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "400 Bad Request"},
		{"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "400 Bad Request"},
		{"PUT / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400 Bad Request"},
		{"PUT / HTTP/1.1\r\nContent-Length: 10000000000000000\r\n\r\n", "413 Content Too Large"},
		{"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented"},
		{preambleOfSize(MaxPreambleSize + 1), "431 Request Header Fields Too Large"},
		{"GET / HTTP/1.1\r\nHost: x\r\n", "400 Bad Request"}, // the client half-closes inside the preamble
	}
	for _, tt := range tests {
		c := dial(t, s)
		io.WriteString(c, tt.req)
		c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		if err != nil {
			t.Errorf("%.40q: %v", tt.req, err)
			continue
		}
		head, body, _ := strings.Cut(string(out), "\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 "+tt.status+"\r\n") || !strings.Contains(head, "\r\nconnection: close") || body == "" {
			t.Errorf("%.40q: got %q", tt.req, out)
		}
	}
	// A preamble of exactly 32 KiB is served.
	c := dial(t, s)
	io.WriteString(c, preambleOfSize(MaxPreambleSize))
	expect(t, c, helloResponse)
}

func TestServerEmptyAndIdleCloseSilently(t *testing.T) {
	s := startServer(t, hello, nil)
	c := dial(t, s)
	c.(*net.TCPConn).CloseWrite()
	expectEOF(t, c)
}

func TestServerAppMistakes(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		switch r.Path[0] {
		case "upper":
			return Response{Status: 200, Reason: "OK", Headers: map[string]string{"X-Upper": "1"}}
		case "panic":
			panic("boom")
		case "mismatch":
			return Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "99"}, Body: "hello"}
		case "badbody":
			return Response{Status: 200, Reason: "OK", Body: 42}
		case "short":
			return Response{Status: 200, Reason: "OK", Body: NewBody(strings.NewReader("abc"), 10)}
		case "panicbody":
			return Response{Status: 200, Reason: "OK", Body: NewBodyIter(func(func([]byte) bool) { panic("seq") }, 1)}
		case "nolast":
			return Response{Status: 200, Reason: "OK", Body: NewChunkedBodyIter(func(yield func(Chunk) bool) { yield(Chunk{Data: []byte("x")}) })}
		}
		return Response{Status: 200, Reason: "OK", Body: "fine"}
	})
	s := startServer(t, app, nil)
	for _, p := range []string{"upper", "panic", "mismatch", "badbody"} {
		out := exchangeClose(t, s, "GET /"+p+" HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\n") || strings.Contains(out, "fine") {
			t.Errorf("%s: %q", p, out)
		}
	}
	// Headers already sent: the connection is cut, the message is short.
	out := exchangeClose(t, s, "GET /short HTTP/1.1\r\n\r\n")
	if out != "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc" {
		t.Errorf("short: %q", out)
	}
	out = exchangeClose(t, s, "GET /panicbody HTTP/1.1\r\n\r\n")
	if out != "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n" {
		t.Errorf("panicbody: %q", out)
	}
	out = exchangeClose(t, s, "GET /nolast HTTP/1.1\r\n\r\n")
	if out != "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nx\r\n" {
		t.Errorf("nolast: %q", out)
	}
	// The server carries on.
	c := dial(t, s)
	io.WriteString(c, "GET /ok HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfine")
}

func TestServerHead(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		if r.Path[0] == "nil" {
			return Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "12"}}
		}
		return Response{Status: 200, Reason: "OK", Body: NewChunkedBodyIter(func(yield func(Chunk) bool) { yield(Chunk{}) })}
	})
	s := startServer(t, app, nil)
	c := dial(t, s)
	io.WriteString(c, "HEAD /nil HTTP/1.1\r\n\r\nHEAD /body HTTP/1.1\r\n\r\nGET /body HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n"+
		"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"+
		"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n")
}

func TestServerRequestBodies(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		switch r.Path[0] {
		case "echo": // the request body, passed on as the response body
			return Response{Status: 200, Reason: "OK", Body: r.Body}
		case "ignore":
			return Response{Status: 200, Reason: "OK"}
		case "read":
			data, err := io.ReadAll(r.Body)
			if err != nil {
				return Response{Status: 200, Reason: "Read Failed"}
			}
			return Response{Status: 200, Reason: "OK", Body: data}
		}
		return Response{Status: 404, Reason: "Not Found"}
	})
	s := startServer(t, app, nil)
	c := dial(t, s)
	io.WriteString(c, "PUT /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
	chunked := "5;k=v\r\nhello\r\n3\r\nabc\r\n0;end=1\r\n\r\n"
	io.WriteString(c, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"+chunked)
	expect(t, c, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"+chunked)
	io.WriteString(c, "POST /read HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"+chunked)
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nhelloabc")
	// An unread body: the response goes out, then the connection closes.
	io.WriteString(c, "PUT /ignore HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
	expectEOF(t, c)

	// A broken chunked body is answered with the wire error, not the app's
	// response.
	out := exchangeClose(t, s, "POST /read HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=d\r\nhello\r\n0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(out, "bad chunk extension") {
		t.Errorf("bad chunk: %q", out)
	}
	out = exchangeClose(t, s, "POST /read HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000001\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 413 Content Too Large\r\n") {
		t.Errorf("big chunk: %q", out)
	}
}

func TestServerExpectContinue(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		if r.Path[0] == "no" {
			return Response{Status: 404, Reason: "Not Found"}
		}
		data, _ := io.ReadAll(r.Body)
		return Response{Status: 200, Reason: "OK", Body: data}
	})
	s := startServer(t, app, nil)
	c := dial(t, s)
	io.WriteString(c, "PUT /yes HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
	expect(t, c, "HTTP/1.1 100 Continue\r\n\r\n")
	io.WriteString(c, "hi")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi")
	// The app answers without reading: no 100, and the connection closes
	// since the body is unread.
	io.WriteString(c, "PUT /no HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
	expect(t, c, "HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n")
	expectEOF(t, c)
}

// An app that passes the unread request body on as its response body (an
// echo, a proxy) needs the client to send it: 100 (Continue) goes out
// before the response head, else a client that waits for it (curl, over 1
// MiB) sends nothing until its own timeout.
func TestServerExpectContinuePassedOn(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		return Response{Status: 200, Reason: "OK", Body: r.Body}
	})
	s := startServer(t, app, nil)
	c := dial(t, s)
	io.WriteString(c, "PUT /echo HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
	expect(t, c, "HTTP/1.1 100 Continue\r\n\r\n")
	io.WriteString(c, "hi")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi")
	io.WriteString(c, "PUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
	expect(t, c, "HTTP/1.1 100 Continue\r\n\r\n")
	io.WriteString(c, "2\r\nhi\r\n0\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
}

func TestServerConnectionClose(t *testing.T) {
	s := startServer(t, hello, nil)
	c := dial(t, s)
	io.WriteString(c, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 12\r\ncontent-type: text/plain\r\n\r\nhello, world")
	expectEOF(t, c)
}

func TestServerMaxRequestsPerConnection(t *testing.T) {
	o := testOptions()
	o.MaxRequestsPerConnection = 3
	s := startServer(t, hello, o)
	c := dial(t, s)
	for range 2 {
		io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
		expect(t, c, helloResponse)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 12\r\ncontent-type: text/plain\r\n\r\nhello, world")
	expectEOF(t, c)
}

func TestServerMaxConnections(t *testing.T) {
	o := testOptions()
	o.MaxConnections = 2
	s := startServer(t, hello, o)
	c1, c2 := dial(t, s), dial(t, s)
	for _, c := range []net.Conn{c1, c2} {
		io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
		expect(t, c, helloResponse)
	}
	c3 := dial(t, s)
	io.WriteString(c3, "GET / HTTP/1.1\r\n\r\n")
	if out, _ := io.ReadAll(c3); len(out) != 0 {
		t.Fatalf("third connection got %q", out)
	}
	if n := s.Rejected(); n != 1 {
		t.Fatalf("Rejected() = %d", n)
	}
	c1.Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.Active() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("closed connection not released")
		}
		time.Sleep(time.Millisecond)
	}
	c4 := dial(t, s)
	io.WriteString(c4, "GET / HTTP/1.1\r\n\r\n")
	expect(t, c4, helloResponse)
}

func TestOptionsValidate(t *testing.T) {
	for _, mod := range []func(*Options){
		func(o *Options) { o.Timeout = 0 },
		func(o *Options) { o.Timeout = -time.Second },
		func(o *Options) { o.MaxConnections = 0 },
		func(o *Options) { o.MaxRequestsPerConnection = -1 },
	} {
		o := DefaultOptions()
		mod(&o)
		_, err := NewServer("127.0.0.1:0", hello, &o)
		var oe *OptionError
		if !errors.As(err, &oe) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	d := DefaultOptions()
	if d.Timeout != 15*time.Second || d.MaxConnections != 25 || d.MaxRequestsPerConnection != 1000 {
		t.Fatalf("defaults %+v", d)
	}
	if _, err := NewServer("127.0.0.1:0", nil, nil); err == nil {
		t.Fatal("nil app accepted")
	}
	if _, err := NewServer("not an address", hello, nil); err == nil {
		t.Fatal("bad address accepted")
	}
}

type hookApp struct {
	AppFunc
	allow bool
}

func (h hookApp) OnConnect(conn net.Conn, s *Session) bool {
	s.Store["_user"] = "admin"
	return h.allow
}

type panicHook struct{ AppFunc }

func (panicHook) OnConnect(net.Conn, *Session) bool { panic("hook") }

func TestServerOnConnect(t *testing.T) {
	app := func(s *Session, r *Request, b Bodies) Response {
		return Response{Status: 200, Reason: "OK", Body: s.Store["_user"].(string)}
	}
	s := startServer(t, hookApp{app, true}, nil)
	c := dial(t, s)
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	expect(t, c, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nadmin")

	// A panicking hook rejects the connection; the server carries on.
	s3, _ := NewConnServer(panicHook{app}, testOptions())
	a, b := net.Pipe()
	go s3.ServeConn(a, nil)
	if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after a hook panic: %d %v", n, err)
	}

	// Rejected: closed without a byte (a reset, when the request was
	// already in the server's socket buffer).
	s2 := startServer(t, hookApp{app, false}, nil)
	c2 := dial(t, s2)
	io.WriteString(c2, "GET / HTTP/1.1\r\n\r\n")
	if out, err := io.ReadAll(c2); len(out) != 0 || err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("rejected connection got %q, %v", out, err)
	}
}

func TestServeConnBuffered(t *testing.T) {
	s, err := NewConnServer(hello, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- s.ServeConn(a, []byte("GET / HTTP/1.1\r\nHo")) }()
	io.WriteString(b, "st: x\r\n\r\n")
	expect(t, b, helloResponse)
	b.Close()
	if err := <-done; err != nil {
		t.Fatalf("ServeConn: %v", err)
	}
	s.Close()
	a, b = net.Pipe()
	defer b.Close()
	if err := s.ServeConn(a, nil); err != ErrServerClosed {
		t.Fatalf("after Close: %v", err)
	}
}

func TestServerCloseEndsConnections(t *testing.T) {
	s, err := NewServer("127.0.0.1:0", hello, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	c, err := net.Dial("tcp", s.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	br := bufio.NewReader(c)
	got := make([]byte, len(helloResponse))
	io.ReadFull(br, got)
	s.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := br.Read(got); n != 0 || err == nil {
		t.Fatalf("after Close: %d %v", n, err)
	}
	if !bytes.Equal(got, []byte(helloResponse)) {
		t.Fatalf("%q", got)
	}
}

type closeCounter struct{ n *int }

func (c closeCounter) Close() error { *c.n++; return nil }

func TestServerClosesSessionStore(t *testing.T) {
	var mu sync.Mutex
	closed := 0
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		mu.Lock()
		defer mu.Unlock()
		s.Store["__conn"] = closeCounter{&closed}
		s.Store["__plain"] = "not a closer"
		return Response{Status: 200, Reason: "OK"}
	})
	s, _ := NewConnServer(app, testOptions())
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() { s.ServeConn(a, nil); close(done) }()
	io.WriteString(b, "GET / HTTP/1.1\r\n\r\n")
	expect(t, b, "HTTP/1.1 200 OK\r\n\r\n")
	mu.Lock()
	if closed != 0 {
		t.Fatal("closed while the connection is open")
	}
	mu.Unlock()
	b.Close()
	<-done
	if closed != 1 {
		t.Fatalf("closed %d times", closed)
	}
}

func TestServerUnixCredentials(t *testing.T) {
	got := make(chan *Credentials, 2)
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		got <- s.Credentials
		return Response{Status: 200, Reason: "OK"}
	})
	for _, addr := range []string{t.TempDir() + "/s.sock", "127.0.0.1:0"} {
		s, err := NewServer(addr, app, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		go s.Serve()
		c, err := Dial(t.Context(), s.Address())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
		expect(t, c, "HTTP/1.1 200 OK\r\n\r\n")
		c.Close()
		s.Close()
		cred := <-got
		if strings.HasPrefix(addr, "/") {
			if cred == nil || cred.PID != os.Getpid() || cred.UID != os.Getuid() || cred.GID != os.Getgid() {
				t.Errorf("unix credentials %+v", cred)
			}
		} else if cred != nil {
			t.Errorf("TCP credentials %+v", cred)
		}
	}
}

func TestServerManyHeadersAndComponents(t *testing.T) {
	var n, depth int
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		n, depth = len(r.Headers), len(r.Path)
		return Response{Status: 200, Reason: "OK"}
	})
	s, _ := NewConnServer(app, testOptions())
	var req strings.Builder
	req.WriteString("GET " + strings.Repeat("/a", 2000) + " HTTP/1.1\r\n")
	for i := range 2000 {
		req.WriteString("x-" + strconv.Itoa(i) + ": v\r\n")
	}
	req.WriteString("\r\nGET /b HTTP/1.1\r\nA: 1\r\n\r\n")
	c := &recConn{memConn: memConn{req: []byte(req.String()), n: 1}}
	s.ServeConn(c, nil)
	if !strings.HasPrefix(c.out.String(), "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n") || n != 1 || depth != 1 {
		t.Fatalf("%q, last request had %d headers, %d components", c.out.String(), n, depth)
	}
}

// TestServerCloseAfterErrorStatus: like Degu, the server closes after an
// app's error status, except 404, 409 and 412.
func TestServerCloseAfterErrorStatus(t *testing.T) {
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		st, _ := strconv.Atoi(r.Path[0])
		return Response{Status: st, Reason: "Some Reason"}
	})
	s, _ := NewConnServer(app, testOptions())
	for _, tt := range []struct {
		status int
		closes bool
	}{{200, false}, {204, false}, {301, false}, {304, false}, {399, false}, {404, false}, {409, false}, {412, false},
		{400, true}, {401, true}, {403, true}, {405, true}, {410, true}, {499, true}, {500, true}, {503, true}} {
		code := strconv.Itoa(tt.status)
		c := &recConn{memConn: memConn{req: []byte("GET /" + code + " HTTP/1.1\r\n\r\n"), n: 2}}
		s.ServeConn(c, nil)
		one := "HTTP/1.1 " + code + " Some Reason\r\n\r\n"
		want := one + one
		if tt.closes {
			want = "HTTP/1.1 " + code + " Some Reason\r\nconnection: close\r\n\r\n"
		}
		if c.out.String() != want {
			t.Errorf("%d: got %q, want %q", tt.status, c.out.String(), want)
		}
	}
}

// TestServerDate pins the date header (RFC 9110 §6.6.1: "An origin server
// with a clock ... MUST generate a Date header field" in 2xx, 3xx and 4xx
// responses): on the app's responses, on the server's own answers, not
// doubled when the app sets one, and absent with DisableDate.
func TestServerDate(t *testing.T) {
	withDate := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		if r.URI == "/own" {
			return Response{Status: 200, Reason: "OK", Headers: map[string]string{"date": "Thu, 01 Jan 1970 00:00:00 GMT"}}
		}
		return Response{Status: 200, Reason: "OK", Body: "ok"}
	})
	on := testOptions()
	on.DisableDate = false
	s := startServer(t, withDate, on)
	off := startServer(t, withDate, nil) // testOptions: DisableDate
	tests := []struct {
		srv   *Server
		req   string
		dates []string // "now" for the server's clock
	}{
		{s, "GET / HTTP/1.1\r\nconnection: close\r\n\r\n", []string{"now"}},
		{s, "GET /own HTTP/1.1\r\nconnection: close\r\n\r\n", []string{"Thu, 01 Jan 1970 00:00:00 GMT"}},
		{s, "GET /../x HTTP/1.1\r\n\r\n", []string{"now"}}, // the server's 400
		{off, "GET / HTTP/1.1\r\nconnection: close\r\n\r\n", nil},
		{off, "GET /../x HTTP/1.1\r\n\r\n", nil},
	}
	for _, tt := range tests {
		c := dial(t, tt.srv)
		io.WriteString(c, tt.req)
		out, err := io.ReadAll(c)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(out), "\r\n\r\n")
		var dates []string
		for _, line := range strings.Split(head, "\r\n") {
			if v, ok := strings.CutPrefix(line, "date: "); ok {
				if _, err := time.Parse(http.TimeFormat, v); err != nil {
					t.Errorf("%q: date %q: %v", tt.req, v, err)
				}
				if v != "Thu, 01 Jan 1970 00:00:00 GMT" {
					v = "now"
				}
				dates = append(dates, v)
			}
		}
		if !slices.Equal(dates, tt.dates) {
			t.Errorf("%q: dates %q, want %q\n%s", tt.req, dates, tt.dates, head)
		}
	}
}
