package rgi_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// scripted starts a peer that plays script on each accepted connection and
// returns its address. What the client sent is available from the reader.
func scripted(t *testing.T, fam rgi.Family, script func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	l, err := rgi.Listen(rgitest.FreeAddress(t, fam))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			script(c, bufio.NewReader(c))
			c.Close()
		}
	}()
	return rgi.AddressOf(l)
}

// readHead reads one request head, up to the empty line.
func readHead(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" {
			return b.String(), nil
		}
	}
}

func connectTo(t *testing.T, address string, opts *rgi.ClientOptions) *rgi.Connection {
	t.Helper()
	c, err := rgi.NewClient(address, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rgitest.Connect(t, c)
}

// TestClientRequestGolden checks the request bytes the client writes: base
// headers merged under the caller's, names sorted, the framing header added
// from the body, nothing else (no host unless configured).
func TestClientRequestGolden(t *testing.T) {
	got := make(chan []byte, 8)
	addr := scripted(t, rgi.FamilyUnix, func(c net.Conn, br *bufio.Reader) {
		for {
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			var buf [65536]byte
			n, err := br.Read(buf[:])
			if n > 0 {
				got <- slices.Clone(buf[:n])
				c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
			}
			if err != nil {
				return
			}
		}
	})
	tests := []struct {
		name    string
		opts    *rgi.ClientOptions
		method  string
		uri     string
		headers map[string]string
		body    any
		want    string
	}{
		{"bare GET", nil, "GET", "/", nil, nil, "GET / HTTP/1.1\r\n\r\n"},
		{"headers sorted", nil, "DELETE", "/a/b?c=d", map[string]string{"x-b": "2", "accept": "*/*", "x-a": "1"}, nil,
			"DELETE /a/b?c=d HTTP/1.1\r\naccept: */*\r\nx-a: 1\r\nx-b: 2\r\n\r\n"},
		{"host and authorization", &rgi.ClientOptions{Host: "example.org:8080", Authorization: "Basic eDp5", BaseHeaders: map[string]string{"user-agent": "rgi", "x-a": "base"}},
			"PUT", "/x", map[string]string{"x-a": "mine"}, []byte("abc"),
			"PUT /x HTTP/1.1\r\nauthorization: Basic eDp5\r\ncontent-length: 3\r\nhost: example.org:8080\r\nuser-agent: rgi\r\nx-a: mine\r\n\r\nabc"},
		{"chunked with extensions", nil, "POST", "/c", nil,
			rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Ext: rgi.Extension{Key: "k", Value: "v"}, Data: bytes.Repeat([]byte("a"), 26)}, {Data: []byte("b")}, {Ext: rgi.Extension{Key: "end", Value: "1"}, Data: []byte{}}})),
			"POST /c HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n1a;k=v\r\naaaaaaaaaaaaaaaaaaaaaaaaaa\r\n1\r\nb\r\n0;end=1\r\n\r\n"},
		{"own content-length agrees", nil, "POST", "/", map[string]string{"content-length": "2"}, "hi",
			"POST / HTTP/1.1\r\ncontent-length: 2\r\n\r\nhi"},
		{"empty body", nil, "PUT", "/", nil, []byte{}, "PUT / HTTP/1.1\r\ncontent-length: 0\r\n\r\n"},
	}
	t.Run("GetRange", func(t *testing.T) {
		conn := connectTo(t, addr, nil)
		headers := map[string]string{"range": "bytes=0-0", "x-a": "1"}
		if _, err := conn.GetRange("/f", headers, 10, 20); err != nil {
			t.Fatal(err)
		}
		if w, want := string(<-got), "GET /f HTTP/1.1\r\nrange: bytes=10-19\r\nx-a: 1\r\n\r\n"; w != want {
			t.Fatalf("wrote %q, want %q", w, want)
		}
		if headers["range"] != "bytes=0-0" {
			t.Fatal("the caller's headers were changed")
		}
		for _, r := range [][2]int64{{-1, 5}, {5, 5}, {6, 5}, {0, rgi.MaxContentLength + 1}} {
			c := connectTo(t, addr, nil)
			if _, err := c.GetRange("/f", nil, r[0], r[1]); !errors.Is(err, rgi.ErrBadRange) || !c.Closed() {
				t.Fatalf("range %v: %v", r, err)
			}
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := connectTo(t, addr, tc.opts)
			headers := map[string]string{}
			for k, v := range tc.headers {
				headers[k] = v
			}
			resp, err := conn.Request(tc.method, tc.uri, headers, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if w := <-got; string(w) != tc.want {
				t.Fatalf("wrote\n%q\nwant\n%q", w, tc.want)
			}
			if resp.Status != 200 || resp.Body != nil || len(resp.Headers) != 0 {
				t.Fatalf("response %+v", resp)
			}
			if len(headers) != len(tc.headers) {
				t.Fatalf("the caller's headers were changed: %v", headers)
			}
		})
	}
}

