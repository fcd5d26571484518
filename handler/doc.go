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
// Stream.SendResponse, SetTrailers, Resume and Reset may be called from the
// callbacks or from any goroutine. They never block and never touch the
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
// answered from its callbacks allocation-free; only use it when no goroutine
// touches a Stream after its OnClose.
//
// # Request bodies and flow control
//
// OnData gets the request body as it arrives; its bytes are returned to the
// peer's flow-control windows when OnData returns. A handler that cannot keep up
// implements ManualFlowControl and calls Stream.Consume when it has processed
// the bytes: the peer then never has more than a stream window outstanding.
//
// # net/http
//
// HTTPHandler serves an ordinary http.Handler through this API, one goroutine per
// request, with flow-controlled request bodies, streamed responses, http.Flusher
// and trailers.
//
// # Server push
//
// Push (Stream.Push, honouring SETTINGS_ENABLE_PUSH) is reserved for the push
// package; it is not part of this package yet. Stream.SendInformational sends
// 103 Early Hints (RFC 8297), which browsers support instead of push.
package handler
