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
// Server.SetHTTP1Server makes an HTTP1Server (an HTTP/1.1 server that serves
// handed-over connections) the fallback for connections that do not speak
// HTTP/2; Shutdown and Close of the Server shut it down and close it too. The
// package depends on no HTTP/1.1 engine: the Degu-compatible RGI fallback
// plugs in from package rgi/rgih2,
//
//	srv := &h2server.Server{Handler: factory}
//	if err := rgih2.Fallback(srv, app, nil); err != nil { ... } // nil: rgi.DefaultOptions()
//
// and a net/http server fits the interface too (see SetHTTP1Server's
// tests). Server.UpgradeH2C is the h2c Upgrade of RFC 7540 §3.2 (used by curl
// --http2 for http:// URLs) for any HTTP/1.1 server: given a protocol-neutral
// UpgradeRequest for a cleartext request without a body that carries
// "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings" and one valid
// HTTP2-Settings header field, it answers "101 Switching Protocols", and the
// connection continues as HTTP/2: the request becomes stream 1 and is served
// by Handler. It refuses with typed errors the HTTP/1.1 side turns into its
// answer: an *UpgradeError (400 Bad Request for a bad HTTP2-Settings value or
// a TLS connection, 431 over the header budgets; RefuseUpgrade writes it),
// ErrUpgradeBody (serve the request as HTTP/1.1, ignoring the upgrade) and
// ErrUpgradeNotServing. rgih2.Fallback wires it into rgi for cleartext
// connections; over TLS the upgrade never happens. Upgraded connections take
// part in Shutdown and Close like the others.
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
// An idle connection holds no buffers: the read, write and queued-frame
// buffers are lent by pools while it runs and given back before it sleeps.
// On a TCP (h2c) connection the wait for input takes no buffer at all
// (syscall.RawConn); on TLS the read that waits takes at most 1 KiB,
// and what the TLS layer holds beyond it is taken at once. After one
// request an idle connection keeps about 5–6 KiB of heap and stack beyond
// its socket and goroutine (bench/h2/idle.sh compares the whole process
// with nghttpd and net/http).
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
