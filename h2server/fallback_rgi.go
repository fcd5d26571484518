package h2server

import (
	"context"
	"net"

	"github.com/h2kit/h2kit/rgi"
)

// RGIFallback makes app (an rgi.App, Degu-compatible) the server's
// HTTP/1.1 fallback, in one call before serving:
//
//	if err := srv.RGIFallback(app, nil); err != nil { ... } // nil: rgi.DefaultOptions()
//
// It sets s.HTTP1 so that connections that do not speak HTTP/2 (ALPN
// "http/1.1" or none over TLS, an HTTP/1.x request line in cleartext) are
// served by rgi with opts (validated here). On cleartext connections a
// request asking for "Upgrade: h2c" without a body switches the connection
// to HTTP/2 (see H2CUpgrade); one with a body is served as HTTP/1.1 and the
// upgrade ignored. Over TLS the upgrade is never offered (RFC 7540 §3.2): the
// Upgrade header field is ignored, as RFC 9110 §7.8 allows.
//
// The fallback takes part in Shutdown and Close: Shutdown closes HTTP/1.1
// connections that are idle between requests and lets requests in progress
// finish with "connection: close" (rgi.Server.Shutdown), upgraded connections
// get the HTTP/2 GOAWAY, and Shutdown returns once all of them are closed;
// Close closes them at once. rgi's MaxConnections does not apply (the server
// accepts the connections); Timeout and MaxRequestsPerConnection do.
func (s *Server) RGIFallback(app rgi.App, opts *rgi.Options) error {
	clear, err := rgi.NewConnServer(app, opts)
	if err != nil {
		return err
	}
	// A second server without the upgrader for TLS connections: the
	// upgrader is per rgi.Server, and TLS must never upgrade.
	secure, err := rgi.NewConnServer(app, opts)
	if err != nil {
		return err
	}
	clear.SetH2CUpgrader(s.H2CUpgrade)
	s.HTTP1 = func(nc net.Conn, buffered []byte) {
		if isTLS(nc) {
			secure.ServeConn(nc, buffered)
			return
		}
		clear.ServeConn(nc, buffered)
	}
	s.lock()
	s.fallbacks = []fallback{clear, secure}
	s.mu.Unlock()
	return nil
}

// fallback is an HTTP/1.1 server that Shutdown and Close stop along with the
// HTTP/2 connections (rgi.Server).
type fallback interface {
	Shutdown(ctx context.Context) error
	Close() error
}
