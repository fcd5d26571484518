package main

import (
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// memConn is an in-memory connection that delivers the same request n
// times, one per Read (as a keep-alive client waiting for each response
// does: wrk -c10 sends the next request once the response arrived), then
// EOF, and counts what is written. It allocates nothing, so allocation
// counts of a server driven through it are the server's own.
type memConn struct {
	req     []byte
	alt     []byte // when set, every other request is alt
	n       int
	written int64
}

var memAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

func (c *memConn) Read(p []byte) (int, error) {
	if c.n == 0 {
		return 0, io.EOF
	}
	c.n--
	if c.alt != nil && c.n%2 == 1 {
		return copy(p, c.alt), nil
	}
	return copy(p, c.req), nil
}
func (c *memConn) Write(p []byte) (int, error)      { c.written += int64(len(p)); return len(p), nil }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return memAddr }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// wrkFileRequest is the request wrk sends for the benchmark's small file.
var wrkFileRequest = []byte("GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")

// http1FileServer returns an h2server.Server wired as h2demo -quiet -root
// wires its cleartext port (the RGI fallback serving siteApp over the
// static.Server's app), for a directory holding the 12-byte hello.txt.
func http1FileServer(tb testing.TB) *h2server.Server {
	root := tb.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello, world"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "world.txt"), []byte("world, hello"), 0o644); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	d, err := newDemo(root, false, log, true)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	srv := &h2server.Server{Handler: d.factory, Config: h2server.Config{ReuseStreams: true}, Logger: log}
	opts := rgi.DefaultOptions()
	opts.Logger = log
	opts.MaxRequestsPerConnection = 1 << 30
	if err := rgih2.Fallback(srv, newSiteApp(d, "HTTP/1.1"), &opts); err != nil {
		tb.Fatal(err)
	}
	return srv
}

// BenchmarkHTTP1SmallFile: wrk's keep-alive GET of a 12-byte file through
// the whole HTTP/1.1 path of h2demo -root (h2server's sniffing, the rgih2
// fallback, rgi's connection loop, siteApp, static's RGI app, the response
// head), one request at a time on one connection, without the kernel.
func BenchmarkHTTP1SmallFile(b *testing.B) {
	srv := http1FileServer(b)
	warm := &memConn{req: wrkFileRequest, n: 1}
	srv.ServeConn(warm) // fills the cache; the length of one response
	b.ReportAllocs()
	c := &memConn{req: wrkFileRequest, n: b.N}
	b.ResetTimer()
	srv.ServeConn(c)
	b.StopTimer()
	if want := int64(b.N) * warm.written; c.written != want {
		b.Fatalf("wrote %d bytes for %d requests, want %d", c.written, b.N, want)
	}
}

// BenchmarkHTTP1SmallFilesAlternating: as BenchmarkHTTP1SmallFile, with
// every other request for another file, the case where no request or
// response head repeats the previous one on the connection.
func BenchmarkHTTP1SmallFilesAlternating(b *testing.B) {
	srv := http1FileServer(b)
	other := []byte("GET /world.txt HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
	srv.ServeConn(&memConn{req: wrkFileRequest, alt: other, n: 10})
	b.ReportAllocs()
	c := &memConn{req: wrkFileRequest, alt: other, n: b.N}
	b.ResetTimer()
	srv.ServeConn(c)
}

// TestHTTP1SmallFileAllocs: once warm, a keep-alive GET of a cached small
// file through h2demo -root's whole HTTP/1.1 path costs no allocation (the
// request rebuilt from the connection's memo, the response map lent back
// by rgi, the head repeated, the body boxed once per cached file).
func TestHTTP1SmallFileAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv := http1FileServer(t)
	run := func(n int) float64 {
		return testing.AllocsPerRun(5, func() { srv.ServeConn(&memConn{req: wrkFileRequest, n: n}) })
	}
	run(10)
	// Per-connection costs (the session, h2server's bookkeeping) cancel
	// out between the two counts.
	if a, b := run(100), run(1100); b-a > 2 {
		t.Fatalf("%.4f allocations per request (%v for 100, %v for 1100)", (b-a)/1000, a, b)
	}
}
