package rgih2

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// site is the app both protocols serve in the tests.
func site(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	text := map[string]string{"content-type": "text/plain"}
	switch r.URI {
	case "/hello":
		return rgi.Response{Status: 200, Reason: "OK", Headers: text, Body: "hello, world\n"}
	case "/panic":
		panic("the app fell over")
	case "/upper":
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"Content-Type": "text/plain"}, Body: "x"}
	case "/interim":
		return rgi.Response{Status: 103, Reason: "Early Hints"}
	case "/mismatch":
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "9"}, Body: "short"}
	case "/hop":
		// Legal over HTTP/1.1, dropped over HTTP/2 (RFC 9113 §8.2.2).
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"connection": "keep-alive", "x-kept": "yes"}, Body: "hop\n"}
	case "/empty":
		return rgi.Response{Status: 204, Reason: "No Content", Headers: map[string]string{"x-empty": "1"}}
	case "/iter":
		parts := [][]byte{[]byte("one "), {}, []byte("two "), []byte("three\n")}
		return rgi.Response{Status: 200, Reason: "OK", Headers: text, Body: b.BodyIter(func(yield func([]byte) bool) {
			for _, p := range parts {
				if !yield(p) {
					return
				}
			}
		}, 14)}
	case "/chunks":
		return rgi.Response{Status: 200, Reason: "OK", Headers: text, Body: b.ChunkedBodyIter(func(yield func(rgi.Chunk) bool) {
			_ = yield(rgi.Chunk{Ext: rgi.Extension{Key: "k", Value: "v"}, Data: []byte("alpha ")}) &&
				yield(rgi.Chunk{Data: []byte("beta\n")}) &&
				yield(rgi.Chunk{})
		})}
	case "/big":
		return rgi.Response{Status: 200, Reason: "OK", Headers: text, Body: b.Body(bytes.NewReader(bigBody), int64(len(bigBody)))}
	case "/short":
		return rgi.Response{Status: 200, Reason: "OK", Body: b.Body(strings.NewReader("abc"), 10)}
	case "/long-iter":
		return rgi.Response{Status: 200, Reason: "OK", Body: b.BodyIter(func(yield func([]byte) bool) { _ = yield([]byte("abcdef")) }, 3)}
	case "/panic-iter":
		return rgi.Response{Status: 200, Reason: "OK", Body: b.ChunkedBodyIter(func(yield func(rgi.Chunk) bool) {
			if yield(rgi.Chunk{Data: []byte("first")}) {
				panic("the body fell over")
			}
		})}
	case "/no-last-chunk":
		return rgi.Response{Status: 200, Reason: "OK", Body: b.ChunkedBodyIter(func(yield func(rgi.Chunk) bool) { _ = yield(rgi.Chunk{Data: []byte("x")}) })}
	case "/stream":
		// The request body passed on as the response body, as a proxy does.
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-kind": fmt.Sprintf("%T", r.Body)}, Body: r.Body}
	case "/echo":
		// The body's kind, length and a checksum, then the body itself as a
		// *rgi.Body (or *rgi.ChunkedBody) of the same kind.
		kind := fmt.Sprintf("%T", r.Body)
		data, err := readBody(r.Body)
		if err != nil {
			return rgi.Response{Status: 400, Reason: "Bad Body", Body: err.Error()}
		}
		h := map[string]string{"x-kind": kind, "x-len": strconv.Itoa(len(data)), "x-sum": checksum(data)}
		if r.Body == nil {
			return rgi.Response{Status: 200, Reason: "OK", Headers: h}
		}
		if _, ok := r.Body.(*rgi.ChunkedBody); ok {
			return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: b.ChunkedBody(strings.NewReader(fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(data), data)))}
		}
		return rgi.Response{Status: 201, Reason: "Created", Headers: h, Body: b.Body(bytes.NewReader(data), int64(len(data)))}
	}
	if len(r.Path) > 0 && r.Path[0] == "path" {
		r.Shift()
		info := fmt.Sprintf("script=%q path=%q query=%q hasQuery=%v rel=%s x=%q", r.Script, r.Path, r.Query, r.HasQuery, r.RelativeURI(), r.Headers["x-thing"])
		return rgi.Response{Status: 200, Reason: "OK", Headers: text, Body: info}
	}
	return rgi.Response{Status: 404, Reason: "Not Found", Headers: text, Body: "no such page\n"}
}

var bigBody = func() []byte {
	b := make([]byte, 3<<20+12345)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}()

func checksum(b []byte) string {
	var s uint32 = 1
	for _, c := range b {
		s = s*31 + uint32(c)
	}
	return strconv.FormatUint(uint64(s), 16)
}

func readBody(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	return io.ReadAll(r)
}

// answer is a response reduced to what both protocols must agree on.
type answer struct {
	Status  int
	Headers string // sorted "name: value" lines, without framing and connection headers
	Body    string
}

// hopHeaders are the headers only one protocol carries: HTTP/1.1's framing
// and connection management (RFC 9113 §8.2.2) and the date h2server adds.
var hopHeaders = map[string]bool{"connection": true, "transfer-encoding": true, "date": true}

func makeAnswer(status int, h map[string]string, body []byte) answer {
	var lines []string
	for k, v := range h {
		if !hopHeaders[k] {
			lines = append(lines, k+": "+v)
		}
	}
	sort.Strings(lines)
	return answer{Status: status, Headers: strings.Join(lines, "\n"), Body: string(body)}
}

