package h2server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// client is a raw-frame HTTP/2 client over a real connection.
type client struct {
	t  *testing.T
	nc net.Conn
	fr *http2.Framer
}

func dialClient(t *testing.T, nc net.Conn) *client {
	t.Helper()
	c := &client{t: t, nc: nc}
	c.fr = http2.NewFramer(nc, nc)
	c.fr.ReadMetaHeaders = xhpack.NewDecoder(4096, nil)
	if _, err := io.WriteString(nc, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	c.fr.WriteSettings()
	return c
}

func (c *client) get(id uint32, path string) {
	c.t.Helper()
	var buf strings.Builder
	enc := xhpack.NewEncoder(&buf)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "t"}, {":path", path}} {
		enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: []byte(buf.String()), EndStream: true, EndHeaders: true}); err != nil {
		c.t.Fatal(err)
	}
}

// until reads frames until match returns true, answering SETTINGS and PING.
func (c *client) until(match func(http2.Frame) bool) http2.Frame {
	c.t.Helper()
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			c.t.Fatalf("reading: %v", err)
		}
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			c.fr.WriteSettingsAck()
		}
		if match(f) {
			return f
		}
		if pf, ok := f.(*http2.PingFrame); ok && !pf.IsAck() {
			c.fr.WritePing(true, pf.Data)
		}
	}
}

// TestInadequateSecurity: a TLS 1.2 connection that negotiated a cipher suite on
// RFC 9113's block list (possible only because the server's TLSConfig allowed
// it) gets SETTINGS then GOAWAY INADEQUATE_SECURITY (RFC 9113 §9.2.2).
func TestInadequateSecurity(t *testing.T) {
	cbc := tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	var rejects []string
	var mu sync.Mutex
	srv := &Server{Handler: echoFactory, OnReject: func(n reject.Name) { mu.Lock(); rejects = append(rejects, string(n)); mu.Unlock() },
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{testCert(t)}, CipherSuites: []uint16{cbc}}}
	startServer(t, srv, true)
	nc, err := tls.Dial("tcp", srv.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"},
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cbc}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if st := nc.ConnectionState(); st.CipherSuite != cbc || st.NegotiatedProtocol != "h2" {
		t.Fatalf("negotiated %s %q", tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol)
	}
	// The reply is exactly the server's SETTINGS and the GOAWAY, then the end
	// of the connection: a server that serves the connection instead sends
	// other frames and is caught at once, not after its idle timeout. The
	// deadline only bounds a server that sends nothing.
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := dialClient(t, nc)
	if f, err := c.fr.ReadFrame(); err != nil {
		t.Fatalf("reading SETTINGS: %v", err)
	} else if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
		t.Fatalf("first frame %v, want SETTINGS", f)
	}
	f, err := c.fr.ReadFrame()
	if err != nil {
		t.Fatalf("reading GOAWAY: %v", err)
	}
	if ga, ok := f.(*http2.GoAwayFrame); !ok || ga.ErrCode != http2.ErrCodeInadequateSecurity {
		t.Fatalf("second frame %v, want GOAWAY INADEQUATE_SECURITY", f)
	}
	if f, err := c.fr.ReadFrame(); err != io.EOF {
		t.Errorf("after the GOAWAY: %v, %v; want EOF", f, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(rejects) != 1 || rejects[0] != "inadequate_security" {
		t.Errorf("rejects %v", rejects)
	}
}

// TestTLSDefaults: the server's TLS configuration offers h2 and http/1.1, TLS
// 1.2 at least, and only AEAD ephemeral TLS 1.2 suites.
func TestTLSDefaults(t *testing.T) {
	c := tlsConfig(nil)
	if strings.Join(c.NextProtos, ",") != "h2,http/1.1" || c.MinVersion != tls.VersionTLS12 {
		t.Errorf("NextProtos %v MinVersion %x", c.NextProtos, c.MinVersion)
	}
	for _, s := range c.CipherSuites {
		name := tls.CipherSuiteName(s)
		if !strings.Contains(name, "ECDHE") || !(strings.Contains(name, "GCM") || strings.Contains(name, "CHACHA20")) {
			t.Errorf("prohibited suite %s offered", name)
		}
	}
	c = tlsConfig(&tls.Config{NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS10})
	if c.NextProtos[0] != "h2" || c.MinVersion != tls.VersionTLS12 {
		t.Errorf("user config not fixed: %v %x", c.NextProtos, c.MinVersion)
	}
	if inadequateSecurity(tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}) ||
		!inadequateSecurity(tls.ConnectionState{Version: tls.VersionTLS12, CipherSuite: tls.TLS_RSA_WITH_AES_128_GCM_SHA256}) {
		t.Error("inadequateSecurity misclassifies")
	}
}

