package rgih2

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// Fallback makes app (an rgi.App, Degu-compatible) the HTTP/1.1 fallback of
// srv, in one call before serving:
//
//	if err := rgih2.Fallback(srv, app, nil); err != nil { ... } // nil: rgi.DefaultOptions()
//
// Connections that do not speak HTTP/2 (ALPN "http/1.1" or none over TLS, an
// HTTP/1.x request line in cleartext) are served by rgi with opts (validated
// here; opts.H2CUpgrader is replaced). On cleartext connections a request
// asking for "Upgrade: h2c" without a body switches the connection to
// HTTP/2 (h2server.Server.UpgradeH2C); one with a body is served as HTTP/1.1
// and the upgrade ignored. Over TLS the upgrade is never offered (RFC 7540
// §3.2): the Upgrade header field is ignored, as RFC 9110 §7.8 allows.
//
// The fallback takes part in srv's Shutdown and Close
// (h2server.Server.SetHTTP1Server): Shutdown closes HTTP/1.1 connections
// that are idle between requests and lets requests in progress finish with
// "connection: close" (rgi.Server.Shutdown), upgraded connections get the
// HTTP/2 GOAWAY, and Shutdown returns once all of them are closed; Close
// closes them at once. rgi's MaxConnections does not apply (srv accepts the
// connections; srv's Config.MaxConnections counts them); Timeout and
// MaxRequestsPerConnection do. When srv.AccessLog is set, each HTTP/1.1
// request gets the same record as an HTTP/2 stream (proto "http/1.1"; no
// stream or reset; bytes when the body's length is declared; duration until
// the app returns).
func Fallback(srv *h2server.Server, app rgi.App, opts *rgi.Options) error {
	o := rgi.DefaultOptions()
	if opts != nil {
		o = *opts
	}
	// Two servers: the upgrader is an option of an rgi.Server, and TLS
	// must never upgrade.
	o.H2CUpgrader = nil
	app = withAccessLog(app, srv) // srv.AccessLog's records for HTTP/1.1 (accesslog.go)
	secure, err := rgi.NewConnServer(app, &o)
	if err != nil {
		return err
	}
	o.H2CUpgrader = Upgrader(srv)
	clear, err := rgi.NewConnServer(app, &o)
	if err != nil {
		return err
	}
	srv.SetHTTP1Server(&fallback{clear: clear, secure: secure})
	return nil
}

// fallback is the h2server.HTTP1Server of Fallback: cleartext connections go
// to the rgi server that upgrades, TLS ones to the one that does not.
type fallback struct {
	clear, secure *rgi.Server
}

func (f *fallback) ServeConn(nc net.Conn, buffered []byte) {
	if isTLS(nc) {
		f.secure.ServeConn(nc, buffered)
		return
	}
	f.clear.ServeConn(nc, buffered)
}

func (f *fallback) Shutdown(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- f.secure.Shutdown(ctx) }()
	err := f.clear.Shutdown(ctx)
	return errors.Join(err, <-errc)
}

func (f *fallback) Close() error {
	return errors.Join(f.clear.Close(), f.secure.Close())
}

// isTLS reports whether nc is a TLS connection (or wraps one).
func isTLS(nc net.Conn) bool {
	_, ok := nc.(interface{ ConnectionState() tls.ConnectionState })
	return ok
}

// Upgrader returns the rgi.H2CUpgrader that hands an rgi request asking for
// "Upgrade: h2c" to srv.UpgradeH2C (Fallback installs it; use it in
// rgi.Options.H2CUpgrader for an rgi.Server with its own listener). A
// refused upgrade is answered over HTTP/1.1 (h2server.RefuseUpgrade: 400, or
// 431 over srv's header budgets) and the connection closed; so is one srv
// cannot take (no Handler, shut down): rgi has handed the connection over
// and cannot serve the request any more.
func Upgrader(srv *h2server.Server) rgi.H2CUpgrader {
	return func(nc net.Conn, r *rgi.Request, buffered []byte) {
		err := srv.UpgradeH2C(nc, upgradeRequest(r), buffered)
		var ue *h2server.UpgradeError
		switch {
		case err == nil:
		case errors.As(err, &ue):
			h2server.RefuseUpgrade(nc, ue)
		case errors.Is(err, h2server.ErrUpgradeBody), errors.Is(err, h2server.ErrUpgradeNotServing):
			nc.Close()
		}
	}
}

// upgradeRequest copies what UpgradeH2C needs out of r, which rgi reuses
// after the call; the header fields go in name order, so that stream 1's
// header block does not depend on map iteration.
func upgradeRequest(r *rgi.Request) h2server.UpgradeRequest {
	h := r.Headers
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	fs := make([]hpack.HeaderField, 0, len(names))
	for _, name := range names {
		fs = append(fs, hpack.HeaderField{Name: name, Value: h[name]})
	}
	cl, hasCL := h["content-length"]
	_, hasTE := h["transfer-encoding"]
	return h2server.UpgradeRequest{
		Method:        r.Method,
		Target:        r.URI,
		Authority:     h["host"],
		HTTP2Settings: h["http2-settings"],
		HasBody:       hasTE || (hasCL && cl != "0"),
		Fields:        fs,
	}
}
