package rgi

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func parse(t *testing.T, pre string) (*Request, requestHead, error) {
	t.Helper()
	req := &Request{Headers: map[string]string{}}
	rh, err := parseRequest([]byte(pre), newInterner(), req, nil)
	return req, rh, err
}

// TestParseRequestMethods pins that the server passes every method token on
// to the app, which alone knows what its resources support (RFC 9110 §9.1,
// §15.5.6), as HTTP/2 does; NewRequest, used over HTTP/2, applies the same
// rule.
func TestParseRequestMethods(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE", "get", "BREW", "M-SEARCH"} {
		req, _, err := parse(t, m+" /x HTTP/1.1\r\n\r\n")
		if err != nil || req.Method != m {
			t.Errorf("%s: %q %v", m, req.Method, err)
		}
		if r, err := NewRequest(m, "/x", nil, nil); err != nil || r.Method != m {
			t.Errorf("NewRequest %s: %v", m, err)
		}
	}
	// A body: not with GET, HEAD or DELETE (Degu), with any other method.
	for m, ok := range map[string]bool{"GET": false, "HEAD": false, "DELETE": false, "PUT": true, "POST": true, "PATCH": true, "OPTIONS": true, "BREW": true} {
		_, _, err := parse(t, m+" /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
		if (err == nil) != ok || !ok && err != ErrBodyNotAllowed || BodyAllowed(m) != ok {
			t.Errorf("%s with content-length: 0: %v", m, err)
		}
	}
	if _, err := NewRequest("G(T", "/x", nil, nil); err != ErrBadRequestLine {
		t.Errorf("NewRequest with a non-token method: %v", err)
	}
}

func TestParseRequestGolden(t *testing.T) {
	tests := []struct {
		pre      string
		method   string
		uri      string
		path     []string
		query    string
		hasQuery bool
		headers  map[string]string
		fr       framing
	}{
		{"GET / HTTP/1.1\r\n\r\n", "GET", "/", []string{}, "", false, map[string]string{}, framing{}},
		{"GET /foo/bar/baz?stuff=junk HTTP/1.1\r\nAccept: text/plain\r\n\r\n", "GET", "/foo/bar/baz?stuff=junk",
			[]string{"foo", "bar", "baz"}, "stuff=junk", true, map[string]string{"accept": "text/plain"}, framing{}},
		{"HEAD /foo HTTP/1.1\r\n\r\n", "HEAD", "/foo", []string{"foo"}, "", false, map[string]string{}, framing{}},
		{"DELETE /foo/ HTTP/1.1\r\n\r\n", "DELETE", "/foo/", []string{"foo", ""}, "", false, map[string]string{}, framing{}},
		{"GET /? HTTP/1.1\r\n\r\n", "GET", "/?", []string{}, "", true, map[string]string{}, framing{}},
		{"GET /a?b?c=/d HTTP/1.1\r\n\r\n", "GET", "/a?b?c=/d", []string{"a"}, "b?c=/d", true, map[string]string{}, framing{}},
		{"GET /a%20b/a..b HTTP/1.1\r\n\r\n", "GET", "/a%20b/a..b", []string{"a%20b", "a..b"}, "", false, map[string]string{}, framing{}},
		{"PUT /x HTTP/1.1\r\nContent-Length: 12\r\nX-Mixed-Case: V a l\r\n\r\n", "PUT", "/x", []string{"x"}, "", false,
			map[string]string{"content-length": "12", "x-mixed-case": "V a l"}, framing{framingLength, 12}},
		{"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "POST", "/x", []string{"x"}, "", false,
			map[string]string{"transfer-encoding": "chunked"}, framing{kind: framingChunked}},
		{"POST /x HTTP/1.1\r\ncontent-length: 0\r\n\r\n", "POST", "/x", []string{"x"}, "", false,
			map[string]string{"content-length": "0"}, framing{framingLength, 0}},
		{"PUT /x HTTP/1.1\r\ncontent-length: 9999999999999999\r\n\r\n", "PUT", "/x", []string{"x"}, "", false,
			map[string]string{"content-length": "9999999999999999"}, framing{framingLength, MaxContentLength}},
		{"GET / HTTP/1.1\r\nCookie: a=\"b\"; c={d}!#$\r\nx: 1\r\n\r\n", "GET", "/", []string{}, "", false,
			map[string]string{"cookie": `a="b"; c={d}!#$`, "x": "1"}, framing{}},
		{"GET / HTTP/1.1\r\n" + strings.Repeat("A", 32) + ": v\r\n\r\n", "GET", "/", []string{}, "", false,
			map[string]string{strings.Repeat("a", 32): "v"}, framing{}},
	}
	for _, tt := range tests {
		req, rh, err := parse(t, tt.pre)
		if err != nil {
			t.Errorf("%q: %v", tt.pre, err)
			continue
		}
		if req.Method != tt.method || req.URI != tt.uri || !slices.Equal(req.Path, tt.path) || len(req.Script) != 0 ||
			req.Query != tt.query || req.HasQuery != tt.hasQuery || !maps.Equal(req.Headers, tt.headers) || rh.framing != tt.fr {
			t.Errorf("%q:\n got %q %q path %q script %q query %q/%v headers %v %+v", tt.pre, req.Method, req.URI, req.Path, req.Script, req.Query, req.HasQuery, req.Headers, rh.framing)
		}
	}
}

