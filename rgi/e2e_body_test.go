package rgi_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

func chunkSeq(chunks []rgi.Chunk) iter.Seq[rgi.Chunk] {
	return func(yield func(rgi.Chunk) bool) {
		for _, c := range chunks {
			if !yield(c) {
				return
			}
		}
	}
}

func readChunks(t *testing.T, body any) []rgi.Chunk {
	t.Helper()
	cb, ok := body.(*rgi.ChunkedBody)
	if !ok {
		t.Fatalf("body is %T, want *rgi.ChunkedBody", body)
	}
	var out []rgi.Chunk
	for c, err := range cb.Chunks() {
		if err != nil {
			t.Fatalf("chunk %d: %v", len(out), err)
		}
		out = append(out, c)
	}
	if !cb.Consumed() {
		t.Fatal("chunked body not consumed after its last chunk")
	}
	return out
}

func equalChunks(a, b []rgi.Chunk) bool {
	return slices.EqualFunc(a, b, func(x, y rgi.Chunk) bool { return x.Ext == y.Ext && bytes.Equal(x.Data, y.Data) })
}

var sampleChunks = []rgi.Chunk{
	{Ext: rgi.Extension{Key: "k", Value: "v"}, Data: []byte("hello")},
	{Data: []byte(", ")},
	{Ext: rgi.Extension{Key: "Md5-x", Value: `"(a,b)";<c>[d]*e:f_g~h.i+j'`}, Data: bytes.Repeat([]byte("w"), 70000)},
	{Ext: rgi.Extension{Key: "last", Value: "1"}, Data: []byte{}},
}

// TestE2EChunkedExtensions sends chunks with extensions both ways: the app
// reads them one by one and answers them changed, so both the client's and
// the server's writer and reader are exercised.
func TestE2EChunkedExtensions(t *testing.T) {
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		cb, ok := r.Body.(*rgi.ChunkedBody)
		if !ok || r.Headers["transfer-encoding"] != "chunked" {
			return rgi.Response{Status: 400, Reason: "Not Chunked"}
		}
		var out []rgi.Chunk
		for {
			c, err := cb.ReadChunk()
			if err == io.EOF {
				break
			}
			if err != nil {
				return rgi.Response{Status: 400, Reason: "Bad Chunk"}
			}
			if !c.Ext.IsZero() {
				c.Ext.Key = "echo-" + c.Ext.Key
			}
			c.Data = bytes.ToUpper(c.Data)
			out = append(out, c)
		}
		return rgi.Response{Status: 201, Reason: "Created", Body: b.ChunkedBodyIter(chunkSeq(out))}
	})
	srv := rgitest.TempServer(t, "127.0.0.1:0", app, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	for range 2 {
		resp, err := conn.Post("/chunks", nil, rgi.NewChunkedBodyIter(chunkSeq(sampleChunks)))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 201 || resp.Headers["transfer-encoding"] != "chunked" || resp.Headers["content-length"] != "" {
			t.Fatalf("%d %s %v", resp.Status, resp.Reason, resp.Headers)
		}
		got := readChunks(t, resp.Body)
		var want []rgi.Chunk
		for _, c := range sampleChunks {
			if !c.Ext.IsZero() {
				c.Ext.Key = "echo-" + c.Ext.Key
			}
			want = append(want, rgi.Chunk{Ext: c.Ext, Data: bytes.ToUpper(c.Data)})
		}
		if !equalChunks(got, want) {
			t.Fatalf("got %d chunks, want %d; first %+v", len(got), len(want), got[0].Ext)
		}
	}
}