// TestHTTP1Hook: a cleartext HTTP/1.1 request and a TLS connection with ALPN
// http/1.1 go to the hook, with the bytes already read.
func TestHTTP1Hook(t *testing.T) {
	got := make(chan string, 2)
	hook := func(nc net.Conn, buffered []byte) {
		defer nc.Close()
		r := bufio.NewReader(PrefixConn(nc, buffered))
		line, _ := r.ReadString('\n')
		_, isTLS := nc.(*tls.Conn)
		got <- line + map[bool]string{true: " tls", false: " clear"}[isTLS]
		io.WriteString(nc, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
	}
	for _, tlsOn := range []bool{false, true} {
		srv := &Server{Handler: echoFactory}
		srv.SetHTTP1Server(hookServer(hook))
		startServer(t, srv, tlsOn)
		var nc net.Conn
		var err error
		if tlsOn {
			nc, err = tls.Dial("tcp", srv.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
		} else {
			nc, err = net.Dial("tcp", srv.Addr().String())
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(nc, "GET /legacy HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, _ := io.ReadAll(nc)
		nc.Close()
		want := "GET /legacy HTTP/1.1\r\n clear"
		if tlsOn {
			want = "GET /legacy HTTP/1.1\r\n tls"
		}
		if g := <-got; g != want || !strings.HasPrefix(string(resp), "HTTP/1.1 204") {
			t.Errorf("hook saw %q, client got %q", g, resp)
		}
	}
}

// TestDefault505AndInvalidPreface: without a hook, HTTP/1.1 gets 505 with an
// explanation; an opening that is neither h2 nor HTTP/1.x is closed silently
// (RFC 9113 §3.4).
func TestDefault505AndInvalidPreface(t *testing.T) {
	srv := &Server{Handler: echoFactory}
	startServer(t, srv, false)
	for _, tc := range []struct{ send, want string }{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
		{"INVALID CONNECTION PREFACE\r\n\r\n", ""},
	} {
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(nc, tc.send)
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(nc)
		nc.Close()
		if !strings.HasPrefix(string(b), tc.want) || (tc.want == "" && len(b) != 0) {
			t.Errorf("%q: got %q", tc.send, b)
		}
		if tc.want != "" && !strings.Contains(string(b), "HTTP/2 only") {
			t.Errorf("505 body lacks an explanation: %q", b)
		}
	}
}

// gate is a handler whose responses wait until release is closed (answered
// from another goroutine, as slow handlers do).
type gate struct {
	handler.BaseRequestHandler
	release chan struct{}
	started chan struct{}
	closed  chan handler.ErrCode
}

func (g *gate) OnHeaders(s *handler.Stream) {
	g.started <- struct{}{}
	go func() {
		<-g.release
		s.SendResponse(200, nil, "released")
	}()
}

func (g *gate) OnClose(_ *handler.Stream, code handler.ErrCode) { g.closed <- code }

// TestGracefulShutdown: Shutdown sends GOAWAY(2^31-1) and a PING, then the
// final GOAWAY with the last stream processed; the stream in flight still
// completes; Shutdown returns once the connection has closed (RFC 9113 §6.8).
func TestGracefulShutdown(t *testing.T) {
	g := &gate{release: make(chan struct{}), started: make(chan struct{}, 1), closed: make(chan handler.ErrCode, 1)}
	srv := &Server{Handler: func(*handler.Stream) handler.RequestHandler { return g }}
	srv.Config.ShutdownDelay = 50 * time.Millisecond
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := dialClient(t, nc)
	c.get(1, "/slow")
	<-g.started
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	first := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.GoAwayFrame); return ok }).(*http2.GoAwayFrame)
	if first.LastStreamID != 1<<31-1 || first.ErrCode != http2.ErrCodeNo {
		t.Errorf("first GOAWAY last=%d code=%v", first.LastStreamID, first.ErrCode)
	}
	second := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.GoAwayFrame); return ok }).(*http2.GoAwayFrame)
	if second.LastStreamID != 1 {
		t.Errorf("final GOAWAY last stream %d, want 1", second.LastStreamID)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a stream in flight", err)
	default:
	}
	close(g.release)
	d := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.DataFrame); return ok }).(*http2.DataFrame)
	if string(d.Data()) != "released" {
		t.Errorf("data %q", d.Data())
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if code := <-g.closed; code != handler.NoError {
		t.Errorf("OnClose %v", code)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}

// TestShutdownContext: when ctx ends before a stream finishes, Shutdown closes
// the connection, the handler gets OnClose(CANCEL), and ctx's error returns.
func TestShutdownContext(t *testing.T) {
	g := &gate{release: make(chan struct{}), started: make(chan struct{}, 1), closed: make(chan handler.ErrCode, 1)}
	defer close(g.release)
	srv := &Server{Handler: func(*handler.Stream) handler.RequestHandler { return g }}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := dialClient(t, nc)
	c.get(1, "/never")
	<-g.started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want DeadlineExceeded", err)
	}
	if code := <-g.closed; code != handler.Cancel {
		t.Errorf("OnClose %v, want CANCEL", code)
	}
}

// TestAddrPortZero: listening on port 0 reports the port picked.
func TestAddrPortZero(t *testing.T) {
	srv := &Server{Handler: echoFactory, Address: "127.0.0.1:0"}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	for i := 0; srv.Addr() == nil && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	a, ok := srv.Addr().(*net.TCPAddr)
	if !ok || a.Port == 0 {
		t.Fatalf("Addr %v", srv.Addr())
	}
	srv.Close()
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe: %v", err)
	}
}

