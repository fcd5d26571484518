package h2server

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/h2kit/h2kit/reject"
)

// serveConn runs one accepted connection to its end; with tcfg it is a TLS
// connection still to be handshaken.
func (s *Server) serveConn(nc net.Conn, tcfg *tls.Config) {
	defer s.connWG.Done()
	cfg := s.connConfig()
	o := s.openConn(nc, cfg.MaxConnections)
	if o == nil {
		return
	}
	defer s.closeConn(o)
	defer s.forgetConn(nc)
	if !s.trackRaw(nc) {
		nc.Close()
		return
	}
	defer s.untrackRaw(nc)
	var bw *batchConn
	var buffered []byte
	if _, isTLS := nc.(*tls.Conn); isTLS || tcfg != nil {
		var tc *tls.Conn
		if tc, bw = s.handshake(nc, tcfg, cfg, o); tc == nil {
			return
		}
		nc = tc
	} else {
		var p proto
		p, buffered = s.sniffConn(nc, cfg)
		switch p {
		case protoUnknown, protoInvalid:
			s.reject(reject.InvalidPreface)
			nc.Close()
			return
		case protoIsHTTP1:
			o.set(StateHTTP1)
			s.http1(nc, buffered)
			return
		}
	}
	s.serveH2(nc, bw, buffered, cfg, o)
}

// sniffConn reads the first bytes of a cleartext connection until sniff can tell
// h2c from HTTP/1.x, within the handshake timeout.
func (s *Server) sniffConn(nc net.Conn, cfg *Config) (proto, []byte) {
	nc.SetReadDeadline(time.Now().Add(cfg.HandshakeTimeout))
	buf := make([]byte, 0, maxRequestLine)
	for {
		n, err := nc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if p := sniff(buf); p != protoUnknown {
			nc.SetReadDeadline(time.Time{})
			return p, buf
		}
		if len(buf) == cap(buf) {
			return protoInvalid, nil
		}
		if err != nil {
			s.logger().Debug("h2server: connection closed before the preface", "remote", nc.RemoteAddr(), "err", err)
			return protoUnknown, nil
		}
	}
}

// http1 hands a connection that does not speak HTTP/2 to the fallback, or
// answers 505 without one.
func (s *Server) http1(nc net.Conn, buffered []byte) {
	s.lock()
	f := s.fallback
	s.mu.Unlock()
	if f == nil {
		serve505(nc)
		return
	}
	f.ServeConn(nc, buffered)
}

// handshake runs the TLS handshake of nc, which is a *tls.Conn if tcfg is
// nil, or is first wrapped in TLS with tcfg (over a batchConn, returned);
// it returns nil when the connection was handed to the HTTP/1.1 path or
// refused and closed. It is a function of its own so that its locals (the TLS
// connection being built, the connection state) are not on the stack of an
// idle HTTP/2 connection's goroutine: a goroutine's stack shrinks only while
// it uses less than a quarter of it.
func (s *Server) handshake(nc net.Conn, tcfg *tls.Config, cfg *Config, o *connObs) (*tls.Conn, *batchConn) {
	var bw *batchConn
	tc, _ := nc.(*tls.Conn)
	if tcfg != nil {
		if tcp, ok := nc.(*net.TCPConn); ok {
			tcp.SetNoDelay(true)
		}
		bw = newBatchConn(nc)
		tc = tls.Server(bw, tcfg)
	}
	tc.SetDeadline(time.Now().Add(cfg.HandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		s.logger().Debug("h2server: TLS handshake failed", "remote", tc.RemoteAddr(), "err", err)
		// The alert crypto/tls sent (a refused client certificate, say)
		// must reach the client: with TLS 1.3 the client has finished its
		// side and already sent its first bytes, and closing with them
		// unread would answer with a reset that the client sees first.
		// The TLS layer has failed, so the drain is on the socket.
		lingerClose(tc.NetConn())
		tc.Close()
		return nil, nil
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	o.setTLS(st)
	if st.NegotiatedProtocol != protoH2 {
		o.set(StateHTTP1)
		s.http1(tc, nil)
		return nil, nil
	}
	if inadequateSecurity(st) {
		s.logger().Debug("h2server: TLS setup prohibited by RFC 9113 §9.2; GOAWAY INADEQUATE_SECURITY",
			"remote", tc.RemoteAddr(), "version", st.Version, "cipher", tls.CipherSuiteName(st.CipherSuite))
		s.reject(reject.InadequateSecurity)
		tc.SetWriteDeadline(time.Now().Add(time.Second))
		tc.Write(inadequateSecurityReply())
		lingerClose(tc) // so that the GOAWAY is read, not lost to a reset
		tc.Close()
		return nil, nil
	}
	return tc, bw
}

// connConfig returns a connection's copy of s.Config with the defaults
// applied. It is not inlined, so that the Config value is not on the stack
// of the connection's goroutine (see handshake).
//
//go:noinline
func (s *Server) connConfig() *Config {
	c := s.Config.withDefaults()
	return &c
}
