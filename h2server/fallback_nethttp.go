package h2server

import (
	"context"
	"errors"
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
}

func newNetHTTPFallback(srv *Server, hs *http.Server, h http.Handler) *netHTTPFallback {
	f := &netHTTPFallback{hs: hs}
	f.ln.conns = make(chan net.Conn)
	f.ln.done = make(chan struct{})
	hs.Handler = &h2cUpgrader{srv: srv, next: h}
	return f
}

// ServeConn hands nc to the net/http server, starting it on first use; it
// returns once net/http has taken the connection (net/http serves it on
// its own goroutine and closes it).
func (f *netHTTPFallback) ServeConn(nc net.Conn, buffered []byte) {
	f.start.Do(func() {
		go func() {
			// Serve returns at once after Shutdown or Close.
			f.hs.Serve(&f.ln)
			f.ln.Close()
		}()
	})
	// A TLS connection is handed over as the *tls.Conn itself (buffered
	// is empty there), which net/http needs to set r.TLS.
	f.ln.hand(PrefixConn(nc, buffered))
}

func (f *netHTTPFallback) Shutdown(ctx context.Context) error {
	f.ln.Close()
	return f.hs.Shutdown(ctx)
}

func (f *netHTTPFallback) Close() error {
	f.ln.Close()
	return f.hs.Close()
}

// handedListener is the net.Listener of netHTTPFallback: Accept returns the
// connections ServeConn hands over, until Close.
type handedListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *handedListener) hand(nc net.Conn) {
	select {
	case l.conns <- nc:
	case <-l.done:
		nc.Close()
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