// both is a server answering h2 (through the adapter) and HTTP/1.1 (through
// the rgi fallback) on one port.
type both struct {
	srv   *h2server.Server
	addr  string
	tls   bool
	pki   *rgitest.PKI
	h2    h2Client
	rgiSv *rgi.Server
	a     *adapter
}

// rgiConns is the h2server.HTTP1Server of an rgi.Server (whose ServeConn
// returns an error).
type rgiConns struct{ *rgi.Server }

func (r rgiConns) ServeConn(nc net.Conn, buffered []byte) { r.Server.ServeConn(nc, buffered) }

// startBoth serves app over h2 and HTTP/1.1 on one loopback listener, over
// TLS (mutual, with a throw-away PKI) or in cleartext (h2c prior knowledge).
func startBoth(t *testing.T, app rgi.App, tlsOn bool, opts *Options, cfg func(*h2server.Config)) *both {
	t.Helper()
	ro := rgi.DefaultOptions()
	if opts != nil && opts.Logger != nil {
		ro.Logger = opts.Logger
	}
	rs, err := rgi.NewConnServer(app, &ro)
	if err != nil {
		t.Fatal(err)
	}
	b := &both{tls: tlsOn, rgiSv: rs, a: newAdapter(app, opts)}
	b.srv = &h2server.Server{Handler: b.a.factory}
	b.srv.Config.DisableDate = true
	if cfg != nil {
		cfg(&b.srv.Config)
	}
	b.srv.SetHTTP1Server(rgiConns{rs})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	done := make(chan error, 1)
	if tlsOn {
		b.pki = rgitest.TempPKI(t)
		b.srv.TLSConfig = b.pki.ServerTLSConfig(t)
		go func() { done <- b.srv.ServeTLS(ln, "", "") }()
		ccfg := b.pki.ClientTLSConfig(t)
		b.h2 = newH2Client(ccfg)
	} else {
		go func() { done <- b.srv.Serve(ln) }()
		b.h2 = newH2Client(nil)
	}
	t.Cleanup(func() {
		b.h2.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, h2server.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		rs.Close()
	})
	return b
}

// h2Client is a net/http client transport that speaks only HTTP/2 and
// fails a round trip answered in any other protocol, so that a test using it
// is known to exercise the h2 side (the adapter), never the HTTP/1.1
// fallback.
type h2Client struct{ *http.Transport }

// newH2Client returns an h2Client: over TLS with ALPN h2 when cfg is not
// nil, else h2c with prior knowledge (RFC 9113 section 3.3).
func newH2Client(cfg *tls.Config) h2Client {
	p := new(http.Protocols)
	if cfg != nil {
		p.SetHTTP2(true)
	} else {
		p.SetUnencryptedHTTP2(true)
	}
	return h2Client{&http.Transport{Protocols: p, TLSClientConfig: cfg}}
}

// RoundTrip sends req and requires the answer to come over HTTP/2.
func (c h2Client) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.Transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ProtoMajor != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("answered in %s, want HTTP/2", resp.Proto)
	}
	return resp, nil
}

func (b *both) url(path string) string {
	if b.tls {
		return "https://" + b.addr + path
	}
	return "http://" + b.addr + path
}

// viaH2 sends a request with net/http's HTTP/2 client. A body of length -1 is
// sent without content-length.
func (b *both) viaH2(t *testing.T, method, path string, h map[string]string, body []byte, length int64) (answer, error) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if length < 0 {
			rd = io.MultiReader(bytes.NewReader(body[:len(body)/2]), bytes.NewReader(body[len(body)/2:]))
		}
	}
	req, err := http.NewRequest(method, b.url(path), rd)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := b.h2.RoundTrip(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("protocol %s, want HTTP/2", resp.Proto)
	}
	hm := map[string]string{}
	for k, vs := range resp.Header {
		if len(vs) != 1 {
			t.Fatalf("header %s has %d values", k, len(vs))
		}
		hm[strings.ToLower(k)] = vs[0]
	}
	if resp.ContentLength >= 0 && method != "HEAD" && resp.StatusCode != 204 {
		if _, ok := hm["content-length"]; !ok {
			t.Fatalf("content-length %d known but not in the header", resp.ContentLength)
		}
	}
	return makeAnswer(resp.StatusCode, hm, data), nil
}

// viaHTTP1 sends the same request with rgi's HTTP/1.1 client on a new
// connection (the server closes after most error statuses). A body of
// length -1 is sent chunked.
func (b *both) viaHTTP1(t *testing.T, method, path string, h map[string]string, body []byte, length int64) answer {
	t.Helper()
	var c *rgi.Client
	var err error
	if b.tls {
		c, err = rgi.NewSSLClient(b.pki.ClientTLSConfig(t), b.addr, nil)
	} else {
		c, err = rgi.NewClient(b.addr, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn := rgitest.Connect(t, c)
	var rb any
	if body != nil {
		rb = rgi.NewBody(bytes.NewReader(body), int64(len(body)))
		if length < 0 {
			rb = rgi.NewChunkedBodyIter(func(yield func(rgi.Chunk) bool) {
				_ = yield(rgi.Chunk{Data: body[:len(body)/2]}) && yield(rgi.Chunk{Data: body[len(body)/2:]}) && yield(rgi.Chunk{})
			})
		}
	}
	resp, err := conn.Request(method, path, h, rb)
	if err != nil {
		t.Fatalf("HTTP/1.1 %s %s: %v", method, path, err)
	}
	var data []byte
	if r, ok := resp.Body.(io.Reader); ok && resp.Body != nil {
		if data, err = io.ReadAll(r); err != nil {
			t.Fatal(err)
		}
	}
	return makeAnswer(resp.Status, resp.Headers, data)
}
