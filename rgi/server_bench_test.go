package rgi

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// memConn is an in-memory connection that delivers the same request n
// times, one per Read (as a keep-alive client waiting for each response
// does), then EOF, and discards what is written. It allocates nothing, so
// allocation counts of a server driven through it are the server's own.
type memConn struct {
	req     []byte
	n       int
	written int64
}

var memAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

func (c *memConn) Read(p []byte) (int, error) {
	if c.n == 0 {
		return 0, io.EOF
	}
	c.n--
	return copy(p, c.req), nil
}
func (c *memConn) Write(p []byte) (int, error)      { c.written += int64(len(p)); return len(p), nil }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return memAddr }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// wrkRequest is the request wrk sends.
var wrkRequest = []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")

func benchOptions() *Options {
	o := testOptions()
	o.MaxRequestsPerConnection = 1 << 30
	o.DisableDate = false // the default: the date costs no allocation either
	return o
}

// TestServeConnAllocsPerRequest: once warm, a request costs the server no
// allocation (the app here allocates nothing either). Per-connection costs
// (the Session) are cancelled out by comparing 100 and 300 requests.
func TestServeConnAllocsPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	s, err := NewConnServer(hello, benchOptions())
	if err != nil {
		t.Fatal(err)
	}
	run := func(n int) float64 {
		return testing.AllocsPerRun(20, func() {
			c := &memConn{req: wrkRequest, n: n}
			s.ServeConn(c, nil)
			if c.written != int64(n*(len(helloResponse)+len("date: Sun, 06 Dec 2026 14:00:00 GMT\r\n"))) {
				t.Fatalf("wrote %d bytes for %d requests", c.written, n)
			}
		})
	}
	// Tolerance: a GC may empty the connection pool, and refilling it
	// allocates once per connection, whatever the number of requests.
	run(10) // warm the pool and the interner
	a, b := run(1000), run(3000)
	if b-a > 2 {
		t.Fatalf("%.4f allocations per request (%v for 1000, %v for 3000)", (b-a)/2000, a, b)
	}
	// A chunked upload read by the app, and a header set that changes
	// nothing but the interned values: still nothing per request.
	buf := make([]byte, 64) // the app's own buffer, allocated once
	read := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		return Response{Status: 204, Reason: "No Content"}
	})
	s2, _ := NewConnServer(read, benchOptions())
	req := []byte("POST /up?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nUser-Agent: t\r\n\r\n5;k=v\r\nhello\r\n0\r\n\r\n")
	run2 := func(n int) float64 {
		return testing.AllocsPerRun(20, func() { s2.ServeConn(&memConn{req: req, n: n}, nil) })
	}
	run2(10)
	a, b = run2(1000), run2(3000)
	if b-a > 2 {
		t.Fatalf("chunked upload: %.4f allocations per request (%v for 1000, %v for 3000)", (b-a)/2000, a, b)
	}
}

// BenchmarkServeConn runs b.N hello requests through one connection.
func BenchmarkServeConn(b *testing.B) {
	s, _ := NewConnServer(hello, benchOptions())
	b.ReportAllocs()
	c := &memConn{req: wrkRequest, n: b.N}
	b.ResetTimer()
	s.ServeConn(c, nil)
}

// oneConnListener hands out one connection, then blocks until closed.
type oneConnListener struct {
	c    net.Conn
	once sync.Once
	done chan struct{}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.c })
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}
func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return memAddr }

type closeNotify struct {
	*memConn
	closed chan struct{}
}

func (c closeNotify) Close() error { close(c.closed); return nil }

// BenchmarkNetHTTPServeConn is the reference: Go's net/http serving the same
// hello response over the same in-memory connection.
func BenchmarkNetHTTPServeConn(b *testing.B) {
	body := []byte("hello, world")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	b.ReportAllocs()
	c := closeNotify{&memConn{req: wrkRequest, n: b.N}, make(chan struct{})}
	l := &oneConnListener{c: c, done: make(chan struct{})}
	srv := &http.Server{Handler: h}
	b.ResetTimer()
	go srv.Serve(l)
	<-c.closed
	b.StopTimer()
	close(l.done)
	srv.Close()
}
