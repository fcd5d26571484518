// Package restpipe is RestPipe on h2kit: a durable, mutually authenticated,
// bidirectional event pipe between N client nodes and a central server.
// Either side sends events (queries: verb, noun, arguments, post data) to the
// other and gets a reply (mime type, return code, data), from Go (Client.Call,
// Server.Call) or through a local REST front on each node (ClientFront,
// ServerFront, served by Front over HTTP/1.1 and h2c on loopback).
//
// # Transport
//
// Each client keeps ONE HTTP/2 connection over mutual TLS to the server
// (golang.org/x/net/http2's ClientConn on the client, h2kit's h2server with
// handler.HTTPHandler on the server). The server requires a client
// certificate from its CA (ServerTLSConfig / ClientTLSConfig build both ends
// with rgi.BuildServerTLSConfig / rgi.BuildClientTLSConfig; package pki makes
// the certificates) and knows each client by its certificate's subject common
// name. A client may state the identity it expects (Client.Identity, sent in
// the Restpipe-Identity header); a claim that is not its certificate's is
// refused with 403 (ErrIdentityMismatch), so no client can register as another.
//
// Client→server events are ordinary requests on that connection:
//
//	POST /event/VERB/TARGET        body: post data, content-type: its mime type
//	200, Restpipe-Code: N          body: reply data, content-type: its mime type
//
// so each event is its own HTTP/2 stream, with its own flow control.
//
// Server→client events travel on the same connection, down a long-lived
// stream the client opens: POST /pipe with a streaming request body and a
// streaming response body. The server writes request frames down the
// response; the client answers with reply frames up its request body. A frame
// is a 4-byte length, a type (request, reply, heartbeat), an 8-byte id that
// correlates a reply with its request, and the fields (see frame.go); frames
// are bounded by MaxFrameSize (DefaultMaxFrameSize, 32 MiB: 16 MiB payloads
// work both ways). Many calls are in flight at once; each event is handled on
// its own goroutine, at most Concurrency at once, so a slow handler does not
// hold up the others. One frame is written at a time on the pipe stream, so a
// very large server→client event delays the frames queued behind it while it
// is written (client→server events have no such head-of-line wait).
//
// # Events and dispatch
//
// A target is the noun, then optionally "//" and the arguments separated by
// single slashes, each percent-encoded: "/cat//hello%20/world" is noun "cat"
// with arguments "hello " and "world" (ParseTarget, FormatTarget). A Registry
// maps verb and noun to a HandlerFunc, under RestPipe's names: GET "time" is
// get_time, GET "time/utc" is get_time_utc (HandlerKey):
//
//	reg := restpipe.NewRegistry()
//	reg.Handle("GET", "time", func(ctx context.Context, ev *restpipe.Event) (any, error) {
//		return time.Now().UTC(), nil // plain data: JSON, code 0
//	})
//
// A handler returns a Reply to choose mime type, code and data, plain data to
// reply JSON with CodeOK, or an error to reply {"error": "..."} with
// CodeHandlerError (HandlerError chooses the code). An event without a handler
// gets CodeNoHandler. A non-zero code is not an error of Call; Reply.Err turns
// it into a *RemoteError.
//
// # Errors
//
// Server.Call fails with ErrNoSuchClient when the client has no pipe;
// Client.Call with ErrNotConnected while the pipe is down. Every call in
// flight fails with ErrPipeClosed the moment its pipe drops (the connection
// died, the peer was killed, the client reconnected, the node shut down).
// A call whose context deadline passes, or CallTimeout when the context has
// none, fails with ErrTimeout; on the pipe stream the timeout covers the wait
// for a turn to write and for the reply, but a frame already being written is
// finished (the stream stays well-formed). The fronts map these errors to
// 404, 503 and 504.
//
// # Durability
//
// Client.Run reconnects forever, waiting between attempts with capped
// exponential backoff and jitter (MinBackoff doubling up to MaxBackoff, times
// a random factor in [0.5, 1)), and calls OnConnect / OnDisconnect. A dead
// pipe is noticed by the client with HTTP/2 PING (no frame for PingIdle, then
// no answer within PingTimeout), and by the server when the client's
// heartbeats (every HeartbeatInterval) stop for PipeIdleTimeout; the
// heartbeats also keep h2kit's RequestBodyTimeout from ending a quiet pipe.
// A client that reconnects replaces its old registration in one step under
// the server's lock; the old pipe's calls fail with ErrPipeClosed.
//
// # Metrics
//
// Metrics counts and times calls and handled events per verb and noun and
// counts connection events; with a statsd address it also sends them as
// statsd UDP datagrams (off by default). The server also records its
// h2kit server through h2kit's public hooks (Metrics.ObserveH2): rejected
// inputs as h2.reject.NAME, connection-state changes as h2.conn.STATE, and
// h2kit's counters (h2server.Stats: streams, resets and GOAWAYs by code,
// bytes, flow stalls, connections) as h2.NAME.
package restpipe
