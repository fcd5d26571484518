package h2server

import (
	"crypto/tls"
	"slices"

	"github.com/h2kit/h2kit/internal/frame"
)

// ALPN protocol identifiers (RFC 7301; RFC 9113 §3.2).
const (
	protoH2    = "h2"
	protoHTTP1 = "http/1.1"
)

// h2CipherSuites are the TLS 1.2 suites that RFC 9113 §9.2.2 allows: ephemeral
// key exchange with an AEAD cipher. Every other TLS 1.2 suite Go implements is on
// the Appendix A block list. (TLS 1.3 suites are not configurable and all allowed.)
var h2CipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// tlsConfig returns the TLS configuration the server uses: a clone of base with
// ALPN h2 and http/1.1 (in the server's order of preference), TLS 1.2 as the
// minimum version, and, unless base chose its own, only the TLS 1.2 cipher suites
// RFC 9113 §9.2.2 allows. Go's TLS never compresses and never renegotiates as a
// server, which RFC 9113 §9.2.1 requires.
func tlsConfig(base *tls.Config) *tls.Config {
	var c *tls.Config
	if base == nil {
		c = &tls.Config{}
	} else {
		c = base.Clone()
	}
	if len(c.NextProtos) == 0 {
		c.NextProtos = []string{protoH2, protoHTTP1}
	} else if !slices.Contains(c.NextProtos, protoH2) {
		c.NextProtos = append([]string{protoH2}, c.NextProtos...)
	}
	// RFC 9113 §9.2: "Implementations of HTTP/2 MUST use TLS version 1.2 or higher".
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	if c.CipherSuites == nil {
		c.CipherSuites = h2CipherSuites
	}
	return c
}

// inadequateSecurity reports whether an h2 connection negotiated state that
// RFC 9113 §9.2 forbids: "A deployment of HTTP/2 over TLS 1.2 MUST NOT use any of
// the prohibited cipher suites listed in Appendix A" and "MUST be TLS version 1.2
// or higher". Such a connection is answered with GOAWAY INADEQUATE_SECURITY
// (§9.2.2: "MAY be treated as a connection error of type INADEQUATE_SECURITY").
func inadequateSecurity(st tls.ConnectionState) bool {
	if st.Version < tls.VersionTLS12 {
		return true
	}
	if st.Version == tls.VersionTLS12 {
		return !slices.Contains(h2CipherSuites, st.CipherSuite)
	}
	return false
}

// inadequateSecurityReply is what an h2 connection with a forbidden TLS setup gets:
// our SETTINGS (the server connection preface, RFC 9113 §3.4) and a GOAWAY with
// INADEQUATE_SECURITY and a debug message.
func inadequateSecurityReply() []byte {
	b := frame.AppendSettings(nil)
	return frame.AppendGoAway(b, 0, frame.ErrCodeInadequateSecurity, []byte("TLS 1.2 cipher suite prohibited by RFC 9113 Appendix A"))
}
