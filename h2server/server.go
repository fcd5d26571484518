package h2server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/accept"
	"github.com/h2kit/h2kit/reject"
)

// ErrServerClosed is returned by the Serve and ListenAndServe methods after
// Shutdown or Close.
var ErrServerClosed = errors.New("h2server: server closed")

// Server is an HTTP/2 server (RFC 9113) that runs a handler.RequestHandler per
// stream.
//
// Each connection is served by one goroutine that owns the connection's engine:
// it reads in large batches, feeds the engine (which calls the handlers), and
// writes the coalesced output. Handlers run on that goroutine and must not block;
// work done elsewhere comes back through Stream.SendResponse / Resume / Reset,
// which wake the connection goroutine.
//
// Over TLS the server offers ALPN "h2" and "http/1.1"; in cleartext it speaks h2c
// with prior knowledge (RFC 9113 §3.3). Connections that do not speak HTTP/2 are
// given to the HTTP/1.1 fallback (SetHTTP1Server, NetHTTP), or answered 505.
type Server struct {
	// Address is the address ListenAndServe and ListenAndServeTLS listen on;
	// default "127.0.0.1:8080" and "127.0.0.1:8443". Port 0 picks a free port,
	// which Addr reports once listening.
	Address string
	// TLSConfig is the base TLS configuration for ListenAndServeTLS and
	// ServeTLS (cloned; ALPN, minimum version and cipher suites are set as
	// RFC 9113 §9.2 requires, see tlsConfig).
	TLSConfig *tls.Config
	// Handler creates the RequestHandler of each stream. Required.
	Handler handler.Factory
	// Config holds every limit.
	Config Config
	// Logger receives connection-level events: accept errors at Error,
	// connection errors (GOAWAY sent, protocol errors, timeouts) at Debug,
	// handler panics at Warn. Nil logs nothing. Requests are logged by
	// AccessLog.
	Logger *slog.Logger
	// OnReject, if set, is called with the name of every rejected input,
	// for metrics: the HTTP/2 engine's (refused streams, malformed
	// requests, flood caps, timeouts), the handler layer's, the server's
	// the h2c upgrade's (see UpgradeH2C), and
	// reject.AcceptRetry for every Accept that failed for lack of descriptors
	// or buffers (waited out, see Serve). Package reject lists and
	// documents them all (reject.All). It runs on connection goroutines
	// and must be cheap and safe for concurrent use.
	OnReject func(name reject.Name)
	// ConnState, if set, is called when a connection changes state (see
	// ConnState), with its ConnInfo (addresses, TLS once the handshake is
	// done, and the ID its streams' ConnInfo carry; no Context). It runs
	// on the connection's goroutine, in order, and must be cheap and safe
	// for concurrent use.
	ConnState func(info handler.ConnInfo, state ConnState)
	// AccessLog, if set, receives one record per HTTP/2 stream when it
	// closes, at Info: handler.Options.AccessLog documents its keys; the
	// HTTP/1.1 fallbacks of NetHTTP and rgih2.Fallback write one per
	// HTTP/1.1 request too.
	// Nil (the default) logs nothing and costs nothing.
	AccessLog *slog.Logger

	stats     serverStats           // Stats, observe.go
	obs       map[net.Conn]*connObs // connections served, for UpgradeH2C (observe.go)
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*serverConn]struct{}
	raw       map[net.Conn]int // accepted connections, with how many holders
	fallback  HTTP1Server      // serves and is stopped with this one (SetHTTP1Server); nil: 505
	bound     net.Addr
	closed    bool
	shutdown  bool
	connWG    sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
	stop      chan struct{} // closed by the first Shutdown or Close: ends accept backoff waits
}

// Addr returns the address of the most recently started listener (with the port
// the system picked for port 0), or nil when none has started.
func (s *Server) Addr() net.Addr {
	s.lock()
	defer s.mu.Unlock()
	return s.bound
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return discard
}

var discard = slog.New(slog.DiscardHandler)

