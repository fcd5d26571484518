// Package h2server is h2kit's HTTP/2 server (RFC 9113): the socket side around
// h2kit's sans-IO connection engine and the per-stream handler API (package
// handler). Every HTTP/2 limit is a documented field of Config, its default an
// exported Default… constant.
//
// # Connections
//
// Over TLS (ServeTLS, ListenAndServeTLS) the server offers ALPN "h2" and
// "http/1.1", requires TLS 1.2 or later, and restricts TLS 1.2 to the cipher
// suites RFC 9113 §9.2.2 allows; a TLS 1.2 connection that negotiated a
// prohibited suite anyway (a user-supplied CipherSuites list) is answered with
// GOAWAY INADEQUATE_SECURITY. In cleartext (Serve, ListenAndServe) the server
// speaks h2c with prior knowledge, recognised by the connection preface (RFC 9113
// §3.3). Connections that do not speak HTTP/2 (ALPN http/1.1 or none, or a
// cleartext HTTP/1.x request line) are handed, with the bytes already read, to
// Server.HTTP1; by default they get 505 HTTP Version Not Supported. Any other
// opening is an invalid preface and the connection is closed.
//
// # HTTP/1.1 fallback and h2c Upgrade
//
// One call makes a Degu-compatible RGI app (package rgi) the HTTP/1.1 fallback:
//
//	srv := &h2server.Server{Handler: factory}
//	if err := srv.RGIFallback(app, nil); err != nil { ... } // nil: rgi.DefaultOptions()
//
// It also enables the h2c Upgrade of RFC 7540 §3.2 (used by curl --http2 for
// http:// URLs): a cleartext request without a body that carries
// "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings" and one valid
// HTTP2-Settings header field is answered "101 Switching Protocols", and the
// connection continues as HTTP/2: the request becomes stream 1 and is served by
// Handler. A bad HTTP2-Settings value gets 400 Bad Request with the reason; a
// request with a body is served as HTTP/1.1 and the upgrade ignored; over TLS
// the upgrade never happens. Shutdown and Close include the fallback's
// connections. Server.H2CUpgrade is the upgrader alone, for an rgi.Server
// wired into HTTP1 by hand.
//
// # Accepting
//
// Running out of file descriptors degrades service, never ends it: an Accept
// that fails with EMFILE, ENFILE, ENOBUFS or ENOMEM is logged at Error,
// counted (OnReject reject.AcceptRetry) and retried after a wait of 5 ms doubling
// to 1 s, as net/http does (the same back-off as rgi.Server). Clients
// that connect meanwhile wait in the kernel's listen backlog and are served
// once connections close.
//
// # The loop
//
// One goroutine owns each connection. The order of the calls into the engine
// and the handlers is the same connection driver's that handlertest.Do uses;
// the loop adds the socket. It reads in batches of up to
// Config.ReadBufferSize, feeds the engine (which runs the handlers), applies the
// handlers' queued operations, and writes the engine's coalesced output in one
// Write per batch (at most Config.MaxWriteBatch bytes). It sleeps in Read with
// the engine's next deadline (preface, SETTINGS ACK, idle and shutdown timers)
// as read deadline; another goroutine that calls Stream.SendResponse / Resume /
// Reset wakes it by moving the read deadline into the past. Writes have a stall
// timeout (Config.WriteTimeout). No goroutine is started per request.
//
// While the loop is blocked in Write (the peer is not reading) it does not read;
// a peer that stops reading while it keeps sending eventually runs out of
// flow-control window, and a peer that reads nothing for WriteTimeout is
// disconnected.
//
// # Shutdown
//
// Shutdown(ctx) closes the listeners and sends every connection a two-phase
// GOAWAY (first with the highest stream ID and a PING, then with the last stream
// processed), lets the streams in flight finish and waits for the connections to
// close, or closes them when ctx ends. Close closes everything at once.
package h2server
