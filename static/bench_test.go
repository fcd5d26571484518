package static

import (
	"maps"

	"bytes"
	"encoding/binary"
	"github.com/h2kit/h2kit/rgi"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// nativeRequest returns a function that runs one GET of path through a warm
// HTTP/2 connection served by f (ReuseStreams on, as h2demo runs): the request
// HEADERS (encoded a second time, so mostly indexed, as a real client's later
// requests are) and a connection WINDOW_UPDATE returning the previous
// response's bytes are fed to the engine, and the output is taken.
func nativeRequest(tb testing.TB, f handler.Factory, path string, bodyLen uint32) func() {
	return nativeRequests(tb, f, path, bodyLen, 1)
}

// nativeRequests is nativeRequest for n requests per input, as a client
// with n requests in flight sends them (h2load -m10): n HEADERS frames and
// one WINDOW_UPDATE for the n previous responses in one Input, then one
// Flush.
func nativeRequests(tb testing.TB, f handler.Factory, path string, bodyLen uint32, n int) func() {
	d, err := driver.New(h2conn.Config{}, f, handler.ConnInfo{}, handler.Options{ReuseStreams: true}, func() {})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close(frame.ErrCodeCancel) })
	now := time.Now()
	if err := d.Start(now, nil); err != nil {
		tb.Fatal(err)
	}
	var in bytes.Buffer
	wfr := http2.NewFramer(&in, nil)
	in.WriteString(http2.ClientPreface)
	wfr.WriteSettings()
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	fields := []xhpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "127.0.0.1:8080"}, {Name: ":path", Value: path},
		{Name: "user-agent", Value: "h2load nghttp2/1.52.0"}, {Name: "accept-encoding", Value: "gzip, deflate"}}
	for _, f := range fields {
		enc.WriteField(f)
	}
	wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	out := new(countWriter)
	step := func(b []byte) {
		if err := d.Input(now, b); err != nil {
			tb.Fatal(err)
		}
		out.n = 0
		if err := d.Flush(out); err != nil || out.n == 0 {
			tb.Fatal("no response", err)
		}
	}
	step(in.Bytes())
	hb.Reset()
	for _, f := range fields {
		enc.WriteField(f)
	}
	// The block is all indexed now, so sending it again leaves the
	// server's decoder as it was: n copies are n valid requests.
	var req bytes.Buffer
	fr := http2.NewFramer(&req, nil)
	var idAt []int
	for range n {
		idAt = append(idAt, req.Len()+5)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	}
	fr.WriteWindowUpdate(0, bodyLen*uint32(n))
	b := req.Bytes()
	id := uint32(3)
	return func() {
		for _, at := range idAt {
			binary.BigEndian.PutUint32(b[at:at+4], id)
			id += 2
		}
		step(b)
	}
}

// countWriter counts the bytes the driver writes.
type countWriter struct{ n int }

func (w *countWriter) WriteBatch(b []byte) error {
	w.n += len(b)
	return nil
}

func smallSite(tb testing.TB) *Server {
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, world"), 0o644); err != nil {
		tb.Fatal(err)
	}
	s, err := New(dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSmallFileCached: a 12-byte file answered from the open-file cache
// through the native handler path and the HTTP/2 engine.
func BenchmarkSmallFileCached(b *testing.B) {
	run := nativeRequest(b, smallSite(b).Handler(), "/hello.txt", 12)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// BenchmarkSmallFileCachedBatch10 is BenchmarkSmallFileCached with ten
// requests per input, as h2load -m10 sends them; an op is ten requests.
func BenchmarkSmallFileCachedBatch10(b *testing.B) {
	run := nativeRequests(b, smallSite(b).Handler(), "/hello.txt", 12, 10)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// BenchmarkResolveSmall: the protocol-neutral core alone.
func BenchmarkResolveSmall(b *testing.B) {
	s := smallSite(b)
	r := Request{Method: "GET", Target: "/hello.txt", AcceptEncoding: "gzip, deflate"}
	b.ReportAllocs()
	for b.Loop() {
		resp := s.Resolve(&r)
		resp.Release()
	}
}

// TestSmallFileCachedAllocs: once warm, a small cached file costs no
// allocation in the static server, the handler layer and the engine together
// (no open, stat or read either: the revalidation interval has not passed).
func TestSmallFileCachedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, batch := range []int{1, 10} {
		run := nativeRequests(t, smallSite(t).Handler(), "/hello.txt", 12, batch)
		for range 100 {
			run()
		}
		if n := testing.AllocsPerRun(1000, run); n > 0 {
			t.Fatalf("%v allocations per %d requests, want 0", n, batch)
		}
	}
}

// BenchmarkRGIAppSmall: a 12-byte file answered by the RGI app (the HTTP/1.1
// front end) without the wire: the response map is a clone of the one
// precomputed for the cached file.
func BenchmarkRGIAppSmall(b *testing.B) {
	app := smallSite(b).App()
	sess := &rgi.Session{Store: map[string]any{}}
	req := &rgi.Request{Method: "GET", URI: "/hello.txt", Headers: map[string]string{"accept-encoding": "gzip"}}
	b.ReportAllocs()
	for b.Loop() {
		app.Serve(sess, req, rgi.Bodies{})
	}
}

// TestRGIHeadersOwned: each RGI response gets its own header map (an app
// wrapping this one may change it), although the maps are precomputed.
func TestRGIHeadersOwned(t *testing.T) {
	app := smallSite(t).App()
	sess := &rgi.Session{Store: map[string]any{}}
	for _, target := range []string{"/hello.txt", "/missing"} {
		req := &rgi.Request{Method: "GET", URI: target, Headers: map[string]string{}}
		first := app.Serve(sess, req, rgi.Bodies{})
		want := maps.Clone(first.Headers)
		first.Headers["x-added"] = "1"
		first.Headers["content-type"] = "changed"
		second := app.Serve(sess, req, rgi.Bodies{})
		if !maps.Equal(second.Headers, want) {
			t.Errorf("%s: second response headers %v, want %v", target, second.Headers, want)
		}
	}
}
