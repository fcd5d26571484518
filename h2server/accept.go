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
	cfg := s.Config.withDefaults()
	if !s.trackRaw(nc) {
		nc.Close()
		return
	}
	defer s.untrackRaw(nc)
	var bw *batchConn
	if tcfg != nil {
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		bw = newBatchConn(nc)
		nc = tls.Server(bw, tcfg)
	}

	var buffered []byte
	if tc, ok := nc.(*tls.Conn); ok {
		tc.SetDeadline(time.Now().Add(cfg.HandshakeTimeout))
		if err := tc.Handshake(); err != nil {
			s.logger().Debug("h2server: TLS handshake failed", "remote", nc.RemoteAddr(), "err", err)
			nc.Close()
			return
		}
		tc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		if st.NegotiatedProtocol != protoH2 {
			s.http1(nc, nil)
			return
		}
		if inadequateSecurity(st) {
			s.logger().Debug("h2server: TLS setup prohibited by RFC 9113 §9.2; GOAWAY INADEQUATE_SECURITY",
				"remote", nc.RemoteAddr(), "version", st.Version, "cipher", tls.CipherSuiteName(st.CipherSuite))
			s.reject(reject.InadequateSecurity)
			tc.SetWriteDeadline(time.Now().Add(time.Second))
			tc.Write(inadequateSecurityReply())
			nc.Close()
			return
		}
	} else {
		var p proto
		p, buffered = s.sniffConn(nc, &cfg)
		switch p {
		case protoUnknown, protoInvalid:
			s.reject(reject.InvalidPreface)
			nc.Close()
			return
		case protoIsHTTP1:
			s.http1(nc, buffered)
			return
		}
	}
	s.serveH2(nc, bw, buffered, &cfg)
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

func (s *Server) http1(nc net.Conn, buffered []byte) {
	f := s.HTTP1
	if f == nil {
		f = serve505
	}
	f(nc, buffered)
}

func (s *Server) reject(name reject.Name) {
	if s.OnReject != nil {
		s.OnReject(name)
	}
}