// ListenAndServe listens on s.Address (default 127.0.0.1:8080) and serves h2c with
// prior knowledge; other connections go to the HTTP/1.1 fallback.
func (s *Server) ListenAndServe() error {
	addr := s.Address
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeTLS listens on s.Address (default 127.0.0.1:8443) and serves TLS with
// the certificate and key in PEM files certFile and keyFile, or with the
// certificates of s.TLSConfig when both are empty.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	addr := s.Address
	if addr == "" {
		addr = "127.0.0.1:8443"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.ServeTLS(ln, certFile, keyFile)
}

// ServeTLS accepts connections on l, performs the TLS handshake with ALPN and
// serves them; see ListenAndServeTLS for certFile and keyFile.
func (s *Server) ServeTLS(l net.Listener, certFile, keyFile string) error {
	cfg := tlsConfig(s.TLSConfig)
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			l.Close()
			return err
		}
		cfg.Certificates = append([]tls.Certificate{cert}, cfg.Certificates...)
	}
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		l.Close()
		return errors.New("h2server: ServeTLS needs a certificate (certFile/keyFile or TLSConfig)")
	}
	return s.serve(l, cfg)
}

// Serve accepts cleartext connections on l and serves them (h2c with prior
// knowledge, others to the HTTP/1.1 fallback). It returns ErrServerClosed after Shutdown or
// Close. An Accept that fails for lack of resources (EMFILE, ENFILE, ENOBUFS,
// ENOMEM: out of file descriptors) is logged, reported to OnReject as
// reject.AcceptRetry and retried after 5 ms, doubling to 1 s: new clients wait in
// the listen backlog until connections close, and serving resumes. Other
// Accept errors end Serve. A listener that already performs TLS (tls.NewListener) is served as
// TLS, without the record batching ServeTLS does.
func (s *Server) Serve(l net.Listener) error { return s.serve(l, nil) }

// ErrNoHandler is returned by the Serve methods of a Server without a Handler.
var ErrNoHandler = errors.New("h2server: Server.Handler is nil")

// serve accepts on l; with tcfg each connection is wrapped in TLS by serveConn,
// over a transport that batches the TLS records of one write.
func (s *Server) serve(l net.Listener, tcfg *tls.Config) error {
	if s.Handler == nil {
		l.Close()
		return ErrNoHandler
	}
	if err := s.Config.validate(); err != nil {
		l.Close()
		return err
	}
	stop, err := s.track(l)
	if err != nil {
		l.Close()
		return err
	}
	defer s.untrack(l)
	acc := accept.Loop{Stop: stop, OnRetry: func(err error, delay time.Duration) {
		// Out of descriptors (or buffers): new clients wait in the listen
		// backlog until connections close; serving resumes then.
		s.reject(reject.AcceptRetry)
		s.logger().Error("h2server: accept failed; retrying", "err", err, "delay", delay)
	}}
	for {
		nc, err := acc.Accept(l)
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			return err
		}
		if !s.addConnWG() {
			nc.Close()
			return ErrServerClosed
		}
		go s.serveConn(nc, tcfg)
	}
}

// ServeConn serves one already-accepted connection on the calling goroutine and
// returns when it is closed. A *tls.Conn is served as TLS (the handshake is done
// here if needed), anything else as cleartext.
func (s *Server) ServeConn(nc net.Conn) {
	if s.Handler == nil || !s.addConnWG() {
		nc.Close()
		return
	}
	s.serveConn(nc, nil)
}

// lock locks s.mu and makes the server's tables if this is the first use:
// a zero Server is ready for any method (Serve, ServeConn, UpgradeH2C,
// Shutdown, Close), so every access to the state below goes through lock.
func (s *Server) lock() {
	s.mu.Lock()
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*serverConn]struct{})
		s.raw = make(map[net.Conn]int)
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.stop = make(chan struct{})
	}
}

