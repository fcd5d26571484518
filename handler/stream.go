package handler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// Errors returned by Stream methods.
var (
	// ErrResponseSent: SendResponse was already called for the stream.
	ErrResponseSent = errors.New("handler: response already sent")
	// ErrStreamClosed: the stream has closed (reset by either side, or done).
	ErrStreamClosed = errors.New("handler: stream is closed")
	// ErrBadStatus: the status code is not a final status (200..999 or a
	// 1xx other than 101; RFC 9113 §8.6 forbids 101).
	ErrBadStatus = errors.New("handler: invalid response status code")
	// ErrTrailersTooLate: SetTrailers was called after the response body's
	// end had been handed to the connection.
	ErrTrailersTooLate = errors.New("handler: trailers set after the response body ended")
	// ErrBadHeaderField: a response header field name is empty, not a
	// lowercase token, a pseudo-header, connection-specific (RFC 9113
	// §8.2.2), or a value contains characters that RFC 9113 §8.2.1 or RFC
	// 9110 §5.5 forbid. The error returned is a *FieldError wrapping it.
	ErrBadHeaderField = errors.New("handler: invalid response header field")
)

// Stream state bits (Stream.state).
const (
	stResponded = 1 << iota // SendResponse accepted
	stClosed                // OnClose delivered
	stBodyEnded             // the body's end was handed to the engine
	stReqEnded              // END_STREAM received: the request body is complete
)

// Pending operations (Stream.ops), applied on the connection goroutine.
const (
	opRespond = 1 << iota
	opResume
	opReset
	opConsume
	opInfo
)