// relayConn is the client end of a net.Pipe whose incoming bytes are read
// eagerly into a buffer by a goroutine (as a kernel socket buffer would), so that
// the server's writes do not wait for the test to read; stop makes the relay stop
// reading, like a peer that stopped reading its socket.
type relayConn struct {
	net.Conn
	out     chan []byte // writes, sent by a goroutine so they never wait for the server
	mu      sync.Mutex
	cond    sync.Cond
	buf     []byte
	err     error
	stopped bool
}

func newRelay(c net.Conn) *relayConn {
	r := &relayConn{Conn: c, out: make(chan []byte, 1024)}
	r.cond.L = &r.mu
	go func() {
		for b := range r.out {
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	}()
	go func() {
		b := make([]byte, 32<<10)
		for {
			r.mu.Lock()
			for r.stopped || len(r.buf) >= 64<<10 {
				r.cond.Wait()
			}
			r.mu.Unlock()
			n, err := c.Read(b)
			r.mu.Lock()
			r.buf = append(r.buf, b[:n]...)
			r.err = err
			r.cond.Broadcast()
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *relayConn) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) == 0 && r.err == nil {
		r.cond.Wait()
	}
	if len(r.buf) == 0 {
		return 0, r.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.cond.Broadcast()
	return n, nil
}

// Close closes the pipe and lets the relay goroutine end.
func (r *relayConn) Close() error {
	close(r.out)
	err := r.Conn.Close()
	r.mu.Lock()
	r.stopped = false
	r.buf = nil
	r.cond.Broadcast()
	r.mu.Unlock()
	return err
}

func (r *relayConn) Write(p []byte) (int, error) {
	r.out <- append([]byte(nil), p...)
	return len(p), nil
}

func (r *relayConn) stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// TestTimeouts uses testing/synctest's fake clock over net.Pipe: a client that
// sends nothing is dropped after HandshakeTimeout; a connection with no stream is
// sent GOAWAY NO_ERROR after IdleTimeout; a client that stops reading is
// disconnected after WriteTimeout.
func TestTimeouts(t *testing.T) {
	t.Run("preface", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := &Server{Handler: echoFactory}
			cli, sc := net.Pipe()
			go srv.ServeConn(sc)
			start := time.Now()
			n, err := cli.Read(make([]byte, 1))
			if n != 0 || err == nil {
				t.Fatalf("read %d, %v", n, err)
			}
			if d := time.Since(start); d != DefaultHandshakeTimeout {
				t.Errorf("closed after %v, want %v", d, DefaultHandshakeTimeout)
			}
		})
	})
	t.Run("idle", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := &Server{Handler: echoFactory}
			srv.Config.IdleTimeout = time.Minute
			pc, sc := net.Pipe()
			go srv.ServeConn(sc)
			cli := newRelay(pc)
			c := dialClient(t, cli)
			start := time.Now()
			f := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.GoAwayFrame); return ok }).(*http2.GoAwayFrame)
			if f.ErrCode != http2.ErrCodeNo || time.Since(start) != time.Minute {
				t.Errorf("GOAWAY %v after %v", f.ErrCode, time.Since(start))
			}
			cli.Close()
		})
	})
	t.Run("write stall", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			big := strings.Repeat("x", 1<<20)
			srv := &Server{Handler: handler.FactoryFunc(func(s *handler.Stream) { s.SendResponse(200, nil, big) })}
			srv.Config.WriteTimeout = 5 * time.Second
			srv.Config.SettingsAckTimeout = -1
			pc, sc := net.Pipe()
			done := make(chan struct{})
			go func() { srv.ServeConn(sc); close(done) }()
			cli := newRelay(pc)
			c := dialClient(t, cli)
			c.fr.WriteWindowUpdate(0, 1<<30)
			c.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 30})
			c.get(1, "/big")
			// Read the first DATA frame, then stop reading.
			c.until(func(f http2.Frame) bool { _, ok := f.(*http2.DataFrame); return ok })
			cli.stop()
			start := time.Now()
			<-done
			if d := time.Since(start); d < 5*time.Second || d > 6*time.Second {
				t.Errorf("connection closed %v after the peer stopped reading, want ~5s", d)
			}
			cli.Close()
		})
	})
}

// TestServeErrors: a server without a handler, or with a limit outside its RFC
// range, refuses to serve.
func TestServeErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := (&Server{}).Serve(ln); !errors.Is(err, ErrNoHandler) {
		t.Errorf("no handler: %v", err)
	}
	ln, _ = net.Listen("tcp", "127.0.0.1:0")
	srv := &Server{Handler: echoFactory}
	srv.Config.MaxFrameSize = 1000 // below 16384 (RFC 9113 §6.5.2)
	if err := srv.Serve(ln); err == nil || errors.Is(err, ErrServerClosed) {
		t.Errorf("bad MaxFrameSize: %v", err)
	}
}