// track registers a listener; it returns the channel that Shutdown and Close
// close, or ErrServerClosed.
func (s *Server) track(l net.Listener) (<-chan struct{}, error) {
	s.lock()
	defer s.mu.Unlock()
	if s.closed || s.shutdown {
		return nil, ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.bound = l.Addr()
	return s.stop, nil
}

func (s *Server) untrack(l net.Listener) {
	s.lock()
	delete(s.listeners, l)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.lock()
	defer s.mu.Unlock()
	return s.closed || s.shutdown
}

func (s *Server) addConnWG() bool {
	s.lock()
	defer s.mu.Unlock()
	if s.closed || s.shutdown {
		return false
	}
	s.connWG.Add(1)
	return true
}

// baseContext is the parent of every stream's context; Close cancels it.
func (s *Server) baseContext() context.Context {
	s.lock()
	defer s.mu.Unlock()
	return s.ctx
}

// register adds a connection that is about to speak HTTP/2; it reports false
// (and the connection must be closed) when the server is closing.
func (s *Server) register(c *serverConn) bool {
	s.lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	if s.shutdown {
		// RFC 9113 §6.8: a connection arriving during shutdown still gets the
		// graceful GOAWAY instead of being dropped.
		c.requestShutdown()
	}
	return true
}

// trackRaw records an accepted connection so that Close can close it whatever
// it speaks. A connection may be tracked more than once (an h2c upgrade of a
// connection that Serve accepted); it stays tracked until the last untrackRaw.
func (s *Server) trackRaw(nc net.Conn) bool {
	s.lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.raw[nc]++
	return true
}

// holdConn counts and tracks a connection that s did not necessarily accept
// (an h2c upgrade handed over by an HTTP/1.1 server), as ServeConn would: Close
// closes it and Shutdown waits for it. During Shutdown only a connection s
// already serves is taken (it gets the graceful GOAWAY); it reports false
// otherwise, and after Close. releaseConn undoes it.
func (s *Server) holdConn(nc net.Conn) bool {
	s.lock()
	defer s.mu.Unlock()
	if s.closed || s.shutdown && s.raw[nc] == 0 {
		return false
	}
	s.connWG.Add(1)
	s.raw[nc]++
	return true
}

func (s *Server) releaseConn(nc net.Conn) {
	s.untrackRaw(nc)
	s.connWG.Done()
}

func (s *Server) untrackRaw(nc net.Conn) {
	s.lock()
	if s.raw[nc]--; s.raw[nc] <= 0 {
		delete(s.raw, nc)
	}
	s.mu.Unlock()
}

func (s *Server) unregister(c *serverConn) {
	s.lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// stopLocked marks the server stopping: the first call ends the accept loops'
// backoff waits. s.mu is held.
func (s *Server) stopLocked() {
	if !s.closed && !s.shutdown {
		close(s.stop)
	}
}

// Shutdown stops the server gracefully: it closes the listeners, sends every
// HTTP/2 connection a GOAWAY in two phases (RFC 9113 §6.8: first with the maximum
// stream ID and a PING, then, after ShutdownDelay, with the last stream ID
// actually processed; a negative ShutdownDelay sends only the second, at once),
// lets the streams in flight finish, and returns when every
// connection has closed. If ctx ends first, the remaining connections are closed
// at once (as Close does) and ctx's error is returned without waiting for
// handlers or HTTP/1.1 app calls still running, as net/http's Shutdown does
// (their goroutines end when those calls return). The HTTP/1.1 fallback
// installed by SetHTTP1Server is shut down too with ctx (HTTP/1.1 has no
// GOAWAY: idle connections are closed, requests in progress finished with
// "connection: close"), and Shutdown returns once it has returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.lock()
	s.stopLocked()
	s.shutdown = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.requestShutdown()
	}
	f := s.fallback
	s.mu.Unlock()
	var fwg sync.WaitGroup
	defer fwg.Wait()
	if f != nil {
		fwg.Go(func() { f.Shutdown(ctx) })
	}

	done := make(chan struct{})
	go func() {
		s.connWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close closes the listeners and every connection at once; streams in flight are
// cancelled (their handlers get OnClose(CANCEL)). It does not wait for
// connection goroutines to finish their cleanup; Shutdown does.
func (s *Server) Close() error {
	s.lock()
	s.stopLocked()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for nc := range s.raw {
		nc.Close()
	}
	if f := s.fallback; f != nil {
		// An HTTP1Server's Close may wait for requests in progress (rgi's
		// waits for app calls); Close does not.
		go f.Close()
	}
	s.cancel()
	s.mu.Unlock()
	return nil
}
