package h2conn

import (
	"bytes"
	"testing"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// helloHandler answers every request with 200 and a 12-byte body, like
// h2demo's /hello.txt, without recording anything.
type helloHandler struct {
	c      *Engine
	fields []hpack.HeaderField
	body   []byte
}

func (h *helloHandler) OnHeaders(st *Stream)           {}
func (h *helloHandler) OnData(st *Stream, data []byte) { h.c.Consume(st, len(data)) }
func (h *helloHandler) OnTrailers(st *Stream)          {}
func (h *helloHandler) OnEndStream(st *Stream) {
	h.c.SendHeaders(st, 200, h.fields, false)
	h.c.SetBodyBytes(st, h.body)
}
func (h *helloHandler) OnClose(st *Stream, code ErrCode) {}
func (h *helloHandler) OnReject(name reject.Name)        {}

// helloRig is an engine after the handshake plus a client request in wire
// form whose HPACK block is fully indexed after the first request (as
// h2load sends it), so each request is one HEADERS frame whose stream ID is
// patched.
type helloRig struct {
	c   *Engine
	req []byte // HEADERS frame
	id  uint32
	out []byte
}

func newHelloHandler() *helloHandler {
	return &helloHandler{
		fields: []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}, {Name: "content-length", Value: "12"}},
		body:   []byte("hello world\n"),
	}
}

func (h *helloHandler) setConn(c *Engine) { h.c = c }

func newHelloRig(tb testing.TB) *helloRig {
	h := newHelloHandler()
	c, err := NewServerConn(Config{}, h)
	if err != nil {
		tb.Fatal(err)
	}
	h.c = c
	var w bytes.Buffer
	w.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&w, nil)
	fr.WriteSettings()
	fr.WriteSettingsAck()
	fr.WriteWindowUpdate(0, 1<<30)
	if err := c.Feed(w.Bytes()); err != nil {
		tb.Fatal(err)
	}
	var eb bytes.Buffer
	enc := xhpack.NewEncoder(&eb)
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/hello.txt"}, {":authority", "127.0.0.1:8080"},
		{"user-agent", "h2load nghttp2/1.64.0"}} {
		enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	first := frame.AppendHeaders(nil, 1, true, true, eb.Bytes())
	if err := c.Feed(first); err != nil {
		tb.Fatal(err)
	}
	eb.Reset()
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/hello.txt"}, {":authority", "127.0.0.1:8080"},
		{"user-agent", "h2load nghttp2/1.64.0"}} {
		enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	r := &helloRig{c: c, req: frame.AppendHeaders(nil, 3, true, true, eb.Bytes()), id: 3}
	r.out = c.AppendOutput(make([]byte, 0, 64<<10))
	return r
}

// batch sends n requests in one Feed (like -m32) and drains the output.
func (r *helloRig) batch(tb testing.TB, in []byte, n int) []byte {
	in = in[:0]
	for range n {
		r.id += 2
		in = append(in, r.req...)
		id := r.id
		in[len(in)-len(r.req)+5] = byte(id >> 24)
		in[len(in)-len(r.req)+6] = byte(id >> 16)
		in[len(in)-len(r.req)+7] = byte(id >> 8)
		in[len(in)-len(r.req)+8] = byte(id)
	}
	if err := r.c.Feed(in); err != nil {
		tb.Fatal(err)
	}
	r.out = r.c.AppendOutput(r.out[:0])
	return in
}

// TestDownloadVecZeroAllocs: streaming a SetBodyBytes body through
// AppendOutputVec allocates nothing once warm.
func TestDownloadVecZeroAllocs(t *testing.T) {
	r := newHelloRig(t)
	r.c.h.(*helloHandler).body = make([]byte, 100000)
	r.c.changeInitialWindow(1<<31 - 1)
	in := make([]byte, 0, 64)
	var bufs [][]byte
	run := func() {
		in = r.batch(t, in, 1)
		for r.c.WantWrite() {
			bufs = r.c.AppendOutputVec(bufs[:0])
		}
		r.c.sendWindow = 1<<31 - 1
	}
	for range 20 {
		run()
	}
	if allocs := testing.AllocsPerRun(50, run); allocs != 0 {
		t.Fatalf("%v allocations per 100 kB response", allocs)
	}
}

