package handler

// RequestHandler receives the events of one request stream. The server creates one
// per stream with the Factory it was given. All four methods run on the
// connection's goroutine and must not block (see the package documentation).
//
// The order of events is OnHeaders, then OnData for each chunk of request body,
// then OnRequestDone once the request is complete (END_STREAM, on HEADERS, DATA or
// trailers), and finally OnClose exactly once. A stream that is reset early may see
// OnClose without OnRequestDone.
type RequestHandler interface {
	// OnHeaders is called when the request header block is complete; the
	// request line and header fields are available on s.
	OnHeaders(s *Stream)
	// OnData is called with each chunk of the request body. data is only valid
	// during the call; copy it to keep it. When OnData returns, its bytes go
	// back to the peer's flow-control windows (WINDOW_UPDATE), unless the
	// handler implements ManualFlowControl and calls Stream.Consume itself.
	OnData(s *Stream, data []byte)
	// OnRequestDone is called when the whole request, including any trailers
	// (s.Trailers), has been received.
	OnRequestDone(s *Stream)
	// OnClose is called once when the stream is closed: code is NoError (0) on
	// a clean end, the peer's RST_STREAM code, the code the server reset the
	// stream with, or Cancel when the connection went away with the stream open.
	// The Stream must not be used after OnClose returns unless the server's
	// configuration says streams are never reused (see h2server.Config).
	OnClose(s *Stream, code ErrCode)
}

// BaseRequestHandler implements every RequestHandler method as a no-op. Embed it
// and override only the events a handler cares about.
type BaseRequestHandler struct{}

// OnHeaders does nothing.
func (BaseRequestHandler) OnHeaders(*Stream) {}

// OnData does nothing.
func (BaseRequestHandler) OnData(*Stream, []byte) {}

// OnRequestDone does nothing.
func (BaseRequestHandler) OnRequestDone(*Stream) {}

// OnClose does nothing.
func (BaseRequestHandler) OnClose(*Stream, ErrCode) {}

// Factory creates the RequestHandler for a new stream. It is called on the
// connection goroutine just before OnHeaders, with the request already parsed into
// s. It may return the same (stateless) handler for every stream.
type Factory func(s *Stream) RequestHandler

// HandlerFunc adapts a function called at OnHeaders time to a RequestHandler (and
// FactoryFunc wraps it into a Factory): the simplest way to write a handler that
// answers from the request headers alone. The request body, if any, is discarded.
type HandlerFunc func(s *Stream)

// OnHeaders calls f(s).
func (f HandlerFunc) OnHeaders(s *Stream) { f(s) }

// OnData discards the chunk.
func (HandlerFunc) OnData(*Stream, []byte) {}

// OnRequestDone does nothing.
func (HandlerFunc) OnRequestDone(*Stream) {}

// OnClose does nothing.
func (HandlerFunc) OnClose(*Stream, ErrCode) {}

// FactoryFunc returns a Factory that serves every stream with f.
func FactoryFunc(f func(s *Stream)) Factory {
	h := HandlerFunc(f)
	return func(*Stream) RequestHandler { return h }
}

// ManualFlowControl is an optional interface of a RequestHandler that applies
// back-pressure to the request body. By default the bytes given to OnData are
// returned to the peer's flow-control windows as soon as OnData returns. A
// handler with a ManualFlowControl method instead calls Stream.Consume when it
// has processed them (for example from the goroutine that writes them
// somewhere slow): until then the peer can send at most the stream's window
// (Config.InitialWindowSize) more, so memory stays bounded without resetting
// the stream. The bytes of a closed stream are returned automatically.
type ManualFlowControl interface {
	RequestHandler
	ManualFlowControl()
}
