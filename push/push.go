package push

import (
	"io"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
)

// Errors of Push; see package handler, which enforces the rules.
var (
	// ErrPushDisabled: the client turned push off (SETTINGS_ENABLE_PUSH = 0),
	// in its first SETTINGS or a later one.
	ErrPushDisabled = handler.ErrPushDisabled
	// ErrPushNotAllowed: a rule of RFC 9113 §8.4 (or the server's
	// MaxPushPromises) forbids the promise; the error is an *Error naming
	// it.
	ErrPushNotAllowed = handler.ErrPushNotAllowed
)

// Error is the error for a promise a rule forbids; Reason names the rule and
// errors.Is(err, ErrPushNotAllowed) holds.
type Error = handler.PushError

// Promise is a resource to push: the request the client would have sent
// (Method, Path, Header) and, optionally, the response (Status,
// ResponseHeader, Body), as in nghttp2-python's push(path, method,
// request_headers, status, headers, body).
type Promise struct {
	// Method is GET (the default when empty) or HEAD.
	Method string
	// Path is the request target in origin form, "/style.css".
	Path string
	// Authority is "" for the associated request's :authority, or one of
	// h2server.Config.PushAuthorities.
	Authority string
	// Header holds the promised request's header fields (lowercase names),
	// those the response depends on, such as accept-encoding.
	Header []hpack.HeaderField

	// Status is the pushed response's status. Zero with a nil Body: the
	// response is not sent by Push; the caller answers the returned stream
	// with SendResponse (at once, or later from any goroutine through its
	// Handle). Zero with a Body: 200.
	Status int
	// ResponseHeader holds the pushed response's header fields; content-length
	// and date are added as by SendResponse.
	ResponseHeader []hpack.HeaderField
	// Body is the pushed response's body, in any form SendResponse takes:
	// nil, []byte, string, io.Reader (closed when the stream ends, if an
	// io.Closer), or a handler.BodyGenerator, which may return
	// handler.DataDeferred and be restarted with Resume on the returned
	// stream.
	Body any

	// Handler, if not nil, receives the pushed stream's events: OnHeaders
	// and OnRequestDone right after the promise, OnClose when it ends
	// (handler.NoError, or the client's Cancel or RefusedStream). With a
	// Status or Body it must not answer the stream itself.
	Handler handler.RequestHandler
}

func (p *Promise) request() handler.PushRequest {
	return handler.PushRequest{Method: p.Method, Path: p.Path, Authority: p.Authority, Header: p.Header, Handler: p.Handler}
}

func (p *Promise) answered() bool { return p.Status != 0 || p.Body != nil }

func (p *Promise) status() int {
	if p.Status == 0 {
		return 200
	}
	return p.Status
}

// Push promises p on the request s serves and, when p has a Status or Body,
// sends the pushed response; it returns the pushed stream. It must be called
// on the connection goroutine (in a callback of the connection's streams)
// before s's response; use PushHandle elsewhere.
//
// It returns ErrPushDisabled, handler.ErrStreamClosed, or an *Error
// (ErrPushNotAllowed) without sending anything; a response SendResponse
// refuses (a bad status or header field) resets the pushed stream with
// INTERNAL_ERROR and returns SendResponse's error. An io.Closer Body is
// closed on every error.
func Push(s *handler.Stream, p Promise) (*handler.Stream, error) {
	if p.answered() && (p.status() < 200 || p.status() > 999) {
		closeBody(p.Body)
		return nil, handler.ErrBadStatus
	}
	ps, err := s.Push(p.request())
	if err != nil {
		closeBody(p.Body)
		return nil, err
	}
	if p.answered() {
		if err := ps.SendResponse(p.status(), p.ResponseHeader, p.Body); err != nil {
			ps.Reset(handler.InternalError)
			return nil, err
		}
	}
	return ps, nil
}

// PushHandle is Push for goroutines other than the connection's: it waits
// for the connection goroutine to make the promise, and returns the pushed
// stream's Handle. It must not be called on the connection goroutine.
func PushHandle(h handler.Handle, p Promise) (handler.Handle, error) {
	if p.answered() && (p.status() < 200 || p.status() > 999) {
		closeBody(p.Body)
		return handler.Handle{}, handler.ErrBadStatus
	}
	ph, err := h.Push(p.request())
	if err != nil {
		closeBody(p.Body)
		return handler.Handle{}, err
	}
	if p.answered() {
		if err := ph.SendResponse(p.status(), p.ResponseHeader, p.Body); err != nil {
			ph.Reset(handler.InternalError)
			return handler.Handle{}, err
		}
	}
	return ph, nil
}

func closeBody(b any) {
	if c, ok := b.(io.Closer); ok {
		c.Close()
	}
}