// TestE2EChunkedPassThrough returns the request body as the response body:
// the server re-emits the client's chunks, extensions and all, as a proxy
// would, and the client reads them back unchanged.
func TestE2EChunkedPassThrough(t *testing.T) {
	echo := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-method": r.Method}, Body: r.Body}
	})
	srv := rgitest.TempServer(t, rgitest.FreeAddress(t, rgi.FamilyAbstract), echo, nil)
	// One connection throughout: a request body streamed back counts as
	// read, so the connection stays open.
	conn := rgitest.Connect(t, srv.Client(t, nil))
	for i := range 3 {
		resp, err := conn.Put("/", nil, rgi.NewChunkedBodyIter(chunkSeq(sampleChunks)))
		if err != nil {
			t.Fatal(err)
		}
		if got := readChunks(t, resp.Body); !equalChunks(got, sampleChunks) {
			t.Fatalf("request %d: chunks changed on the way: %d chunks", i, len(got))
		}
		if resp.Headers["connection"] != "" {
			t.Fatalf("request %d: connection %q", i, resp.Headers["connection"])
		}
	}
	// A plain body comes back with its length.
	resp, err := conn.Put("/", nil, []byte("plain"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Body.(*rgi.Body); !ok || resp.Headers["content-length"] != "5" || mustRead(t, resp) != "plain" {
		t.Fatalf("plain echo: %+v", resp)
	}
	// No request body: the response has none and no framing header.
	resp, err = conn.Get("/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if dropDate(t, resp.Headers); resp.Body != nil || len(resp.Headers) != 1 {
		t.Fatalf("empty echo: %+v", resp)
	}
}

// digestApp answers the request body's framing, length and SHA-256.
var digestApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		return rgi.Response{Status: 400, Reason: "Bad Body"}
	}
	framing := "length=" + r.Headers["content-length"]
	if r.Headers["transfer-encoding"] != "" {
		framing = "chunked"
	}
	return rgi.Response{Status: 200, Reason: "OK", Body: fmt.Sprintf("%s n=%d sha=%x", framing, n, h.Sum(nil))}
})

func TestE2ERequestBodyTypes(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 300000) // 4.8 MB
	sum := func(p []byte) string { return fmt.Sprintf("%x", sha256.Sum256(p)) }
	pieces := func(p []byte, n int) iter.Seq[[]byte] {
		return func(yield func([]byte) bool) {
			for len(p) > 0 {
				k := min(n, len(p))
				if !yield(p[:k]) || !yield(nil) {
					return
				}
				p = p[k:]
			}
		}
	}
	chunks := func(p []byte, n int) iter.Seq[rgi.Chunk] {
		return func(yield func(rgi.Chunk) bool) {
			for c := range pieces(p, n) {
				if len(c) > 0 && !yield(rgi.Chunk{Data: c}) {
					return
				}
			}
			yield(rgi.Chunk{Data: []byte{}})
		}
	}
	tests := []struct {
		name string
		body any
		want string
	}{
		{"bytes", []byte("abc"), "length=3 n=3 sha=" + sum([]byte("abc"))},
		{"empty bytes", []byte{}, "length=0 n=0 sha=" + sum(nil)},
		{"string", "hello", "length=5 n=5 sha=" + sum([]byte("hello"))},
		{"Body", rgi.NewBody(bytes.NewReader(big), int64(len(big))), fmt.Sprintf("length=%d n=%d sha=%s", len(big), len(big), sum(big))},
		{"Body prefix", rgi.NewBody(strings.NewReader("abcdef"), 4), "length=4 n=4 sha=" + sum([]byte("abcd"))},
		{"BodyIter", rgi.NewBodyIter(pieces(big, 70001), int64(len(big))), fmt.Sprintf("length=%d n=%d sha=%s", len(big), len(big), sum(big))},
		{"ChunkedBodyIter", rgi.NewChunkedBodyIter(chunks(big, 1<<20)), fmt.Sprintf("chunked n=%d sha=%s", len(big), sum(big))},
		{"ChunkedBody", rgi.NewChunkedBody(strings.NewReader("3;a=b\r\nabc\r\n0\r\n\r\n")), "chunked n=3 sha=" + sum([]byte("abc"))},
	}
	srv := rgitest.TempServer(t, "127.0.0.1:0", digestApp, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := conn.Post("/", nil, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, resp); got != tc.want {
				t.Fatalf("server saw %q, want %q", got, tc.want)
			}
		})
	}
}

