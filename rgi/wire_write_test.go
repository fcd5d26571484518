package rgi

import (
	"bufio"
	"bytes"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestWriteResponseHeadGolden(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		reason  string
		headers map[string]string
		body    any
		pass    bool
		closing bool
		want    string
	}{
		{"bytes body, sorted, content-length added", 200, "OK", map[string]string{"x-b": "2", "content-type": "text/plain", "a": "1"}, []byte("hello, world"), false, false,
			"HTTP/1.1 200 OK\r\na: 1\r\ncontent-length: 12\r\ncontent-type: text/plain\r\nx-b: 2\r\n\r\n"},
		{"nil body: no framing header", 200, "OK", map[string]string{"x-msg": "hello, world"}, nil, false, false,
			"HTTP/1.1 200 OK\r\nx-msg: hello, world\r\n\r\n"},
		{"nil headers", 404, "Not Found", nil, nil, false, false, "HTTP/1.1 404 Not Found\r\n\r\n"},
		{"chunked", 200, "OK", nil, NewChunkedBodyIter(nil), false, false, ""}, // Seq nil: bad body, see below
		{"chunked iter", 201, "Created", map[string]string{}, NewChunkedBodyIter(func(func(Chunk) bool) {}), false, false,
			"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n"},
		{"agreeing content-length", 200, "OK", map[string]string{"content-length": "2"}, "hi", false, false,
			"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"},
		{"HEAD pass-through", 200, "OK", map[string]string{"content-length": "12"}, nil, true, false,
			"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n"},
		{"closing", 200, "OK", map[string]string{"z": "1"}, "", false, true,
			"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\nz: 1\r\n\r\n"},
		{"closing, app's connection header kept", 200, "OK", map[string]string{"connection": "keep-alive"}, nil, false, true,
			"HTTP/1.1 200 OK\r\nconnection: keep-alive\r\n\r\n"},
		{"Body", 200, "OK", nil, NewBody(strings.NewReader("abc"), 3), false, false, "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"},
	}
	var hw headWriter
	for _, tt := range tests {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		fr, err := framingOf(tt.body)
		if err == nil {
			err = hw.writeResponseHead(bw, tt.status, tt.reason, tt.headers, fr, "", tt.pass, tt.closing)
		}
		bw.Flush()
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: want an error, wrote %q", tt.name, out.String())
			}
			continue
		}
		if err != nil || out.String() != tt.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tt.name, out.String(), err, tt.want)
		}
	}
}

func TestWriteResponseHeadRejects(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		reason  string
		headers map[string]string
		body    any
		pass    bool
		err     error
	}{
		{"uppercase name", 200, "OK", map[string]string{"Content-Type": "x"}, nil, false, ErrBadOutputHeaderName},
		{"underscore name", 200, "OK", map[string]string{"a_b": "x"}, nil, false, ErrBadOutputHeaderName},
		{"long name", 200, "OK", map[string]string{strings.Repeat("a", 33): "x"}, nil, false, ErrBadOutputHeaderName},
		{"empty name", 200, "OK", map[string]string{"": "x"}, nil, false, ErrBadOutputHeaderName},
		{"injection", 200, "OK", map[string]string{"a": "v\r\nx-injected: 1"}, nil, false, ErrBadOutputHeaderValue},
		{"empty value", 200, "OK", map[string]string{"a": ""}, nil, false, ErrBadOutputHeaderValue},
		{"status 99", 99, "X", nil, nil, false, ErrBadOutputStatus},
		{"status 600", 600, "X", nil, nil, false, ErrBadOutputStatus},
		{"empty reason", 200, "", nil, nil, false, ErrBadOutputReason},
		{"CRLF reason", 200, "OK\r\nx: y", nil, nil, false, ErrBadOutputReason},
		{"length mismatch", 200, "OK", map[string]string{"content-length": "5"}, "hi", false, ErrFramingMismatch},
		{"string length is compared as text", 200, "OK", map[string]string{"content-length": "02"}, "hi", false, ErrFramingMismatch},
		{"TE with bytes", 200, "OK", map[string]string{"transfer-encoding": "chunked"}, "hi", false, ErrFramingMismatch},
		{"CL with chunked", 200, "OK", map[string]string{"content-length": "2"}, NewChunkedBody(strings.NewReader("")), false, ErrFramingMismatch},
		{"CL with nil body on GET", 200, "OK", map[string]string{"content-length": "5"}, nil, false, ErrFramingMismatch},
		{"TE with nil body on GET", 200, "OK", map[string]string{"transfer-encoding": "chunked"}, nil, false, ErrFramingMismatch},
		{"head too large", 200, "OK", map[string]string{"a": strings.Repeat("v", maxOutputHeaders-4)}, nil, false, ErrOutputHeadTooLarge},
	}
	var hw headWriter
	for _, tt := range tests {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		fr, err := framingOf(tt.body)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		err = hw.writeResponseHead(bw, tt.status, tt.reason, tt.headers, fr, "", tt.pass, false)
		bw.Flush()
		if err != tt.err || out.Len() != 0 {
			t.Errorf("%s: got %v and %q, want %v and nothing written", tt.name, err, out.String(), tt.err)
		}
	}
}

