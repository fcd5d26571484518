package handler

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

var (
	helloBody   any = []byte("hello, world")
	helloHeader     = []hpack.HeaderField{{Name: "content-type", Value: "text/plain; charset=utf-8"}}
)

// helloConn is a warmed-up connection serving "hello, world" and a function that
// runs one complete request/response on it through the scripted peer: the
// request HEADERS (as h2load sends them after the first, all indexed) plus a
// connection WINDOW_UPDATE returning the previous response's bytes are fed, the
// handler answers from OnHeaders, the output is taken.
func helloConn(tb testing.TB) func() { return helloConnOpts(tb, Options{ReuseStreams: true}) }

func helloConnOpts(tb testing.TB, opts Options) func() {
	p := newPeer(tb, h2conn.Config{}, FactoryFunc(func(s *Stream) {
		s.SendResponse(200, helloHeader, helloBody)
	}), opts)
	p.handshake()
	// Encode the request twice so that the second block uses the dynamic
	// table entries the first one created, like a real client's later requests.
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	fields := []xhpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "127.0.0.1:8080"}, {Name: ":path", Value: "/hello.txt"},
		{Name: "user-agent", Value: "h2load nghttp2/1.52.0"}, {Name: "accept-encoding", Value: "gzip, deflate"}}
	for _, f := range fields {
		enc.WriteField(f)
	}
	p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	p.flush()
	p.readResponse(1)
	hb.Reset()
	for _, f := range fields {
		enc.WriteField(f)
	}
	var req bytes.Buffer
	fr := http2.NewFramer(&req, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	fr.WriteWindowUpdate(0, 12)
	in := req.Bytes()
	eng := p.c.engine()
	out := make([]byte, 0, 4096)
	id := uint32(3)
	return func() {
		binary.BigEndian.PutUint32(in[5:9], id)
		id += 2
		if err := eng.Feed(in); err != nil {
			tb.Fatal(err)
		}
		p.c.RunPending()
		for eng.WantWrite() {
			out = eng.AppendOutput(out[:0])
		}
		if len(out) == 0 {
			tb.Fatal("no response")
		}
	}
}

// TestHelloZeroAllocs: once warm, a request answered from OnHeaders with a
// []byte body costs no allocation in the handler layer and the engine together
// (ReuseStreams on, as h2demo runs).
func TestHelloZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	run := helloConn(t)
	for range 100 {
		run()
	}
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Errorf("%v allocations per request, want 0", n)
	}
}

// BenchmarkHello measures one h2c "hello, world" request/response through the
// engine and the handler layer (no sockets).
func BenchmarkHello(b *testing.B) {
	run := helloConn(b)
	for range 100 {
		run()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}

// BenchmarkDownload1M measures serving a 1 MiB []byte body through the engine
// and the handler layer (no sockets): the cost of framing and copying.
func BenchmarkDownload1M(b *testing.B) {
	body := any(bytes.Repeat([]byte("a"), 1<<20))
	p := newPeer(b, h2conn.Config{}, FactoryFunc(func(s *Stream) {
		s.SendResponse(200, nil, body)
	}), Options{ReuseStreams: true})
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1<<31 - 1})
	eng := p.c.engine()
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	enc.WriteField(xhpack.HeaderField{Name: ":method", Value: "GET"})
	enc.WriteField(xhpack.HeaderField{Name: ":scheme", Value: "http"})
	enc.WriteField(xhpack.HeaderField{Name: ":authority", Value: "a"})
	enc.WriteField(xhpack.HeaderField{Name: ":path", Value: "/1m"})
	var req bytes.Buffer
	fr := http2.NewFramer(&req, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	fr.WriteWindowUpdate(0, 1<<20)
	in := req.Bytes()
	out := make([]byte, 0, 512<<10)
	id := uint32(1)
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		binary.BigEndian.PutUint32(in[5:9], id)
		id += 2
		if err := eng.Feed(in); err != nil {
			b.Fatal(err)
		}
		p.c.RunPending()
		for eng.WantWrite() {
			out = eng.AppendOutput(out[:0])
		}
	}
}

// TestHelloAllocsDefault: without ReuseStreams a request costs exactly three
// allocations: the Stream, and the private copy of its request strings and
// header fields (which therefore stay valid after OnClose).
func TestHelloAllocsDefault(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	run := helloConnOpts(t, Options{})
	for range 100 {
		run()
	}
	if n := testing.AllocsPerRun(1000, run); n != 3 {
		t.Errorf("%v allocations per request, want 3", n)
	}
}
