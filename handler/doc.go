// Package handler is h2kit's per-stream event API for HTTP/2 servers, modeled on
// nghttp2's Python BaseRequestHandler: a RequestHandler per request stream gets
// OnHeaders, OnData, OnRequestDone and OnClose, and answers with
// Stream.SendResponse.
//
//	srv := &h2server.Server{Handler: func(*handler.Stream) handler.RequestHandler { return &hello{} }}
//
//	type hello struct{ handler.BaseRequestHandler }
//
//	func (*hello) OnHeaders(s *handler.Stream) {
//		s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, "hello, world")
//	}
//
// # Response bodies
//
// SendResponse takes nil (HEADERS with END_STREAM), a []byte, a string, an
// io.Reader, or a BodyGenerator func(max int) ([]byte, DataFlag). max is the most
// that may be sent now (the minimum of the peer's frame size and the stream and
// connection windows). A generator returns DataOK with data, DataEOF at the end,
// or DataDeferred to pause until Stream.Resume. The library adds :status,
// content-length when the length is known, and date (RFC 9110 §6.6.1) unless
// disabled. Response trailers are set with Stream.SetTrailers.
//
// A generator that returns more than max, an unknown flag, DataOK without data,
// or panics has its stream reset with INTERNAL_ERROR; the connection carries on.
// A panic in a callback does the same (nghttp2-python behaved alike).
//
// # Concurrency contract
//
// All callbacks of a connection (the Factory, the four RequestHandler methods,
// body generators and in-memory readers) run on that connection's goroutine, one
// at a time. They must not block: a callback that waits stalls every stream of
// its connection. Slow work (a database, a backend call) goes to a goroutine that
// later calls SendResponse, or returns DataDeferred from a generator and calls
// Resume when data is ready.
//
// Stream.SendResponse, SetTrailers, Resume, Reset, Consume and GoAway may be
// called from the callbacks or from any goroutine. They never block and never touch the
// connection state directly: they record the operation under a small mutex, and
// the connection goroutine applies it right after the current callback returns
// (calls from callbacks cost no allocation and no wake-up), or, when the
// connection is asleep in a read, after being woken. Resume is idempotent and a
// no-op when nothing is deferred or the stream has closed; so are Reset and
// Resume after close. A Stream's request accessors may be read from any
// goroutine.
//
// With h2server.Config.ReuseStreams (handler.Options.ReuseStreams) a Stream and
// its request strings are recycled once OnClose returns, which makes a request
// answered from its callbacks allocation-free. A goroutine that may outlive the
// stream takes a Handle (Stream.Handle, in a callback) instead of keeping the
// *Stream: a Handle names one request, and once that request's stream has closed
// its methods return ErrStreamClosed or do nothing, even when the Stream already
// serves another request. The library's own goroutines (reader body pumps,
// HTTPHandler, BodyReader, rgih2) use Handles and copy the request strings they
// keep, so they are safe with ReuseStreams; code of your own that keeps a *Stream
// or its strings past OnClose is not.
//
// # Request bodies and flow control
//
// OnData gets the request body as it arrives; its bytes are returned to the
// peer's flow-control windows when OnData returns. A handler that cannot keep up
// implements ManualFlowControl and calls Stream.Consume when it has processed
// the bytes: the peer then never has more than a stream window outstanding.
// Stream.BodyEnded reports whether END_STREAM has arrived; it is already true
// in OnHeaders when the HEADERS frame ended the request (no body).
//
// BodyReader is that plumbing ready-made for a handler that hands the body to
// another goroutine (HTTPHandler and the RGI adapter use it): Write from
// OnData, End from OnRequestDone and OnClose, and an io.Reader that consumes
// what it returns; Close drops the rest and returns its window.
//
// With ManualFlowControl, bytes not consumed yet hold both the stream's window
// AND the connection's (Consume returns both). That is deliberate: the memory a
// connection can make the server hold is bounded by the connection window
// (h2server.Config's ConnWindowSize), whatever the number of streams, which is
// the safe choice against slow-read and flood attacks. The cost falls on
// handlers that serialize work across streams: a stream waiting its turn
// keeps its unread body, and a few of them can exhaust the connection window
// and stall the stream being served, which then never gets its body — a
// deadlock. Such a handler must consume (or buffer and consume) the bodies of
// waiting streams, or size the windows so that the connection window covers
// every stream that may wait (ConnWindowSize ≥ 2 × MaxConcurrentStreams ×
// InitialWindowSize, as the connection's WINDOW_UPDATE is batched at half the
// window). The RGI adapter (rgi/rgih2) serves the streams of a connection
// concurrently by default for this reason.
//
// # Connections
//
// Stream.Conn returns the connection's ConnInfo: addresses, TLS state, an ID
// unique within the process, and a Context cancelled when the connection ends
// (after its streams got OnClose), for state kept per connection, such as a
// session: release it with context.AfterFunc(info.Context, ...).
// Stream.GoAway ends the whole connection with GOAWAY, for a server that
// refuses a connection after seeing its first request; like Reset it may be
// called from any goroutine and is applied on the connection goroutine.
// Stream.HPACKTables, from a callback only, returns snapshots of the
// connection's two HPACK dynamic tables (cmd/h2demo's /hpack page shows them).
//
// # net/http
//
// HTTPHandler serves an ordinary http.Handler through this API, one goroutine per
// request, with flow-controlled request bodies, streamed responses, http.Flusher,
// http.ResponseController, http.Pusher, 1xx responses and trailers; HTTPServer does the same
// for an *http.Server's handler and puts that server in the request context.
// h2server.NetHTTP uses it for HTTP/2 and hands HTTP/1.1 connections to
// net/http's own server, so that one handler serves every protocol.
//
// # Differences from net/http
//
// TestNetHTTPDifferential runs a table of handlers (status codes, 1xx, HEAD,
// streaming, trailers, header changes after WriteHeader, panics,
// http.ErrAbortHandler, request bodies read partly or not at all, Expect:
// 100-continue, large uploads, cancellation, http.FileServer, MaxBytesReader,
// the context keys, ResponseController deadlines and full duplex) on
// net/http's own server and on h2kit, over HTTP/2 and HTTP/1.1, with Go's
// client, and compares status, interim responses, headers, body, trailers and
// the errors the client and the handler see. Over HTTP/1.1 h2server.NetHTTP is
// net/http itself. Over HTTP/2 HTTPHandler differs only in these ways:
//
//   - Connection-specific response fields set by the handler (Connection,
//     Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade) are dropped:
//     RFC 9113 §8.2.2 says an endpoint "MUST NOT generate an HTTP/2 message
//     containing connection-specific header fields" and that a recipient
//     treats one as malformed. net/http's HTTP/2 drops Connection and
//     Transfer-Encoding but sends Keep-Alive, Proxy-Connection and Upgrade.
//   - Flush on a response to HEAD returns nil; net/http's HTTP/2 returns the
//     error of the stream it has just ended. The response is complete once
//     its headers are sent either way, and later writes are discarded.
//   - The settings of an http.Server (ReadTimeout, WriteTimeout, IdleTimeout,
//     MaxHeaderBytes, BaseContext, ConnContext, ConnState, ErrorLog) do not
//     apply to HTTP/2 streams: their limits and timeouts are h2server.Config's
//     (one place for every HTTP/2 limit), and a handler panic is logged on
//     the h2server.Server's Logger.
//   - Malformed requests are refused by h2kit's engine before any handler runs,
//     with h2kit's typed errors (RST_STREAM PROTOCOL_ERROR, 400 or 431, named in
//     package reject), which are not always net/http's.
//   - Body bytes that arrive after a read deadline passed are still returned
//     by r.Body before the deadline error; net/http's HTTP/2 drops them.
//   - Errors returned after the stream closed are h2kit's (their text names
//     h2kit's HTTP/2 stream); net/http exports no value to compare them with.
//   - The deprecated http.CloseNotifier is not implemented; r.Context() is
//     its replacement.
//
// # Server push
//
// Stream.Push promises a resource on a request stream before its response
// (RFC 9113 §8.4): a PUSH_PROMISE with the promised request, then a pushed
// Stream answered like any other, with SendResponse and every body form, from
// its PushRequest.Handler, at once, or later from any goroutine through its
// Handle. Push runs on the connection goroutine; Handle.Push is the same from
// other goroutines (it waits for the promise). The rules of the RFC are
// enforced: the client's SETTINGS_ENABLE_PUSH (ErrPushDisabled, also when a
// later SETTINGS turns push off), an open client stream not yet answered, GET
// or HEAD without content, an authority the server is authoritative for, no
// promise after GOAWAY, the client's SETTINGS_MAX_CONCURRENT_STREAMS for
// started pushes, and h2server.Config.MaxPushPromises; a refusal is a
// *PushError (ErrPushNotAllowed) naming the rule. A client that refuses a push
// resets the pushed stream, whose handler gets OnClose with that code.
// HTTPHandler's ResponseWriter implements http.Pusher on top of it. Package
// push wraps all of this with a one-call API (push.Push). Browsers have
// dropped push; Stream.SendInformational sends 103 Early Hints (RFC 8297),
// which they support instead.
package handler
