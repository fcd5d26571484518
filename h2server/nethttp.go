package h2server

import (
	"log/slog"
	"net"
	"net/http"

	"github.com/h2kit/h2kit/handler"
)

// NetHTTP makes h, an ordinary net/http Handler (an http.ServeMux, a
// framework's router), the handler of srv on every protocol, in one call
// before serving:
//
//	srv := &h2server.Server{}
//	h2server.NetHTTP(srv, mux)
//	err := srv.ListenAndServe() // h2c and HTTP/1.1; ListenAndServeTLS: h2 and HTTP/1.1
//
// HTTP/2 (h2 over TLS with ALPN, h2c with prior knowledge, and h2c reached
// by the Upgrade of RFC 7540 §3.2 that curl --http2 sends for http:// URLs)
// is served by h2kit through handler.HTTPServer. HTTP/1.1 (a TLS connection
// that negotiated ALPN "http/1.1" or none, a cleartext HTTP/1.x request
// line) is served by Go's own net/http server, on the connections srv hands
// over: request and response semantics over HTTP/1.1 are net/http's
// (r.TLS is set over TLS). A cleartext HTTP/1.1 request without a body that
// asks for "Upgrade: h2c" (with "Connection: Upgrade, HTTP2-Settings" and
// one HTTP2-Settings field) switches the connection to HTTP/2
// (Server.UpgradeH2C) and is answered as stream 1; with a body, or over
// TLS, the Upgrade header field is ignored (RFC 9110 §7.8).
//
// A nil h is http.DefaultServeMux. NetHTTP returns that net/http server, so that its settings can be changed
// before serving (ErrorLog, ConnState, the HTTP/1.1 timeouts); its Handler
// must stay as set. Its defaults follow srv.Config: ReadHeaderTimeout is
// Config.HandshakeTimeout (10 s), IdleTimeout Config.IdleTimeout (3 min),
// MaxHeaderBytes Config.MaxHeaderListSize (64 KiB), and ErrorLog writes to
// srv.Logger at Warn when it is set. The request context carries that
// server as http.ServerContextKey on every protocol.
//
// The net/http server takes part in srv's Shutdown (idle HTTP/1.1
// connections closed, requests in progress finished, http.Server.Shutdown)
// and Close (http.Server.Close); it never listens itself. Connections a
// handler hijacks are the handler's, as in net/http; over HTTP/2, as with
// net/http's own HTTP/2, the ResponseWriter is not an http.Hijacker.
func NetHTTP(srv *Server, h http.Handler) *http.Server {
	if h == nil {
		h = http.DefaultServeMux // as net/http does
	}
	cfg := srv.Config.withDefaults()
	hs := &http.Server{
		// A negative Config duration disables its timer; net/http's
		// "none" is 0.
		ReadHeaderTimeout: max(cfg.HandshakeTimeout, 0),
		IdleTimeout:       max(cfg.IdleTimeout, 0),
		MaxHeaderBytes:    int(cfg.MaxHeaderListSize),
	}
	if srv.Logger != nil {
		hs.ErrorLog = slog.NewLogLogger(srv.Logger.Handler(), slog.LevelWarn)
	}
	f := newNetHTTPFallback(srv, hs, h)
	srv.Handler = handler.HTTPServer(hs)
	srv.SetHTTP1Server(f)
	return hs
}

// ListenAndServe listens on the TCP address addr and serves h as
// http.ListenAndServe does, over h2c (prior knowledge and Upgrade) and
// HTTP/1.1 on the same port (see NetHTTP). An empty addr is ":http". It
// always returns a non-nil error.
func ListenAndServe(addr string, h http.Handler) error {
	if addr == "" {
		addr = ":http"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return Serve(ln, h)
}

// ListenAndServeTLS listens on the TCP address addr and serves h as
// http.ListenAndServeTLS does, over h2 and HTTP/1.1 (ALPN) on the same port
// (see NetHTTP), with the certificate and key in the PEM files certFile and
// keyFile. An empty addr is ":https". It always returns a non-nil error.
func ListenAndServeTLS(addr, certFile, keyFile string, h http.Handler) error {
	if addr == "" {
		addr = ":https"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeTLS(ln, h, certFile, keyFile)
}

// Serve serves h on the cleartext connections of l as http.Serve does,
// over h2c (prior knowledge and Upgrade) and HTTP/1.1 (see NetHTTP). It
// always returns a non-nil error and closes l.
func Serve(l net.Listener, h http.Handler) error {
	srv := &Server{}
	NetHTTP(srv, h)
	return srv.Serve(l)
}

// ServeTLS serves h on the TLS connections of l as http.ServeTLS does,
// over h2 and HTTP/1.1 (see NetHTTP), with the certificate and key in the
// PEM files certFile and keyFile. It always returns a non-nil error and
// closes l.
func ServeTLS(l net.Listener, h http.Handler, certFile, keyFile string) error {
	srv := &Server{}
	NetHTTP(srv, h)
	return srv.ServeTLS(l, certFile, keyFile)
}
