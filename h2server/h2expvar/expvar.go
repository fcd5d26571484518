// Package h2expvar publishes an h2server.Server's counters (Server.Stats)
// with the standard library's expvar, for /debug/vars:
//
//	h2expvar.Publish("h2kit", srv)
//	http.Handle("/debug/vars", expvar.Handler()) // or the default mux
//
// It is a package of its own because importing expvar registers
// /debug/vars on http.DefaultServeMux: h2server itself does not, so a
// program that does not ask for it exposes nothing.
//
// The published value is the JSON of h2server.Stats, whose field names are
// stable: connections_accepted, connections_open, connections_closed,
// streams_opened, streams_closed, streams_refused, resets_sent,
// resets_received, goaways_sent, goaways_received (objects keyed by RFC
// 9113 error code name), rejects (keyed by reject name), bytes_in,
// bytes_out, flow_stalls. It is read anew at every request of /debug/vars.
package h2expvar

import (
	"expvar"

	"github.com/h2kit/h2kit/h2server"
)

// Var returns an expvar.Var whose value is srv.Stats() at the time it is
// read, for a program that puts it in its own expvar.Map.
func Var(srv *h2server.Server) expvar.Var {
	return expvar.Func(func() any { return srv.Stats() })
}

// Publish publishes Var(srv) under name. Like expvar.Publish it panics if
// name is already published (names are process-wide).
func Publish(name string, srv *h2server.Server) {
	expvar.Publish(name, Var(srv))
}
