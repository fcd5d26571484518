package static

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
)

// scriptConn is an in-memory connection that delivers its requests one per
// Read, as a client waiting for each response does, then EOF, and keeps
// what is written.
type scriptConn struct {
	reqs []string
	out  bytes.Buffer
}

var scriptAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

func (c *scriptConn) Read(p []byte) (int, error) {
	if len(c.reqs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.reqs[0])
	c.reqs = c.reqs[1:]
	return n, nil
}
func (c *scriptConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return scriptAddr }
func (c *scriptConn) RemoteAddr() net.Addr             { return scriptAddr }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// mutatingApp wraps an app and, for requests carrying "x-mutate", changes
// the response's header map in place, as the RGI contract lets a wrapping
// app do.
type mutatingApp struct{ rgi.App }

func (a mutatingApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	resp := a.App.Serve(s, r, b)
	if r.Headers["x-mutate"] != "" {
		resp.Headers["x-added"] = "1"
		resp.Headers["content-type"] = "application/x-changed"
	}
	return resp
}

// TestRGIKeepAliveMatchesFresh: on one keep-alive connection (where rgi
// repeats response heads and lends the app the map of the previous
// response back), every response is byte for byte the one a fresh
// connection gets for the same request (where everything is rendered
// anew): repeated GETs of a cached small file, HEAD, a Range, a 304, a
// 404, a large file, and responses whose map a wrapping app changed,
// before and after unchanged ones.
func TestRGIKeepAliveMatchesFresh(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/hello.txt", "hello, world")
	write(t, dir+"/big.bin", strings.Repeat("x", 300<<10))
	s, err := New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := rgi.DefaultOptions()
	o.DisableDate = true // the same bytes on every connection
	srv, err := rgi.NewConnServer(mutatingApp{s.App()}, &o)
	if err != nil {
		t.Fatal(err)
	}
	get := func(target, extra string) string {
		return "GET " + target + " HTTP/1.1\r\nhost: x\r\n" + extra + "\r\n"
	}
	reqs := []string{
		get("/hello.txt", ""),
		get("/hello.txt", ""),
		get("/hello.txt", "x-mutate: 1\r\n"),
		get("/hello.txt", ""),
		get("/hello.txt", ""),
		"HEAD /hello.txt HTTP/1.1\r\nhost: x\r\n\r\n",
		get("/hello.txt", ""),
		get("/hello.txt", "range: bytes=2-4\r\n"),
		get("/hello.txt", ""),
		get("/hello.txt", "if-modified-since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"),
		get("/hello.txt", ""),
		get("/missing", ""),
		get("/missing", "x-mutate: 1\r\n"),
		get("/missing", ""),
		get("/big.bin", ""),
		get("/hello.txt", "x-mutate: 1\r\n"),
		get("/hello.txt", "x-mutate: 1\r\n"),
		get("/hello.txt", ""),
	}
	var fresh bytes.Buffer
	for _, r := range reqs {
		c := &scriptConn{reqs: []string{r}}
		srv.ServeConn(c, nil)
		fresh.Write(c.out.Bytes())
	}
	c := &scriptConn{reqs: reqs}
	srv.ServeConn(c, nil)
	if got, want := c.out.String(), fresh.String(); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("keep-alive and fresh connections differ at byte %d:\n got ...%q\nwant ...%q", i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
	}
	if n := strings.Count(fresh.String(), "HTTP/1.1 "); n != len(reqs) {
		t.Fatalf("%d responses for %d requests", n, len(reqs))
	}
	if n := strings.Count(fresh.String(), "x-added: 1"); n != 4 {
		t.Fatalf("%d changed responses, want 4", n)
	}
}

// TestRGISmallFileAllocs: a cached small file answered through rgi's
// HTTP/1.1 server costs no allocation once warm (the response map comes
// back from the connection, the head is repeated, the body boxed once).
func TestRGISmallFileAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := smallSite(t)
	o := rgi.DefaultOptions()
	o.MaxRequestsPerConnection = 1 << 30
	srv, err := rgi.NewConnServer(s.App(), &o)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET /hello.txt HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n"
	run := func(n int) float64 {
		reqs := make([]string, n)
		for i := range reqs {
			reqs[i] = req
		}
		c := &scriptConn{reqs: reqs}
		c.out.Grow(n * 300)
		return testing.AllocsPerRun(1, func() {
			c.reqs = reqs
			c.out.Reset()
			srv.ServeConn(c, nil)
		})
	}
	run(10)
	if a, b := run(100), run(1100); b-a > 2 {
		t.Fatalf("%.4f allocations per request (%v for 100, %v for 1100)", (b-a)/1000, a, b)
	}
}