// TestHelloZeroAllocs: once warm, a request on the hello path (HEADERS in,
// handler answers with a 12-byte body, HEADERS+DATA out) allocates nothing.
func TestHelloZeroAllocs(t *testing.T) {
	r := newHelloRig(t)
	in := make([]byte, 0, 32*64)
	for range 100 {
		in = r.batch(t, in, 32)
	}
	allocs := testing.AllocsPerRun(200, func() { in = r.batch(t, in, 32) })
	if allocs != 0 {
		t.Fatalf("%v allocations per batch of 32 requests", allocs)
	}
	// And the answers are real: 32 HEADERS + 32 DATA with END_STREAM.
	in = r.batch(t, in, 32)
	var nh, nd int
	for b := r.out; len(b) > 0; {
		h, _, n, err := frame.ReadFrame(b, 1<<20)
		if err != nil || n == 0 {
			t.Fatalf("bad output: %v", err)
		}
		switch h.Type {
		case frame.TypeHeaders:
			nh++
		case frame.TypeData:
			if h.Length != 12 || !h.Flags.Has(frame.FlagEndStream) {
				t.Fatalf("DATA %+v", h)
			}
			nd++
		}
		b = b[n:]
	}
	if nh != 32 || nd != 32 {
		t.Fatalf("%d HEADERS, %d DATA", nh, nd)
	}
	if r.c.OpenStreams() != 0 {
		t.Fatalf("%d streams left open", r.c.OpenStreams())
	}
}

// BenchmarkHello measures the engine alone on the hello path, 32 requests
// per Feed (h2load -m32). ns/op is per request.
func BenchmarkHello(b *testing.B) {
	r := newHelloRig(b)
	in := make([]byte, 0, 32*64)
	for range 100 {
		in = r.batch(b, in, 32)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 32 {
		in = r.batch(b, in, 32)
	}
}

// BenchmarkDownload measures DATA output of a 1 MiB SetBodyBytes body with
// the peer's windows wide open, copied into one buffer (AppendOutput) and
// referenced for writev (AppendOutputVec). ns/op is per MiB.
func BenchmarkDownload(b *testing.B) {
	b.ReportAllocs()
	body := make([]byte, 1<<20)
	for _, vec := range []bool{false, true} {
		name := "copy"
		if vec {
			name = "vec"
		}
		b.Run(name, func(b *testing.B) {
			r := newHelloRig(b)
			r.c.h.(*helloHandler).body = body
			r.c.changeInitialWindow(1<<31 - 1)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			in := make([]byte, 0, 64)
			var bufs [][]byte
			n := 0
			for b.Loop() {
				in = r.batch(b, in, 1)
				for r.c.WantWrite() {
					if vec {
						bufs = r.c.AppendOutputVec(bufs[:0])
						for _, p := range bufs {
							n += len(p)
						}
					} else {
						r.out = r.c.AppendOutput(r.out[:0])
						n += len(r.out)
					}
				}
				r.c.sendWindow = 1<<31 - 1
			}
			if n < len(body) {
				b.Fatal("no output")
			}
		})
	}
}

// TestUploadZeroAllocs: a POST with a 1000-byte body (HEADERS + DATA in,
// WINDOW_UPDATEs and the response out) allocates nothing once warm either.
func TestUploadZeroAllocs(t *testing.T) {
	r := newHelloRig(t)
	var eb bytes.Buffer
	enc := xhpack.NewEncoder(&eb)
	block := func() []byte {
		eb.Reset()
		for _, kv := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/upload"},
			{":authority", "127.0.0.1:8080"}, {"content-length", "1000"}} {
			enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
		}
		return append([]byte(nil), eb.Bytes()...)
	}
	first := block() // literals that fill the peer's (and our) tables
	blk := block()   // the same fields, now all indexed
	body := make([]byte, 1000)
	var in []byte
	id := r.id + 2
	in = frame.AppendHeaders(in, id, false, true, first)
	in = frame.AppendData(in, id, true, body)
	if err := r.c.Feed(in); err != nil {
		t.Fatal(err)
	}
	run := func() {
		in = in[:0]
		for range 8 {
			id += 2
			in = frame.AppendHeaders(in, id, false, true, blk)
			in = frame.AppendData(in, id, true, body)
		}
		if err := r.c.Feed(in); err != nil {
			t.Fatal(err)
		}
		r.out = r.c.AppendOutput(r.out[:0])
	}
	for range 200 {
		run()
	}
	if allocs := testing.AllocsPerRun(100, run); allocs != 0 {
		t.Fatalf("%v allocations per batch of 8 uploads", allocs)
	}
	if r.c.OpenStreams() != 0 {
		t.Fatalf("%d streams left open", r.c.OpenStreams())
	}
}