func TestWriteHeadSizeLimit(t *testing.T) {
	var hw headWriter
	var out bytes.Buffer
	bw := bufio.NewWriterSize(&out, 64)
	h := map[string]string{"a": strings.Repeat("v", maxOutputHeaders-5)}
	if err := hw.writeResponseHead(bw, 200, "OK", h, framing{framingLength, MaxContentLength}, "", false, true); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	pre, err := readPreamble(newWireReader(&out))
	if err != nil || len(pre) > MaxPreambleSize {
		t.Fatalf("largest head does not read back: %d, %v", len(pre), err)
	}
}

func TestFramingOfBadBodies(t *testing.T) {
	for _, b := range []any{42, (*Body)(nil), (*ChunkedBody)(nil), NewBodyIter(nil, 1), NewBody(nil, -1), NewBody(nil, 1), &ChunkedBody{}, NewBody(nil, MaxContentLength+1), bytes.NewBuffer(nil)} {
		if _, err := framingOf(b); err != ErrBadOutputBody {
			t.Errorf("%T %v: %v", b, b, err)
		}
	}
}

func TestWriteRequestHeadGolden(t *testing.T) {
	var hw headWriter
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := hw.writeRequestHead(bw, "PUT", "/a/b?c=d", map[string]string{"host": "x", "accept": "*/*"}, framing{framingLength, 5}); err != nil {
		t.Fatal(err)
	}
	if err := hw.writeRequestHead(bw, "GET", "/", nil, framing{}); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	want := "PUT /a/b?c=d HTTP/1.1\r\naccept: */*\r\ncontent-length: 5\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
	for _, bad := range []struct{ m, u string }{{"PATCH", "/"}, {"GET", "x"}, {"GET", "/a b"}, {"get", "/"}} {
		if err := hw.writeRequestHead(bw, bad.m, bad.u, nil, framing{}); err == nil {
			t.Errorf("%s %s accepted", bad.m, bad.u)
		}
	}
	if err := hw.writeRequestHead(bw, "GET", "/", nil, framing{framingLength, 1}); err != ErrBodyNotAllowed {
		t.Errorf("GET with body: %v", err)
	}
}

// TestFormatParseRoundTrip writes heads and parses them back.
func TestFormatParseRoundTrip(t *testing.T) {
	headers := map[string]string{"content-type": "text/plain", "x-a": "b c", "etag": `"abc"`}
	var hw headWriter
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := hw.writeResponseHead(bw, 299, "Weird but fine", headers, framing{framingLength, 7}, "", false, false); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	h := map[string]string{}
	status, reason, fr, err := parseResponseHead(out.Bytes(), newInterner(), h)
	want := maps.Clone(headers)
	want["content-length"] = "7"
	if err != nil || status != 299 || reason != "Weird but fine" || fr != (framing{framingLength, 7}) || !maps.Equal(h, want) {
		t.Fatalf("%d %q %+v %v %v", status, reason, fr, h, err)
	}

	out.Reset()
	if err := hw.writeRequestHead(bw, "POST", "/x/y/?q", headers, framing{kind: framingChunked}); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	req, rh, err := parse(t, out.String())
	want = maps.Clone(headers)
	want["transfer-encoding"] = "chunked"
	if err != nil || req.Method != "POST" || !slices.Equal(req.Path, []string{"x", "y", ""}) || !req.HasQuery || req.Query != "q" || rh.kind != framingChunked || !maps.Equal(req.Headers, want) {
		t.Fatalf("%+v %+v %v", req, rh, err)
	}
}