// TestParseRequestMalformed is the table of bad requests: each with the
// error, hence the status the server answers with before closing.
func TestParseRequestMalformed(t *testing.T) {
	long := strings.Repeat("a", 33)
	tests := []struct {
		pre    string
		err    *ProtocolError
		status int
	}{
		{"GET / HTTP/1.0\r\n\r\n", ErrBadVersion, 505},
		{"GET / HTTP/2.0\r\n\r\n", ErrBadVersion, 505},
		{"GET / http/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"GET /\r\n\r\n", ErrBadRequestLine, 400},
		{"GET  / HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"GET / HTTP/1.1 \r\n\r\n", ErrBadRequestLine, 400},
		{" GET / HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"\r\nGET / HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		// Every method token reaches the app (TestParseRequestMethods);
		// asterisk- and authority-form targets are not served, and a method
		// that is not a token makes a bad request line.
		{"OPTIONS * HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"CONNECT a:1 HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"G(T / HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"G(T / HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"GET http://a/ HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET a HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET /a#b HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET /a b HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"GET /a%2 HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET /a%zz HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET /a?b#c HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET /a?b c HTTP/1.1\r\n\r\n", ErrBadRequestLine, 400},
		{"GET //a HTTP/1.1\r\n\r\n", ErrBadPath, 400},
		{"GET /a//b HTTP/1.1\r\n\r\n", ErrBadPath, 400},
		{"GET /a/../b HTTP/1.1\r\n\r\n", ErrBadPath, 400},
		{"GET /.. HTTP/1.1\r\n\r\n", ErrBadPath, 400},
		{"GET /\xff HTTP/1.1\r\n\r\n", ErrBadURI, 400},
		{"GET / HTTP/1.1\r\nHost:x\r\n\r\n", ErrBadHeaderLine, 400},
		{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", ErrBadHeaderName, 400},
		{"GET / HTTP/1.1\r\nX_A: x\r\n\r\n", ErrBadHeaderName, 400},
		{"GET / HTTP/1.1\r\n: x\r\n\r\n", ErrBadHeaderLine, 400},
		{"GET / HTTP/1.1\r\n" + long + ": x\r\n\r\n", ErrHeaderNameTooLong, 400},
		{"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", ErrBadHeaderLine, 400},
		{"GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", ErrBadHeaderLine, 400},
		{"GET / HTTP/1.1\r\nA: b\tc\r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA: \r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA:  x\r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA: x \r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA: x\rB: y\r\n\r\n", ErrBadHeaderLine, 400},
		{"GET / HTTP/1.1\r\nA: x\nB: y\r\n\r\n", ErrBadHeaderValue, 400},
		{"GET / HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n", ErrDuplicateHeader, 400},
		{"PUT / HTTP/1.1\r\nContent-Length: 01\r\n\r\n", ErrBadContentLength, 400},
		{"PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", ErrBadContentLength, 400},
		{"PUT / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", ErrBadContentLength, 400},
		{"PUT / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", ErrBadContentLength, 400},
		{"PUT / HTTP/1.1\r\nContent-Length: 10000000000000000\r\n\r\n", ErrContentLengthTooBig, 413},
		{"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrBadTransferEncoding, 501},
		{"PUT / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", ErrBadTransferEncoding, 501},
		{"PUT / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", ErrLengthAndChunked, 400},
		{"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", ErrBodyNotAllowed, 400},
		{"HEAD / HTTP/1.1\r\nContent-Length: 1\r\n\r\n", ErrBodyNotAllowed, 400},
		{"DELETE / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", ErrBodyNotAllowed, 400},
	}
	for _, tt := range tests {
		_, _, err := parse(t, tt.pre)
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe != tt.err || pe.Status != tt.status {
			t.Errorf("%q: got %v, want %v (%d)", tt.pre, err, tt.err, tt.status)
			continue
		}
		for _, c := range pe.Reason {
			if !(c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				t.Errorf("%q: reason %q is not letters and spaces", tt.pre, pe.Reason)
			}
		}
	}
}

func TestParseRequestFlags(t *testing.T) {
	_, rh, err := parse(t, "PUT / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-Continue\r\nConnection: Close\r\n\r\n")
	if err != nil || !rh.expectContinue || !rh.close {
		t.Fatalf("%+v %v", rh, err)
	}
	// Expect without a body invites nothing.
	_, rh, _ = parse(t, "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
	if rh.expectContinue || rh.close {
		t.Fatalf("%+v", rh)
	}
}

func TestShiftAndURIs(t *testing.T) {
	req, _, err := parse(t, "GET /foo/bar/baz?x=1 HTTP/1.1\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := req.Shift(); c != "foo" || !ok {
		t.Fatalf("shift %q %v", c, ok)
	}
	if !slices.Equal(req.Script, []string{"foo"}) || !slices.Equal(req.Path, []string{"bar", "baz"}) {
		t.Fatalf("script %q path %q", req.Script, req.Path)
	}
	if got := req.RelativeURI(); got != "/bar/baz?x=1" {
		t.Fatalf("relative %q", got)
	}
	if got := req.AbsoluteURI(); got != "/foo/bar/baz?x=1" {
		t.Fatalf("absolute %q", got)
	}
	req.Shift()
	req.Shift()
	if c, ok := req.Shift(); c != "" || ok {
		t.Fatalf("empty shift %q %v", c, ok)
	}
	if got := req.RelativeURI(); got != "/?x=1" {
		t.Fatalf("relative %q", got)
	}
	r2 := &Request{Path: []string{"a", ""}}
	r2.Shift()
	if got := r2.RelativeURI(); got != "/" {
		t.Fatalf("trailing slash: %q", got)
	}
	if got := r2.AbsoluteURI(); got != "/a/" {
		t.Fatalf("trailing slash absolute: %q", got)
	}
	r3 := &Request{Path: []string{}, HasQuery: true}
	if got := r3.RelativeURI(); got != "/?" {
		t.Fatalf("empty query: %q", got)
	}
}

func TestParseRequestInterns(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	in := newInterner()
	pre := []byte("GET /a/b?q HTTP/1.1\r\nHost: example\r\nUser-Agent: wrk\r\n\r\n")
	req := &Request{Headers: map[string]string{}}
	comps := make([]string, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		clear(req.Headers)
		if _, err := parseRequest(pre, in, req, comps); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("warm parse allocates %v times", allocs)
	}
}

// TestParseHeadersMarks: parseHeaders says which of the headers the wire
// layer looks at are present (their callers look up only those), and
// parseRequest's verdicts follow from them.
func TestParseHeadersMarks(t *testing.T) {
	tests := []struct {
		block   string
		want    marks
		close   bool
		upgrade bool
	}{
		{"Host: x\r\n", 0, false, false},
		{"Content-Length: 0\r\n", markContentLength, false, false},
		{"connection: Close\r\n", markConnection, true, false},
		{"Connection: keep-alive\r\n", markConnection, false, false},
		{"Expect: 100-continue\r\n", markExpect, false, false},
		{"Upgrade: h2c\r\nHost: x\r\n", markUpgrade, false, true},
		{"x-connection: close\r\nx-upgrade: 1\r\n", 0, false, false},
	}
	for _, tt := range tests {
		_, seen, err := parseHeaders([]byte(tt.block), newInterner(), map[string]string{})
		if err != nil || seen != tt.want {
			t.Errorf("%q: marks %b, %v; want %b", tt.block, seen, err, tt.want)
		}
		req := Request{Headers: map[string]string{}}
		rh, err := parseRequest([]byte("POST / HTTP/1.1\r\n"+tt.block+"\r\n"), newInterner(), &req, nil)
		if err != nil || rh.close != tt.close || rh.upgrade != tt.upgrade {
			t.Errorf("%q: close %v upgrade %v, %v; want %v %v", tt.block, rh.close, rh.upgrade, err, tt.close, tt.upgrade)
		}
	}
}
