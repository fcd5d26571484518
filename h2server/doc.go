// Package h2server is h2kit's HTTP/2 server (RFC 9113): the socket side around
// h2kit's sans-IO connection engine and the per-stream handler API (package
// handler). Every HTTP/2 limit is a documented field of Config, its default an
// exported Default… constant.
//
// # net/http handlers
//
// An existing http.Handler (an http.ServeMux, a router) is served on every
// protocol by one line, as net/http's own functions would serve it:
//
//	log.Fatal(h2server.ListenAndServe("127.0.0.1:8080", mux)) // h2c (prior knowledge, Upgrade) and HTTP/1.1
//	log.Fatal(h2server.ListenAndServeTLS(":8443", "cert.pem", "key.pem", mux)) // h2 and HTTP/1.1 by ALPN
//
// or through a Server of one's own with NetHTTP(srv, mux). HTTP/2 streams
// run the handler through handler.HTTPServer (net/http's HTTP/2 semantics;
// package handler lists the differences, pinned by a differential test
// against net/http), and HTTP/1.1 connections are handed to Go's own
// net/http server: there is no second HTTP/1.1 implementation for net/http
// applications. As with net/http's HTTP/2, the ResponseWriter of an HTTP/2
// stream is not an http.Hijacker.
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
// the HTTP/1.1 fallback (below); without one they get 505 HTTP Version Not
// Supported. Any other opening is an invalid preface and the connection is
// closed.
//
// # HTTP/1.1 fallback and h2c Upgrade
//
// Server.SetHTTP1Server makes an HTTP1Server (an HTTP/1.1 server that serves
// handed-over connections) the fallback for connections that do not speak
// HTTP/2; Shutdown and Close of the Server shut it down and close it too.
// NetHTTP installs net/http's server; the Degu-compatible RGI fallback plugs
// in from package rgi/rgih2,
//
//	srv := &h2server.Server{Handler: factory}
//	if err := rgih2.Fallback(srv, app, nil); err != nil { ... } // nil: rgi.DefaultOptions()
//
// Server.UpgradeH2C is the h2c Upgrade of RFC 7540 §3.2 (used by curl
// --http2 for http:// URLs) for any HTTP/1.1 server: given a protocol-neutral
// UpgradeRequest for a cleartext request without a body that carries
// "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings" and one valid
// HTTP2-Settings header field, it answers "101 Switching Protocols", and the
// connection continues as HTTP/2: the request becomes stream 1 and is served
// by Handler. It refuses with typed errors the HTTP/1.1 side turns into its
// answer: an *UpgradeError (400 Bad Request for a bad HTTP2-Settings value or
// a TLS connection, 431 over the header budgets; RefuseUpgrade writes it),
// ErrUpgradeBody (serve the request as HTTP/1.1, ignoring the upgrade) and
// ErrUpgradeNotServing. NetHTTP and rgih2.Fallback wire it into their
// HTTP/1.1 servers for cleartext connections; over TLS the upgrade never happens. Upgraded connections take
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
// # Observing a server
//
// Server.Stats returns the server's counters (connections accepted, open and
// closed; streams opened, closed and refused; RST_STREAM and GOAWAY frames
// sent and received by error code; rejects by reject name; octets in and
// out; flow-control stalls) under stable names (the Stats JSON tags), read
// atomically and counted without allocating. Package h2server/h2expvar
// publishes them under expvar; the separate module examples/prometheus
// exports them to Prometheus. Server.ConnState reports each connection's
// state changes (StateNew, StateActive, StateIdle, StateHTTP1,
// StateClosed) with its handler.ConnInfo, as net/http's ConnState does.
// Server.AccessLog writes one log/slog record per HTTP/2 stream (method,
// path, status, bytes, duration, proto, stream, conn, remote, reset; see
// handler.Options.AccessLog); it is off by default. h2server does not see
// the requests of connections handed to HTTP1: the RGI fallback
// (rgih2.Fallback) writes the same record for them (proto "http/1.1"),
// another HTTP1 function logs its own.
//
// Config.MaxConnections (default DefaultMaxConnections, 10,000) bounds the
// connections served at once, those handed to HTTP1 included: a connection
// accepted beyond it is closed at once, before any byte is read or written,
// and counted as reject.MaxConnections.
//
// # Shutdown
//
// Shutdown(ctx) closes the listeners and sends every connection a two-phase
// GOAWAY (first with the highest stream ID and a PING, then with the last stream
// processed), lets the streams in flight finish and waits for the connections to
// close, or closes them when ctx ends and returns ctx's error at once, without
// waiting for handlers or HTTP/1.1 app calls still running (as net/http's
// Shutdown does). Close closes everything at once.
package h2server