func TestE2EResponseBodyTypes(t *testing.T) {
	big := bytes.Repeat([]byte("xyz"), 2_000_000)
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		var body any
		switch r.Path[0] {
		case "none":
		case "empty":
			body = []byte{}
		case "body":
			body = b.Body(bytes.NewReader(big), int64(len(big)))
		case "iter":
			body = b.BodyIter(slices.Values([][]byte{big[:7], nil, big[7:]}), int64(len(big)))
		case "chunked":
			body = b.ChunkedBodyIter(slices.Values([]rgi.Chunk{{Data: big[:1<<20]}, {Data: big[1<<20:]}, {Data: []byte{}}}))
		}
		return rgi.Response{Status: 200, Reason: "OK", Body: body}
	})
	srv := rgitest.TempServer(t, rgitest.FreeAddress(t, rgi.FamilyUnix), app, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	tests := []struct {
		path    string
		bodyNil bool
		want    []byte
		header  string
	}{
		{"/none", true, nil, ""},
		{"/empty", false, nil, "content-length: 0"},
		{"/body", false, big, fmt.Sprintf("content-length: %d", len(big))},
		{"/iter", false, big, fmt.Sprintf("content-length: %d", len(big))},
		{"/chunked", false, big, "transfer-encoding: chunked"},
	}
	for _, tc := range tests {
		resp, err := conn.Get(tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (resp.Body == nil) != tc.bodyNil {
			t.Fatalf("%s: body %T", tc.path, resp.Body)
		}
		var hs []string
		for k, v := range dropDate(t, resp.Headers) {
			hs = append(hs, k+": "+v)
		}
		if strings.Join(hs, "\n") != tc.header {
			t.Fatalf("%s: headers %q, want %q", tc.path, hs, tc.header)
		}
		got, err := rgi.ReadBody(resp.Body)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: body of %d bytes, %v", tc.path, len(got), err)
		}
	}
}

func TestE2EResponseNotConsumed(t *testing.T) {
	srv := rgitest.TempServer(t, "127.0.0.1:0", infoApp, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	resp, err := conn.Get("/", nil)
	if err != nil || resp.Body == nil {
		t.Fatal(resp, err)
	}
	if _, err := conn.Get("/", nil); !errors.Is(err, rgi.ErrResponseNotConsumed) {
		t.Fatalf("second request: %v", err)
	}
	if !conn.Closed() {
		t.Fatal("connection left open")
	}
	if _, err := conn.Get("/", nil); !errors.Is(err, rgi.ErrConnectionClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestE2EClientBodyErrors(t *testing.T) {
	srv := rgitest.TempServer(t, "127.0.0.1:0", digestApp, nil)
	c := srv.Client(t, nil)
	tests := []struct {
		name   string
		method string
		body   any
		want   error
	}{
		{"short BodyIter", "PUT", rgi.NewBodyIter(slices.Values([][]byte{[]byte("ab")}), 3), rgi.ErrBodyLengthShort},
		{"long BodyIter", "PUT", rgi.NewBodyIter(slices.Values([][]byte{[]byte("abcd")}), 3), rgi.ErrBodyLengthExceeded},
		{"short Body", "POST", rgi.NewBody(strings.NewReader("ab"), 3), rgi.ErrBodyLengthShort},
		{"no last chunk", "POST", rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Data: []byte("a")}})), rgi.ErrNoLastChunk},
		{"chunk after last", "POST", rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Data: []byte{}}, {Data: []byte("a")}})), rgi.ErrChunkAfterLast},
		{"bad extension", "POST", rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Ext: rgi.Extension{Key: "a", Value: "b=c"}, Data: []byte{}}})), rgi.ErrBadOutputExtension},
		{"body on GET", "GET", []byte("x"), rgi.ErrBodyNotAllowed},
		{"body on DELETE", "DELETE", "x", rgi.ErrBodyNotAllowed},
		{"body on HEAD", "HEAD", rgi.NewChunkedBodyIter(slices.Values([]rgi.Chunk{{Data: []byte{}}})), rgi.ErrBodyNotAllowed},
		{"bad body type", "PUT", 42, rgi.ErrBadOutputBody},
		{"nil *Body", "PUT", (*rgi.Body)(nil), rgi.ErrBadOutputBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := rgitest.Connect(t, c)
			_, err := conn.Request(tc.method, "/", nil, tc.body)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !conn.Closed() {
				t.Fatal("connection left open after an error")
			}
		})
	}
}