func TestParseResponseHead(t *testing.T) {
	tests := []struct {
		pre    string
		status int
		reason string
		fr     framing
		err    error
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", 200, "OK", framing{framingLength, 12}, nil},
		{"HTTP/1.1 404 Not Found\r\n\r\n", 404, "Not Found", framing{}, nil},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200, "OK", framing{kind: framingChunked}, nil},
		{"HTTP/1.0 200 OK\r\n\r\n", 0, "", framing{}, ErrBadStatusLine},
		{"HTTP/1.1 200\r\n\r\n", 0, "", framing{}, ErrBadStatusLine},
		{"HTTP/1.1 200 \r\n\r\n", 0, "", framing{}, ErrBadReason},
		{"HTTP/1.1 2x0 OK\r\n\r\n", 0, "", framing{}, ErrBadStatus},
		{"HTTP/1.1 099 OK\r\n\r\n", 0, "", framing{}, ErrBadStatus},
		{"HTTP/1.1 600 OK\r\n\r\n", 0, "", framing{}, ErrBadStatus},
		{"HTTP/1.1 200 O\tK\r\n\r\n", 0, "", framing{}, ErrBadReason},
		{"HTTP/1.1 200 OK\r\nA: 1\r\nA: 2\r\n\r\n", 0, "", framing{}, ErrDuplicateHeader},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, "", framing{}, ErrLengthAndChunked},
	}
	for _, tt := range tests {
		status, reason, fr, err := parseResponseHead([]byte(tt.pre), newInterner(), map[string]string{})
		if err != tt.err || status != tt.status || reason != tt.reason || fr != tt.fr {
			t.Errorf("%q: %d %q %+v %v", tt.pre, status, reason, fr, err)
		}
	}
}

func TestWriteHeadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	var hw headWriter
	bw := bufio.NewWriter(&bytes.Buffer{})
	headers := map[string]string{"content-type": "text/plain", "x-a": "1"}
	allocs := testing.AllocsPerRun(100, func() {
		if err := hw.writeResponseHead(bw, 200, "OK", headers, framing{framingLength, 12}, "Sun, 06 Dec 2026 14:00:00 GMT", false, false); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
	})
	if allocs != 0 {
		t.Fatalf("allocs %v", allocs)
	}
}

func TestWriteRequestHeadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	var hw headWriter
	bw := bufio.NewWriter(io.Discard)
	headers := map[string]string{"host": "x", "accept": "*/*"}
	uri := "/a/rather/long/path/with/several/components?and=a&query=string"
	allocs := testing.AllocsPerRun(100, func() {
		if err := hw.writeRequestHead(bw, "GET", uri, headers, framing{}); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
	})
	if allocs != 0 {
		t.Fatalf("allocs %v", allocs)
	}
}

// TestValidOutputValueWords: the eight-bytes-at-a-time check agrees with
// the byte table for every byte value at every position of values of
// every length up to 24, next to valid bytes at both ends of the range.
func TestValidOutputValueWords(t *testing.T) {
	slow := func(v string) bool {
		if v == "" {
			return false
		}
		for i := 0; i < len(v); i++ {
			if class[v[i]]&cValue == 0 {
				return false
			}
		}
		return true
	}
	for _, fill := range []byte{' ', 'a', '~'} {
		for n := 1; n <= 24; n++ {
			for pos := 0; pos < n; pos++ {
				for b := 0; b < 256; b++ {
					buf := bytes.Repeat([]byte{fill}, n)
					buf[pos] = byte(b)
					if v := string(buf); validOutputValue(v) != slow(v) {
						t.Fatalf("%q: %v, byte table says %v", v, validOutputValue(v), slow(v))
					}
				}
			}
		}
	}
	if validOutputValue("") {
		t.Fatal("empty value accepted")
	}
}