// TestClientRequestRefused checks what the client refuses to send; each
// error closes the connection, as in Degu.
func TestClientRequestRefused(t *testing.T) {
	addr := scripted(t, rgi.FamilyAbstract, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
	tests := []struct {
		name    string
		method  string
		uri     string
		headers map[string]string
		body    any
		want    error
	}{
		{"uppercase header", "GET", "/", map[string]string{"Accept": "x"}, nil, rgi.ErrBadOutputHeaderName},
		{"header injection", "GET", "/", map[string]string{"x-a": "1\r\nx-b: 2"}, nil, rgi.ErrBadOutputHeaderValue},
		{"empty value", "GET", "/", map[string]string{"x-a": ""}, nil, rgi.ErrBadOutputHeaderValue},
		{"content-length disagrees", "PUT", "/", map[string]string{"content-length": "3"}, []byte("ab"), rgi.ErrFramingMismatch},
		{"chunked and content-length", "PUT", "/", map[string]string{"content-length": "1"}, rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Data: []byte{}}})), rgi.ErrFramingMismatch},
		{"method", "PATCH", "/", nil, nil, rgi.ErrMethodNotAllowed},
		{"lowercase method", "get", "/", nil, nil, rgi.ErrUnknownMethod},
		{"absolute URI", "GET", "http://x/", nil, nil, rgi.ErrBadURI},
		{"dot-dot", "GET", "/a/../b", nil, nil, rgi.ErrBadPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := connectTo(t, addr, nil)
			_, err := conn.Request(tc.method, tc.uri, tc.headers, tc.body)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !conn.Closed() {
				t.Fatal("connection left open")
			}
		})
	}
}

// respond returns a script that reads one request head per response and
// writes the canned responses in turn.
func respond(responses ...string) func(net.Conn, *bufio.Reader) {
	return func(c net.Conn, br *bufio.Reader) {
		for _, r := range responses {
			if _, err := readHead(br); err != nil {
				return
			}
			if _, err := c.Write([]byte(r)); err != nil {
				return
			}
		}
		io.Copy(io.Discard, br)
	}
}

