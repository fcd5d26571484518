package h2server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// netHTTPFallback is the HTTP1Server of NetHTTP: one net/http server that
// accepts, from a listener fed by ServeConn, the connections srv hands over.
type netHTTPFallback struct {
	hs    *http.Server
	ln    handedListener
	start sync.Once

	mu      sync.Mutex
	serving map[net.Conn]chan struct{} // TLS connections net/http serves, closed when it is done with them

	closeOnce sync.Once
	closed    chan struct{} // Close: no ServeConn waits any more
}

func newNetHTTPFallback(srv *Server, hs *http.Server, h http.Handler) *netHTTPFallback {
	f := &netHTTPFallback{hs: hs, serving: make(map[net.Conn]chan struct{}), closed: make(chan struct{})}
	f.ln.conns = make(chan net.Conn)
	f.ln.done = make(chan struct{})
	hs.Handler = &h2cUpgrader{srv: srv, next: &accessLogHandler{srv: srv, next: h}}
	return f
}

// ServeConn hands nc to the net/http server, starting it on first use, and
// returns when the connection is closed, so that the h2server counts and
// tracks it as long as it lives, like its HTTP/2 connections. A cleartext
// connection is handed over wrapped, its Close noticed; a TLS connection
// must be handed over as the *tls.Conn itself (net/http needs it to set
// r.TLS), and its end is seen through net/http's ConnState (closed, or
// hijacked by a handler: from then on it is the handler's).
func (f *netHTTPFallback) ServeConn(nc net.Conn, buffered []byte) {
	f.start.Do(f.serve)
	done := make(chan struct{})
	c := nc
	if isTLS(nc) {
		f.mu.Lock()
		f.serving[nc] = done
		f.mu.Unlock()
	} else {
		c = &handedConn{Conn: nc, pre: buffered, done: done}
	}
	if !f.ln.hand(c) {
		f.release(nc)
		return
	}
	select {
	case <-done:
	case <-f.closed:
		// Close: whatever still holds the connection (a handler that
		// hijacked it and never closes it) does not hold the server.
		f.release(nc)
	}
}

// serve starts the net/http server on the handed-over connections, with a
// ConnState hook that sees TLS connections end (and calls the one set on
// hs before serving).
func (f *netHTTPFallback) serve() {
	user := f.hs.ConnState
	f.hs.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateClosed || st == http.StateHijacked {
			f.release(c)
		}
		if user != nil {
			user(c, st)
		}
	}
	go func() {
		// Serve returns at once after Shutdown or Close.
		f.hs.Serve(&f.ln)
		f.ln.Close()
	}()
}

// release ends the ServeConn of a TLS connection.
func (f *netHTTPFallback) release(c net.Conn) {
	f.mu.Lock()
	done := f.serving[c]
	delete(f.serving, c)
	f.mu.Unlock()
	if done != nil {
		close(done)
	}
}

func (f *netHTTPFallback) Shutdown(ctx context.Context) error {
	f.ln.Close()
	return f.hs.Shutdown(ctx)
}

func (f *netHTTPFallback) Close() error {
	f.ln.Close()
	f.closeOnce.Do(func() { close(f.closed) })
	return f.hs.Close()
}

// handedListener is the net.Listener of netHTTPFallback: Accept returns the
// connections ServeConn hands over, until Close.
type handedListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// hand gives nc to Accept; after Close it closes nc and reports false.
func (l *handedListener) hand(nc net.Conn) bool {
	select {
	case l.conns <- nc:
		return true
	case <-l.done:
		nc.Close()
		return false
	}
}

func (l *handedListener) Accept() (net.Conn, error) {
	select {
	case nc := <-l.conns:
		return nc, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handedListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr is a placeholder: the connections come from srv's listeners, and
// net/http takes each request's local address from its connection.
func (l *handedListener) Addr() net.Addr { return handedAddr{} }

type handedAddr struct{}

func (handedAddr) Network() string { return "h2server" }
func (handedAddr) String() string  { return "h2server" }

// handedConn is a cleartext connection handed to net/http: its first bytes
// are those the server read while sniffing, and its first Close (by
// net/http, or by whoever hijacked it, such as the h2c upgrade) ends its
// ServeConn.
type handedConn struct {
	net.Conn
	pre  []byte
	once sync.Once
	done chan struct{}
}

func (c *handedConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *handedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.done) })
	return err
}

// CloseWrite keeps net/http's half-close before closing after an error
// answer (so that the client reads it instead of a reset).
func (c *handedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the connection's own ReadFrom (sendfile for
// http.FileServer over TCP).
func (c *handedConn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }

// h2cUpgrader is the net/http side of the h2c Upgrade: a cleartext request
// that asks for it goes to srv.UpgradeH2C, others to next.
type h2cUpgrader struct {
	srv  *Server
	next http.Handler
}

func (u *h2cUpgrader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// RFC 7540 §3.2 defines the upgrade for cleartext only; over TLS, and
	// for a request with a body (which the upgrade would have to carry as
	// stream 1's, and RFC 7540 §3.2 lets the server ignore), the Upgrade
	// header field is ignored as RFC 9110 §7.8 allows.
	if r.TLS != nil || r.ContentLength != 0 || !wantsH2C(r.Header) {
		u.next.ServeHTTP(w, r)
		return
	}
	req := upgradeRequestOf(r)
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		u.next.ServeHTTP(w, r)
		return
	}
	// net/http cleared the deadlines when it handed the connection over.
	var buffered []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		buffered = slices.Clone(b)
	}
	var ue *UpgradeError
	switch err := u.srv.UpgradeH2C(nc, req, buffered); {
	case errors.As(err, &ue):
		RefuseUpgrade(nc, ue)
	case errors.Is(err, ErrUpgradeNotServing):
		// Shutting down: the HTTP/1.1 request cannot be answered any
		// more (the connection was handed over); closing it is what a
		// server closing an idle keep-alive connection does.
		nc.Close()
	}
}

// wantsH2C reports an h2c upgrade request: Upgrade lists "h2c", Connection
// lists both "Upgrade" and "HTTP2-Settings", and exactly one HTTP2-Settings
// field is present (RFC 7540 §3.2: "Since the upgrade is only intended to
// apply to the immediate connection, a client sending the HTTP2-Settings
// header field MUST also send HTTP2-Settings as a connection option"; §3.2.1:
// "A server MUST NOT upgrade the connection to HTTP/2 if this header field
// is not present or if more than one is present").
func wantsH2C(h http.Header) bool {
	return len(h["Http2-Settings"]) == 1 && httpfield.HasToken(h["Upgrade"], "h2c") &&
		httpfield.HasToken(h["Connection"], "upgrade") && httpfield.HasToken(h["Connection"], "http2-settings")
}

// upgradeRequestOf copies what UpgradeH2C needs out of r; the header fields
// go in name order, so that stream 1's header block does not depend on map
// iteration.
func upgradeRequestOf(r *http.Request) UpgradeRequest {
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	var fs []hpack.HeaderField
	for _, name := range names {
		lower := strings.ToLower(name)
		for _, v := range r.Header[name] {
			fs = append(fs, hpack.HeaderField{Name: lower, Value: v})
		}
	}
	return UpgradeRequest{
		Method:        r.Method,
		Target:        r.RequestURI,
		Authority:     r.Host,
		HTTP2Settings: r.Header.Get("Http2-Settings"),
		Fields:        fs,
	}
}