// Stream is one HTTP/2 request stream and its response.
//
// The request accessors (Method, Path, Header, ...) may be called from any
// goroutine; their values are fixed once OnHeaders has been called, except
// Trailers, which is set just before OnRequestDone.
//
// SendResponse, SetTrailers, Resume and Reset may be called from the stream's
// callbacks or from any other goroutine. Either way the call records the
// operation and returns at once; the connection goroutine applies it (right after
// the current callback returns, or after being woken), so a callback never waits
// for I/O and another goroutine never touches the connection state. Calls made
// within callbacks take one uncontended mutex and do not allocate.
type Stream struct {
	conn *connState     // set when the Stream is made; never changes (recycling stays within a Conn)
	gen  atomic.Uint32  // the request generation: incremented under conn.mu when recycled
	es   *h2conn.Stream // the engine's stream; nil once closed (connection goroutine only)
	id   uint32

	method, scheme, authority, path string
	protocol                        string // :protocol (RFC 8441), "" for other requests
	header                          []hpack.HeaderField
	trailer                         []hpack.HeaderField
	contentLength                   int64

	handler RequestHandler
	state   atomic.Uint32

	// Guarded by conn.mu.
	ops       uint8
	taken     uint8 // ops being applied by the connection goroutine
	resetCode ErrCode
	consume   int
	outTrail  []hpack.HeaderField
	info      []interim   // interim responses waiting to be sent
	pushq     []*pushCall // Handle.Push calls waiting (push.go)

	// Response, written by SendResponse before opRespond is queued and read by
	// the connection goroutine after it takes the op.
	status  int
	respHdr []hpack.HeaderField
	// stableHdr: respHdr came through internal/prechecked, whose lists
	// are checked and whose strings never change.
	stableHdr bool
	src       source
	closeCd   ErrCode   // the code OnClose got
	start     time.Time // when the request arrived (Options.AccessLog only)

	ctxMu  sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

// ID returns the HTTP/2 stream identifier.
func (s *Stream) ID() uint32 { return s.id }

// ClientAddr returns the address of the peer of the connection.
func (s *Stream) ClientAddr() net.Addr { return s.conn.info.ClientAddr }

// Conn returns information about the stream's connection (TLS state, addresses).
func (s *Stream) Conn() ConnInfo { return s.conn.info }

// Method returns the request method (:method).
func (s *Stream) Method() string { return s.method }

// Scheme returns the request scheme (:scheme).
func (s *Stream) Scheme() string { return s.scheme }

// Authority returns :authority, or the host header field when the request has no
// :authority (RFC 9113 §8.3.1).
func (s *Stream) Authority() string { return s.authority }

// Protocol returns the :protocol pseudo-header of an extended CONNECT request
// (RFC 8441 §4: "a new pseudo-header field :protocol", for example
// "websocket"), or "" for any other request. The server accepts such requests
// only with h2server.Config.EnableConnectProtocol (SETTINGS_ENABLE_CONNECT_PROTOCOL).
func (s *Stream) Protocol() string { return s.protocol }

// Path returns the request target (:path), including any query.
func (s *Stream) Path() string { return s.path }

// Header returns the request header fields in the order they arrived, without
// pseudo-headers, with cookie crumbs joined into one cookie field by "; " (RFC
// 9113 §8.2.3). The slice must not be modified.
func (s *Stream) Header() []hpack.HeaderField { return s.header }

// HeaderValue returns the value of the first request header field named name
// (lowercase), and whether there is one.
func (s *Stream) HeaderValue(name string) (string, bool) {
	for _, f := range s.header {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// ContentLength returns the request's content-length, or -1 when it has none.
func (s *Stream) ContentLength() int64 { return s.contentLength }

// BodyEnded reports whether END_STREAM has been received, that is whether the
// request body is complete (RFC 9113 §8.1: a request ends with a frame
// carrying END_STREAM, on its HEADERS when it has no body). It is already true
// in OnHeaders for a request without body, so a handler can start such a
// request at once, and true from OnRequestDone on for any request. It may be
// called from any goroutine.
func (s *Stream) BodyEnded() bool { return s.state.Load()&stReqEnded != 0 }

// Trailers returns the request trailer fields, or nil. They are set before
// OnRequestDone is called.
func (s *Stream) Trailers() []hpack.HeaderField { return s.trailer }

// Context returns a context that is cancelled when the stream closes (for
// whatever reason). It is created on first use.
func (s *Stream) Context() context.Context {
	s.ctxMu.Lock()
	defer s.ctxMu.Unlock()
	if s.ctx == nil {
		ctx, cancel := context.WithCancel(s.conn.baseContext())
		if s.state.Load()&stClosed != 0 {
			// Closed, or being recycled (a stale call from another
			// goroutine): a cancelled context for this caller only.
			// Stored, it would be the next request's on this Stream.
			cancel()
			return ctx
		}
		s.ctx, s.cancel = ctx, cancel
	}
	return s.ctx
}

// SendResponse sends the response: status (the library adds :status), the
// header fields, and the body. It may be called once per stream, from a callback
// or from any goroutine.
//
// The library adds content-length when the body's length is known ([]byte,
// string, sized readers and regular files) and the handler did not set it, and a
// date header (RFC 9110 §6.6.1: an origin server with a clock MUST send one)
// unless the handler set one or the server disables it. A response to HEAD
// carries the headers (with the content-length of body) but no content.
//
// body is one of:
//   - nil: no content; HEADERS carries END_STREAM (unless trailers are set).
//   - []byte or string: sent as it is. The slice must not be modified until the
//     stream closes.
//   - io.Reader: read in frame-sized pieces as the flow-control windows allow.
//     *bytes.Reader, *strings.Reader, *bytes.Buffer and regular *os.File are
//     read on the connection goroutine (they do not block); any other reader is
//     read by a helper goroutine holding one 32 KiB buffer, so a slow reader
//     delays only its own stream. A reader that is also an io.Closer is closed
//     when the stream ends. A read error resets the stream (INTERNAL_ERROR).
//   - BodyGenerator or func(max int) ([]byte, DataFlag): called on the
//     connection goroutine whenever the stream may send (see BodyGenerator).
//
// SendResponse takes ownership of body: an io.Closer body is closed when the
// stream ends, whatever ends it (the response was sent, either side reset the
// stream, the connection closed), and at once when SendResponse returns an
// error.
//
// headers are validated (lowercase token names, no pseudo-headers, no
// connection-specific fields, values without control characters or surrounding
// whitespace; RFC 9113 §8.2, RFC 9110 §5.5): a refused field gives a *FieldError
// naming it. They must not be modified until the stream closes. SendResponse returns ErrResponseSent on a second call and
// ErrStreamClosed when the stream has already closed; errors about the response
// itself leave the stream open so that the handler can send another one.
func (s *Stream) SendResponse(status int, headers []hpack.HeaderField, body any) error {
	return s.Handle().SendResponse(status, headers, body)
}

// SendResponse is Stream.SendResponse for the request h names; it returns
// ErrStreamClosed once that request's stream has closed.
func (h Handle) SendResponse(status int, headers []hpack.HeaderField, body any) error {
	return h.sendResponseOrClose(status, headers, body, false)
}

// sendResponseOrClose is SendResponse; checked says that headers already
// passed internal/httpfield's policy (internal/prechecked).
func (h Handle) sendResponseOrClose(status int, headers []hpack.HeaderField, body any, checked bool) error {
	err := h.sendResponse(status, headers, body, checked)
	if err != nil {
		// The body was handed over: whatever refused it, an io.Closer
		// (an open file, a pipe) is released now, not by a finalizer.
		if c, ok := body.(io.Closer); ok {
			c.Close()
		}
	}
	return err
}

func (h Handle) sendResponse(status int, headers []hpack.HeaderField, body any, checked bool) error {
	// RFC 9113 §8.6: "The 101 (Switching Protocols) informational status code
	// cannot be used in HTTP/2." Interim 1xx responses are not final responses.
	if status < 200 || status > 999 {
		return ErrBadStatus
	}
	if !checked {
		if err := validResponseFields(headers); err != nil {
			return err
		}
	}
	c, err := h.lockUnanswered()
	if err != nil {
		return err
	}
	s := h.s
	if err := s.src.setBody(body, h); err != nil {
		c.mu.Unlock()
		return err
	}
	s.state.Or(stResponded)
	s.status, s.respHdr, s.stableHdr = status, headers, checked
	wake := c.enqueueLocked(s, opRespond)
	c.mu.Unlock()
	if wake {
		c.wake()
	}
	return nil
}

// interim is an informational (1xx) response queued by SendInformational.
type interim struct {
	status int
	header []hpack.HeaderField
}

// SendInformational sends an interim (1xx) response before the final one, for
// example 103 Early Hints (RFC 8297) with link headers, the recommended
// replacement for server push. It may be called any number of times before
// SendResponse, from a callback or any goroutine. RFC 9113 §8.6 forbids 101;
// 100 Continue is for requests that expect it.
func (s *Stream) SendInformational(status int, headers []hpack.HeaderField) error {
	return s.Handle().SendInformational(status, headers)
}

// SendInformational is Stream.SendInformational for the request h names.
func (h Handle) SendInformational(status int, headers []hpack.HeaderField) error {
	if status < 100 || status > 199 || status == 101 {
		return ErrBadStatus
	}
	if err := validResponseFields(headers); err != nil {
		return err
	}
	c, err := h.lockUnanswered()
	if err != nil {
		return err
	}
	s := h.s
	s.info = append(s.info, interim{status, headers})
	wake := c.enqueueLocked(s, opInfo)
	c.mu.Unlock()
	if wake {
		c.wake()
	}
	return nil
}

// SetTrailers sets response trailer fields, sent in a HEADERS frame with
// END_STREAM after the body. It must be called before the body's end is reached:
// before SendResponse, or from the body generator before it returns DataEOF, or
// while the generator is deferred. Field rules are those of SendResponse.
func (s *Stream) SetTrailers(trailers []hpack.HeaderField) error {
	return s.Handle().SetTrailers(trailers)
}

// SetTrailers is Stream.SetTrailers for the request h names; it returns
// ErrStreamClosed once that request's Stream has been recycled.
func (h Handle) SetTrailers(trailers []hpack.HeaderField) error {
	if err := validResponseFields(trailers); err != nil {
		return err
	}
	s := h.s
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.gen.Load() != h.gen {
		return ErrStreamClosed
	}
	if s.state.Load()&(stBodyEnded|stClosed) != 0 {
		return ErrTrailersTooLate
	}
	s.outTrail = trailers
	return nil
}

// Resume restarts a body generator that returned DataDeferred. It may be called
// from any goroutine, any number of times; it does nothing when the body is not
// deferred or the stream has closed.
func (s *Stream) Resume() { s.Handle().Resume() }

// Resume is Stream.Resume for the request h names.
func (h Handle) Resume() {
	if c := h.lockOpen(); c != nil {
		h.enqueueUnlock(c, opResume)
	}
}

// Reset aborts the stream with RST_STREAM and code (RFC 9113 §6.4). It may be
// called from any goroutine; it does nothing once the stream has closed. OnClose
// follows with code.
func (s *Stream) Reset(code ErrCode) { s.Handle().Reset(code) }

// Reset is Stream.Reset for the request h names.
func (h Handle) Reset(code ErrCode) {
	if c := h.lockOpen(); c != nil {
		if h.s.ops&opReset == 0 {
			h.s.resetCode = code
		}
		h.enqueueUnlock(c, opReset)
	}
}

// Consume returns n bytes of request body to the peer's flow-control windows
// (RFC 9113 §6.9: the server sends WINDOW_UPDATE, batched). Only handlers that
// implement ManualFlowControl call it, once they have processed the bytes OnData
// gave them; it may be called from any goroutine and does nothing once the stream
// has closed.
func (s *Stream) Consume(n int) { s.Handle().Consume(n) }

// Consume is Stream.Consume for the request h names.
func (h Handle) Consume(n int) {
	if n <= 0 {
		return
	}
	if c := h.lockOpen(); c != nil {
		h.s.consume += n
		h.enqueueUnlock(c, opConsume)
	}
}

// Handle is a generation-checked reference to the request a Stream serves,
// for code that may run after the stream closed: a goroutine answering the
// request, a response body reader. With Options.ReuseStreams a *Stream is
// recycled for a later request once OnClose has returned; a Handle keeps
// naming the request it was taken for, so once that request's stream has
// closed its methods return ErrStreamClosed or do nothing, whatever the
// Stream serves now. The library's own goroutines (body pumps, HTTPHandler,
// BodyReader, rgih2) use Handles only. A Handle is a small value: copy it
// freely; the zero Handle must not be used.
type Handle struct {
	s   *Stream
	gen uint32
	id  uint32
}

// Handle returns a Handle on the request s serves now. Take it on the
// connection goroutine (in a callback) to hand it to another goroutine.
func (s *Stream) Handle() Handle { return Handle{s: s, gen: s.gen.Load(), id: s.id} }

// ID returns the HTTP/2 stream identifier of the request h names.
func (h Handle) ID() uint32 { return h.id }

// Conn returns information about the connection (it does not change when the
// Stream is recycled: a Stream is recycled within its connection only).
func (h Handle) Conn() ConnInfo { return h.s.conn.info }

// GoAway is Stream.GoAway: it acts on the whole connection, which a stale
// Handle still names.
func (h Handle) GoAway(code ErrCode, debug string) { h.s.conn.goAwayFrom(code, debug) }

// Closed reports whether the request h names has closed.
func (h Handle) Closed() bool {
	c := h.s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	return h.s.gen.Load() != h.gen || h.s.state.Load()&stClosed != 0
}

// lockOpen takes the connection's mutex and returns the connection when h
// still names the Stream's current request and it is open; otherwise it
// returns nil with the mutex released. The generation is changed under the
// same mutex (recycle), so it cannot change while the caller holds it.
func (h Handle) lockOpen() *connState {
	c := h.s.conn
	c.mu.Lock()
	if h.s.gen.Load() != h.gen || h.s.state.Load()&stClosed != 0 {
		c.mu.Unlock()
		return nil
	}
	return c
}

// enqueueUnlock queues op for h's stream, releases c.mu and wakes the loop if
// needed.
func (h Handle) enqueueUnlock(c *connState, op uint8) {
	wake := c.enqueueLocked(h.s, op)
	c.mu.Unlock()
	if wake {
		c.wake()
	}
}

// lockUnanswered takes the connection's mutex for a stream that is still open
// and has no final response yet, and returns the connection with the mutex
// held; otherwise it returns ErrStreamClosed or ErrResponseSent unlocked.
// Responses are recorded under the mutex so that OnClose (which sets stClosed
// under it) sees either no response at all or a response with its op queued.
func (h Handle) lockUnanswered() (*connState, error) {
	c := h.s.conn
	c.mu.Lock()
	st := h.s.state.Load()
	if h.s.gen.Load() != h.gen || st&stClosed != 0 {
		c.mu.Unlock()
		return nil, ErrStreamClosed
	}
	if st&stResponded != 0 {
		c.mu.Unlock()
		return nil, ErrResponseSent
	}
	return c, nil
}

// FieldError is the error SendResponse, SendInformational and SetTrailers
// return for a header field that HTTP/2 does not allow in a response. It
// names the field; errors.Is(err, ErrBadHeaderField) holds.
type FieldError struct {
	Name, Value string
	Reason      string // which rule it breaks, with the RFC section
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("handler: invalid response header field %q: %s", e.Name, e.Reason)
}

// Unwrap returns ErrBadHeaderField.
func (e *FieldError) Unwrap() error { return ErrBadHeaderField }

// validResponseFields applies the one response field policy
// (internal/httpfield, which the engine applies too, so that a field accepted
// here is never refused by the engine) and returns a *FieldError for the first
// field it refuses.
func validResponseFields(fields []hpack.HeaderField) error {
	if i, reason := httpfield.FirstInvalid(fields); i >= 0 {
		return &FieldError{Name: fields[i].Name, Value: fields[i].Value, Reason: reason}
	}
	return nil
}
