package rgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\n\r\n",
	"GET /foo/bar/baz?stuff=junk HTTP/1.1\r\nAccept: text/plain\r\nHost: x\r\n\r\n",
	"PUT /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
	"POST /x/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;k=v\r\nhello\r\n0\r\n\r\n",
	"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n1000000\r\n",
	"HEAD /a%20b?x HTTP/1.1\r\nConnection: close\r\n\r\n",
	"DELETE /? HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
	"GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AA\r\n\r\n",
}

var wireStatuses = []int{400, 405, 413, 431, 501, 505}

// FuzzReadRequest feeds arbitrary bytes to the request reader: preamble,
// request head and body. It must never panic; errors must be
// *ProtocolError with one of the wire statuses (or an end of input); an
// accepted head must be valid and survive a write and re-parse unchanged.
func FuzzReadRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := newWireReader(bytes.NewReader(data))
		in := newInterner()
		for range 4 { // a few pipelined requests
			pre, err := readPreamble(br)
			if err != nil {
				checkWireErr(t, err)
				return
			}
			if len(pre) > MaxPreambleSize || !bytes.HasSuffix(pre, crlfcrlf) {
				t.Fatalf("bad preamble %q", pre)
			}
			req := &Request{Headers: map[string]string{}}
			rh, err := parseRequest(pre, in, req, nil)
			br.Discard(len(pre))
			if err != nil {
				checkWireErr(t, err)
				return
			}
			checkRequest(t, req, rh)
			var body io.Reader
			switch rh.kind {
			case framingLength:
				var b Body
				b.reset(br, rh.length, nil)
				body = &b
			case framingChunked:
				var b ChunkedBody
				b.reset(br, in, nil)
				body = &b
			}
			if body != nil {
				n, err := io.Copy(io.Discard, io.LimitReader(body, 1<<20))
				if err != nil && !errors.Is(err, ErrTruncatedBody) {
					checkWireErr(t, err)
					return
				}
				if n == 1<<20 || err != nil {
					return
				}
			}
		}
	})
}

func checkWireErr(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrEmptyPreamble) {
		return
	}
	var pe *ProtocolError
	if !errors.As(err, &pe) || !slices.Contains(wireStatuses, pe.Status) {
		t.Fatalf("unexpected error %v", err)
	}
	for _, c := range pe.Reason {
		if c != ' ' && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			t.Fatalf("reason %q", pe.Reason)
		}
	}
}

func checkRequest(t *testing.T, req *Request, rh requestHead) {
	t.Helper()
	for k, v := range req.Headers {
		if !validOutputName(k) || !validOutputValue(v) {
			t.Fatalf("accepted header %q: %q", k, v)
		}
	}
	if rh.kind != framingNone && !BodyAllowed(req.Method) {
		t.Fatalf("body on %s", req.Method)
	}
	for i, c := range req.Path {
		if c == ".." || c == "" && i != len(req.Path)-1 || strings.Contains(c, "/") {
			t.Fatalf("path %q", req.Path)
		}
	}
	if req.AbsoluteURI() != req.URI {
		t.Fatalf("URI %q rebuilt as %q", req.URI, req.AbsoluteURI())
	}
	// Write the head back out and parse it again (the client sends only
	// Degu's five methods; the server passes any token on).
	if _, err := parseMethod(req.Method); err != nil {
		return
	}
	headers := maps.Clone(req.Headers)
	delete(headers, hContentLength)
	delete(headers, hTransferEncoding)
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	var hw headWriter
	if err := hw.writeRequestHead(bw, req.Method, req.URI, headers, rh.framing); err != nil {
		t.Fatalf("cannot write back %q: %v", req.URI, err)
	}
	bw.Flush()
	req2 := &Request{Headers: map[string]string{}}
	rh2, err := parseRequest(out.Bytes(), nil, req2, nil)
	if err != nil || rh2 != rh || req2.Method != req.Method || req2.URI != req.URI || !maps.Equal(req2.Headers, req.Headers) {
		t.Fatalf("round trip of %q: %+v %+v %v", out.String(), req2, rh2, err)
	}
}

// FuzzServeConn runs the whole server loop on arbitrary input: it must
// answer only well-formed responses and never panic or hang.
func FuzzServeConn(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	echo := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		if r.Body != nil && len(r.Path) > 0 && r.Path[0] == "x" {
			return Response{Status: 200, Reason: "OK", Body: r.Body}
		}
		if r.Body != nil {
			io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
		}
		return Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-uri": r.URI, "x-method": r.Method}, Body: "ok"}
	})
	s, _ := NewConnServer(echo, testOptions())
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &recConn{memConn: memConn{req: data, n: 1}}
		s.ServeConn(c, nil)
		out := c.out.Bytes()
		if len(out) > 0 && !bytes.HasPrefix(out, []byte("HTTP/1.1 ")) {
			t.Fatalf("output %q", out)
		}
		// Every response head parses back.
		br := newWireReader(bytes.NewReader(out))
		for {
			pre, err := readPreamble(br)
			if err != nil {
				break
			}
			h := map[string]string{}
			status, _, fr, err := parseResponseHead(pre, nil, h)
			br.Discard(len(pre))
			if err != nil {
				t.Fatalf("unparsable response %q: %v", pre, err)
			}
			if status == 100 || h["x-method"] == MethodHead {
				continue
			}
			switch fr.kind {
			case framingLength:
				br.Discard(int(fr.length))
			case framingChunked:
				var b ChunkedBody
				b.reset(br, nil, nil)
				if _, err := io.Copy(io.Discard, &b); err != nil {
					return // a short body cut by a request-side error
				}
			}
		}
	})
}

// recConn is a memConn that records what the server writes.
type recConn struct {
	memConn
	out bytes.Buffer
}

func (c *recConn) Write(p []byte) (int, error) { return c.out.Write(p) }
