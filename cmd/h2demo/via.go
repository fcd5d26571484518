package main

import (
	"crypto/tls"
	"net"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// via is the way a request reached the demo: the protocol on the wire and
// the code that serves it. Pages state it, so that what a client negotiated is
// visible rather than assumed.
type via uint8

const (
	viaH2     via = iota // HTTP/2 over TLS (ALPN h2), native handler
	viaH2C               // cleartext HTTP/2 (prior knowledge or Upgrade), native handler
	viaH1                // HTTP/1.1 in cleartext, the rgi fallback
	viaH1TLS             // HTTP/1.1 over TLS (ALPN http/1.1), the rgi fallback
	viaRGIH2             // -rgi: HTTP/2 over TLS, the RGI app through rgih2
	viaRGIH2C            // -rgi: cleartext HTTP/2, the RGI app through rgih2
	numVia
)

// viaStream is the way of a request served by the native handler.
func viaStream(s *handler.Stream) via {
	if s.Conn().TLS != nil {
		return viaH2
	}
	return viaH2C
}

// proto is the protocol's short name, as browsers report it
// (PerformanceResourceTiming.nextHopProtocol): "h2", "h2c" or "HTTP/1.1".
func (v via) proto() string {
	switch v {
	case viaH2, viaRGIH2:
		return "h2"
	case viaH2C, viaRGIH2C:
		return "h2c"
	}
	return "HTTP/1.1"
}

// http2 reports whether the request came over HTTP/2.
func (v via) http2() bool { return v.proto() != "HTTP/1.1" }

// native reports whether the request is served by the native handler API
// (package handler), which the HTTP/2-only features need.
func (v via) native() bool { return v == viaH2 || v == viaH2C }

// describe says in a sentence how the request came.
func (v via) describe() string {
	switch v {
	case viaH2:
		return "HTTP/2 over TLS (ALPN h2), answered by h2kit's native handler API"
	case viaH2C:
		return "cleartext HTTP/2 (h2c), answered by h2kit's native handler API"
	case viaH1:
		return "cleartext HTTP/1.1, answered by the demo's HTTP/1.1 fallback (the rgi engine running the site as an RGI app)"
	case viaH1TLS:
		return "HTTP/1.1 over TLS (ALPN http/1.1), answered by the demo's HTTP/1.1 fallback (the rgi engine running the site as an RGI app)"
	case viaRGIH2:
		return "HTTP/2 over TLS (ALPN h2), answered by the site's RGI app through the rgih2 adapter (-rgi)"
	case viaRGIH2C:
		return "cleartext HTTP/2 (h2c), answered by the site's RGI app through the rgih2 adapter (-rgi)"
	}
	return "an unknown way"
}

// tlsKey is the session store key under which siteApp's connection hook
// records whether the connection is TLS (Degu's convention: the hook's keys
// start with "_").
const tlsKey = "_tls"

// OnConnect records whether the connection is TLS, for viaSession.
func (a siteApp) OnConnect(conn net.Conn, s *rgi.Session) bool {
	switch c := conn.(type) {
	case *tls.Conn:
		s.Store[tlsKey] = true
	case interface{ TLS() bool }: // rgih2.Conn
		s.Store[tlsKey] = c.TLS()
	default:
		s.Store[tlsKey] = false
	}
	return true
}

// viaSession is the way of a request served by siteApp.
func (a siteApp) viaSession(s *rgi.Session) via {
	tls, _ := s.Store[tlsKey].(bool)
	switch {
	case a.proto == "HTTP/2" && tls:
		return viaRGIH2
	case a.proto == "HTTP/2":
		return viaRGIH2C
	case tls:
		return viaH1TLS
	}
	return viaH1
}