func TestClientResponses(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		response string
		status   int
		headers  map[string]string
		body     string
		bodyNil  bool
	}{
		{"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Y: z\r\n\r\nhello", 200, map[string]string{"content-length": "5", "x-y": "z"}, "hello", false},
		{"zero length", "GET", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", 200, map[string]string{"content-length": "0"}, "", false},
		{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\n", 200, map[string]string{"transfer-encoding": "chunked"}, "hello", false},
		{"no framing", "GET", "HTTP/1.1 200 OK\r\nx-a: b\r\n\r\n", 200, map[string]string{"x-a": "b"}, "", true},
		{"HEAD with length", "HEAD", "HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n", 200, map[string]string{"content-length": "99"}, "", true},
		{"204 with length", "DELETE", "HTTP/1.1 204 No Content\r\ncontent-length: 7\r\n\r\n", 204, map[string]string{"content-length": "7"}, "", true},
		{"304 with length", "GET", "HTTP/1.1 304 Not Modified\r\ncontent-length: 7\r\n\r\n", 304, map[string]string{"content-length": "7"}, "", true},
		{"1xx skipped", "PUT", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </s>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok", 201, map[string]string{"content-length": "2"}, "ok", false},
		{"reason with hyphen", "GET", "HTTP/1.1 203 Non-Authoritative Information\r\n\r\n", 203, map[string]string{}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Each response twice: the connection stays usable after it.
			addr := scripted(t, rgi.FamilyUnix, respond(tc.response, tc.response))
			conn := connectTo(t, addr, nil)
			for range 2 {
				resp, err := conn.Request(tc.method, "/", nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Status != tc.status || !mapsEqual(resp.Headers, tc.headers) || (resp.Body == nil) != tc.bodyNil {
					t.Fatalf("%+v", resp)
				}
				if got := mustRead(t, resp); got != tc.body {
					t.Fatalf("body %q", got)
				}
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestClientBadResponses(t *testing.T) {
	tests := []struct {
		name     string
		response string
		want     error
	}{
		{"reason punctuation", "HTTP/1.1 200 OK!\r\n\r\n", rgi.ErrBadClientReason},
		{"reason underscore", "HTTP/1.1 200 O_K\r\n\r\n", rgi.ErrBadClientReason},
		{"empty reason", "HTTP/1.1 200 \r\n\r\n", rgi.ErrBadReason},
		{"no reason", "HTTP/1.1 200\r\n\r\n", rgi.ErrBadStatusLine},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\n", rgi.ErrBadStatusLine},
		{"status 600", "HTTP/1.1 600 Odd\r\n\r\n", rgi.ErrBadStatus},
		{"status 099", "HTTP/1.1 099 Odd\r\n\r\n", rgi.ErrBadStatus},
		{"duplicate header", "HTTP/1.1 200 OK\r\nset-cookie: a\r\nSet-Cookie: b\r\n\r\n", rgi.ErrDuplicateHeader},
		{"length and chunked", "HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n", rgi.ErrLengthAndChunked},
		{"gzip", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n", rgi.ErrBadTransferEncoding},
		{"leading zero length", "HTTP/1.1 200 OK\r\ncontent-length: 01\r\n\r\n", rgi.ErrBadContentLength},
		{"folded header", "HTTP/1.1 200 OK\r\nx-a: b\r\n c\r\n\r\n", rgi.ErrBadHeaderLine},
		{"bare LF", "HTTP/1.1 200 OK\nx: y\n\n", rgi.ErrTruncatedPreamble},
		{"switching protocols", "HTTP/1.1 101 Switching Protocols\r\n\r\n", rgi.ErrTooManyInterim},
		{"endless 1xx", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 9) + "HTTP/1.1 200 OK\r\n\r\n", rgi.ErrTooManyInterim},
		{"closed before answering", "", rgi.ErrEmptyPreamble},
		{"closed inside the head", "HTTP/1.1 200 OK\r\n", rgi.ErrTruncatedPreamble},
		{"preamble too large", "HTTP/1.1 200 OK\r\nx-a: " + strings.Repeat("a", rgi.MaxPreambleSize) + "\r\n\r\n", rgi.ErrPreambleTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := scripted(t, rgi.FamilyAbstract, func(c net.Conn, br *bufio.Reader) {
				readHead(br)
				c.Write([]byte(tc.response))
			})
			conn := connectTo(t, addr, nil)
			_, err := conn.Get("/", nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !conn.Closed() {
				t.Fatal("connection left open")
			}
		})
	}
}

func TestClientBrokenBodies(t *testing.T) {
	tests := []struct {
		name     string
		response string
		want     error
	}{
		{"short body", "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", rgi.ErrTruncatedBody},
		{"bad chunk size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", rgi.ErrBadChunkLine},
		{"trailer", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\na\r\n0\r\nx-t: 1\r\n\r\n", rgi.ErrBadChunkEnd},
		{"cut chunk", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab", rgi.ErrTruncatedBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := scripted(t, rgi.FamilyUnix, func(c net.Conn, br *bufio.Reader) {
				readHead(br)
				c.Write([]byte(tc.response))
			})
			conn := connectTo(t, addr, nil)
			resp, err := conn.Get("/", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rgi.ReadBody(resp.Body); !errors.Is(err, tc.want) {
				t.Fatalf("reading the body: %v, want %v", err, tc.want)
			}
			// The broken body fails the next request too, and closes.
			if _, err := conn.Get("/", nil); !errors.Is(err, tc.want) || !conn.Closed() {
				t.Fatalf("next request: %v, closed %v", err, conn.Closed())
			}
		})
	}
}

func TestClientServerClosing(t *testing.T) {
	addr := scripted(t, rgi.FamilyUnix, respond("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 2\r\n\r\nno"))
	conn := connectTo(t, addr, nil)
	resp, err := conn.Get("/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 400 || mustRead(t, resp) != "no" {
		t.Fatalf("%+v", resp)
	}
	if _, err := conn.Get("/", nil); !errors.Is(err, rgi.ErrServerClosing) || !conn.Closed() {
		t.Fatalf("after connection: close: %v", err)
	}
}

// TestClientEarlyAnswer: a server that answers before reading the whole
// request body and closes (a 413, say) makes the client's write fail; the
// client still returns the server's answer.
func TestClientEarlyAnswer(t *testing.T) {
	addr := scripted(t, rgi.FamilyUnix, func(c net.Conn, br *bufio.Reader) {
		readHead(br)
		c.Write([]byte("HTTP/1.1 413 Content Too Large\r\nconnection: close\r\n\r\n"))
	})
	conn := connectTo(t, addr, nil)
	big := bytes.Repeat([]byte("x"), 8<<20)
	resp, err := conn.Put("/", nil, rgi.NewBody(bytes.NewReader(big), int64(len(big))))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 413 || resp.Reason != "Content Too Large" {
		t.Fatalf("%+v", resp)
	}
	if _, err := conn.Get("/", nil); !errors.Is(err, rgi.ErrServerClosing) {
		t.Fatalf("next request: %v", err)
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	addr := scripted(t, rgi.FamilyAbstract, func(c net.Conn, br *bufio.Reader) {
		readHead(br)
		<-release // never answer
	})
	conn := connectTo(t, addr, &rgi.ClientOptions{Timeout: 50 * time.Millisecond})
	_, err := conn.Get("/", nil)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !conn.Closed() {
		t.Fatal("connection left open")
	}
}

func TestClientOnConnect(t *testing.T) {
	srv := rgitest.TempServer(t, "127.0.0.1:0", okApp, nil)
	var seen *rgi.Connection
	yes := srv.Client(t, &rgi.ClientOptions{OnConnect: func(c *rgi.Connection) bool { seen = c; return true }})
	conn := rgitest.Connect(t, yes)
	if conn != seen {
		t.Fatal("OnConnect saw another connection")
	}
	no := srv.Client(t, &rgi.ClientOptions{OnConnect: func(c *rgi.Connection) bool { seen = c; return false }})
	if _, err := no.Connect(context.Background()); !errors.Is(err, rgi.ErrConnectRejected) {
		t.Fatalf("rejected: %v", err)
	}
	if !seen.Closed() {
		t.Fatal("rejected connection left open")
	}
	if _, ok := conn.ConnectionState(); ok {
		t.Fatal("plain connection reports TLS")
	}
}

func TestNewClientErrors(t *testing.T) {
	var oe *rgi.OptionError
	var ae *rgi.AddressError
	if _, err := rgi.NewClient("localhost:80", nil); !errors.As(err, &ae) {
		t.Errorf("host name: %v", err)
	}
	if _, err := rgi.NewClient("@", nil); !errors.As(err, &ae) {
		t.Errorf("autobind name: %v", err)
	}
	bad := []rgi.ClientOptions{
		{Timeout: -time.Second},
		{Host: "a\r\nb"},
		{BaseHeaders: map[string]string{"X-Upper": "1"}},
		{BaseHeaders: map[string]string{"content-length": "1"}},
		{BaseHeaders: map[string]string{"transfer-encoding": "chunked"}},
	}
	for _, o := range bad {
		if _, err := rgi.NewClient("127.0.0.1:1", &o); !errors.As(err, &oe) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	c, err := rgi.NewClient("127.0.0.1:1", nil)
	if err != nil || c.Address() != "127.0.0.1:1" {
		t.Fatal(c, err)
	}
	// Nothing listens on port 1.
	if _, err := c.Connect(context.Background()); !errors.As(err, &ae) {
		t.Errorf("connect to a closed port: %v", err)
	}
}
