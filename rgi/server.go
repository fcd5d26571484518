package rgi

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/internal/accept"
)

// Server serves an App over HTTP/1.1 (Degu's Server and SSLServer).
//
// Create it with NewServer or NewSSLServer, which bind the address at once
// (so Address is known before serving), then call Serve. NewConnServer makes
// a Server without a listener, for connections accepted elsewhere and handed
// over with ServeConn.
type Server struct {
	app     App
	hook    ConnectHook
	opts    Options
	tlsConf *tls.Config
	ln      net.Listener
	address string

	mu     sync.Mutex
	conns  map[net.Conn]*connTrack
	closed bool
	wg     sync.WaitGroup

	active   atomic.Int64
	rejected atomic.Uint64
	shutting atomic.Bool
}

// NewServer binds address (see Listen: "127.0.0.1:0", "[::1]:0",
// "[fe80::1%eth0]:0", "/abs/path.socket", "@name", "@") and returns a
// server for app. opts nil means DefaultOptions(); otherwise it is validated.
func NewServer(address string, app App, opts *Options) (*Server, error) {
	return newServer(nil, address, app, opts)
}

// NewSSLServer is NewServer for TLS: every accepted connection does a TLS
// handshake with config (see BuildServerTLSConfig) before the connection
// hook and the first request.
func NewSSLServer(config *tls.Config, address string, app App, opts *Options) (*Server, error) {
	if config == nil {
		return nil, errors.New("rgi: NewSSLServer needs a TLS config")
	}
	return newServer(config, address, app, opts)
}

// NewConnServer returns a server with no listener: it serves only the
// connections passed to ServeConn (for example by an HTTP/2 server falling
// back to HTTP/1.1). opts nil means DefaultOptions().
func NewConnServer(app App, opts *Options) (*Server, error) {
	return newServer(nil, "", app, opts)
}

func newServer(config *tls.Config, address string, app App, opts *Options) (*Server, error) {
	if app == nil {
		return nil, errors.New("rgi: nil App")
	}
	o := DefaultOptions()
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	s := &Server{app: app, opts: o, tlsConf: config, conns: make(map[net.Conn]*connTrack)}
	s.hook, _ = app.(ConnectHook)
	if address != "" {
		ln, err := Listen(address)
		if err != nil {
			return nil, err
		}
		s.ln = ln
		s.address = AddressOf(ln)
	}
	return s, nil
}

// Address returns the bound address in the form Listen and Dial accept:
// with the kernel's port for port 0 and the kernel's name for "@". It is ""
// for a NewConnServer server.
func (s *Server) Address() string { return s.address }

// Options returns the server's options.
func (s *Server) Options() Options { return s.opts }

// Rejected returns how many connections were closed at once because
// MaxConnections were being served.
func (s *Server) Rejected() uint64 { return s.rejected.Load() }

// Active returns how many accepted connections are being served.
func (s *Server) Active() int { return int(s.active.Load()) }

// Serve accepts connections and serves each on its own goroutine until
// Close; it then returns ErrServerClosed. An Accept that fails for lack of
// resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) is logged and retried after
// 5 ms, doubling to 1 s; other Accept errors end Serve.
func (s *Server) Serve() error {
	if s.ln == nil {
		return errors.New("rgi: server has no listener (NewConnServer)")
	}
	acc := accept.Loop{OnRetry: func(err error, delay time.Duration) {
		// Out of descriptors (or buffers): new clients wait in the listen
		// backlog until connections close; serving resumes then.
		s.opts.logger().Error("rgi: accept failed; retrying", "err", err, "delay", delay)
	}}
	for {
		c, err := acc.Accept(s.ln)
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			return err
		}
		if s.active.Load() >= int64(s.opts.MaxConnections) {
			s.rejected.Add(1)
			c.Close()
			continue
		}
		if !s.track(c) {
			c.Close()
			return ErrServerClosed
		}
		s.active.Add(1)
		go func() {
			defer s.active.Add(-1)
			s.serve(c, nil)
		}()
	}
}

// ServeConn serves HTTP/1.1 requests on an already accepted connection
// until the peer closes it, a limit or error ends it, or Close; it then
// closes conn and returns. buffered holds bytes already read from conn (an
// HTTP/2 server that peeked at the first bytes to choose the protocol hands
// them back here); they are read before conn. ServeConn does not copy
// buffered and reads it only before its first read of conn.
//
// conn may be a *tls.Conn whose handshake is done (ALPN "http/1.1") or a
// plain connection; a server from NewSSLServer does not wrap it again. The
// connection hook runs first, Timeout applies to every read and write,
// MaxRequestsPerConnection applies, Close closes conn and Shutdown lets its
// request in progress finish. Connections passed here do not count against
// MaxConnections: the caller accepted them, and limits them.
//
// The returned error says why the connection ended; it is nil for a clean
// close (the peer closed between requests, or the request limit).
func (s *Server) ServeConn(conn net.Conn, buffered []byte) error {
	if !s.track(conn) {
		conn.Close()
		return ErrServerClosed
	}
	return s.serveConn(conn, buffered)
}

// serve handles a connection from Serve: TLS handshake, then serveConn.
func (s *Server) serve(c net.Conn, buffered []byte) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true) // Degu lacked it and paid ~40 ms per multi-write message
	}
	if s.tlsConf != nil {
		t := tls.Server(c, s.tlsConf)
		c.SetDeadline(time.Now().Add(s.opts.Timeout))
		if err := t.Handshake(); err != nil {
			s.opts.logger().Debug("rgi: TLS handshake failed", "client", FormatAddress(c.RemoteAddr()), "err", err)
			s.untrack(c)
			c.Close()
			return
		}
		c.SetDeadline(time.Time{})
		s.retrack(c, t)
		c = t
	}
	s.serveConn(c, buffered)
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = new(connTrack)
	s.wg.Add(1)
	return true
}

func (s *Server) retrack(old, c net.Conn) {
	s.mu.Lock()
	s.conns[c] = s.conns[old]
	delete(s.conns, old)
	s.mu.Unlock()
}

// connTrack is what Shutdown needs to know of a connection.
type connTrack struct {
	idle atomic.Bool // waiting for a request, nothing buffered
}

func (s *Server) tracker(c net.Conn) *connTrack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[c]
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown stops the server gracefully: it stops the listener, closes
// connections waiting for a request, lets requests in progress finish
// (their responses say "connection: close") and closes those connections
// after them, then returns nil. If ctx ends first, it closes every
// connection and returns ctx.Err() at once, as net/http's Shutdown does: an
// app call still running (stuck, say) is not waited for; its connection's
// goroutine ends when the call returns (Close waits for that). Later Serve
// and ServeConn calls return ErrServerClosed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutting.Store(true)
	if s.ln != nil && !s.closed {
		s.ln.Close()
	}
	s.closed = true
	for c, t := range s.conns {
		if t.idle.Load() {
			c.Close()
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// Close stops the listener, closes every connection being served (an
// in-flight response is cut off) and waits until their goroutines have
// returned, which includes waiting for app calls in progress. Later Serve
// and ServeConn calls return ErrServerClosed.
func (s *Server) Close() error {
	s.mu.Lock()
	var err error
	if s.ln != nil && !s.closed {
		err = s.ln.Close()
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}
