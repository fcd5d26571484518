package handler

import (
	"errors"
	"fmt"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// Errors of Stream.Push and Handle.Push.
var (
	// ErrPushDisabled: the client disabled server push with
	// SETTINGS_ENABLE_PUSH = 0 (RFC 9113 §6.5.2), in its first SETTINGS
	// or a later one.
	ErrPushDisabled = errors.New("handler: the client disabled server push (SETTINGS_ENABLE_PUSH = 0)")
	// ErrPushNotAllowed: a rule of RFC 9113 §8.4, or the server's limit on
	// pushed streams, forbids this promise. The error returned is a
	// *PushError naming the rule.
	ErrPushNotAllowed = errors.New("handler: push not allowed")
)

// PushError is the error Push returns for a promise that a rule forbids;
// errors.Is(err, ErrPushNotAllowed) holds.
type PushError struct {
	// Reason names the rule, for example "the method is not safe and
	// cacheable (GET or HEAD)" or "the associated request has been
	// answered".
	Reason string
}

func (e *PushError) Error() string { return "handler: push not allowed: " + e.Reason }

// Unwrap returns ErrPushNotAllowed.
func (e *PushError) Unwrap() error { return ErrPushNotAllowed }

// PushRequest is the request a server push promises (RFC 9113 §8.4): the
// client will take the pushed response as the answer to it. :scheme is
// always the associated request's.
type PushRequest struct {
	// Method is GET (the default when empty) or HEAD: "Promised requests
	// MUST be safe ... and cacheable".
	Method string
	// Path is the request target in origin form ("/style.css?v=2").
	Path string
	// Authority is "" for the associated request's :authority; any other
	// value must be one the server is configured as authoritative for
	// (h2server.Config.PushAuthorities).
	Authority string
	// Header holds the request header fields the response depends on
	// (lowercase names; no content-length other than "0", no host, no
	// connection-specific fields). It must not be modified until the pushed
	// stream closes.
	Header []hpack.HeaderField
	// Handler receives the events of the pushed stream, as if the promised
	// request had arrived: OnHeaders and OnRequestDone as soon as the
	// promise is queued (the request has no body; BodyEnded is true), then
	// OnClose once, with NoError when the pushed response has been sent,
	// or the code of a client that refused it (RST_STREAM CANCEL or
	// REFUSED_STREAM) or of the connection's end. It may answer from
	// OnHeaders like any handler. Nil: events are dropped.
	Handler RequestHandler
}

// opPush: Handle.Push calls are waiting in Stream.pushq.
const opPush = opInfo << 1

// pushCall is a Handle.Push waiting for the connection goroutine.
type pushCall struct {
	req  PushRequest
	done chan pushResult // buffered: the connection goroutine never waits
}

type pushResult struct {
	h   Handle
	err error
}

// Push promises r on the client request s serves (RFC 9113 §8.4: a
// PUSH_PROMISE frame on s's stream, then a new server stream) and returns
// the pushed stream. Answer it with SendResponse (the body takes every form
// SendResponse takes, body generators with Resume included), from its
// Handler's OnHeaders, right away, or later from any goroutine through the
// pushed stream's Handle. The pushed response counts against the client's
// SETTINGS_MAX_CONCURRENT_STREAMS once it starts: beyond that limit its
// HEADERS wait until a pushed stream ends.
//
// Push must be called on the connection goroutine (from a callback of any
// stream of the connection, or a body generator) and before s's response:
// the promise must precede the response that refers to it (RFC 9113
// §8.4.1). From another goroutine, use Handle.Push.
//
// It returns ErrPushDisabled when the client disabled push, ErrStreamClosed
// when s has closed, and a *PushError (ErrPushNotAllowed) when a rule
// forbids the promise: s is answered already, or is itself pushed; the
// method is not GET or HEAD; the request announces content; the authority
// is not the server's; a GOAWAY was sent or received; the client allows no
// concurrent streams; h2server.Config.MaxPushPromises pushed streams are
// open. Nothing is sent then.
func (s *Stream) Push(r PushRequest) (*Stream, error) {
	if st := s.state.Load(); st&stClosed != 0 {
		return nil, ErrStreamClosed
	} else if st&stResponded != 0 {
		return nil, &PushError{Reason: string(h2conn.PushAnswered)}
	}
	return s.conn.push(s, r)
}

// Push is Stream.Push for code running on other goroutines: the promise is
// made by the connection goroutine, and Push waits for it (it must not be
// called on the connection goroutine, where it would wait forever). It
// returns the pushed stream's Handle, or the errors of Stream.Push.
func (h Handle) Push(r PushRequest) (Handle, error) {
	c := h.lockOpen()
	if c == nil {
		return Handle{}, ErrStreamClosed
	}
	if h.s.state.Load()&stResponded != 0 {
		c.mu.Unlock()
		return Handle{}, &PushError{Reason: string(h2conn.PushAnswered)}
	}
	call := &pushCall{req: r, done: make(chan pushResult, 1)}
	h.s.pushq = append(h.s.pushq, call)
	h.enqueueUnlock(c, opPush)
	res := <-call.done
	return res.h, res.err
}

// runPushes makes the promises Handle.Push queued for s (connection
// goroutine). It runs before the stream's other operations, so that a
// promise precedes the response queued after it.
func (c *connState) runPushes(s *Stream) {
	c.mu.Lock()
	calls := s.pushq
	s.pushq = nil
	c.mu.Unlock()
	for _, call := range calls {
		var res pushResult
		if ps, err := c.push(s, call.req); err != nil {
			res.err = err
		} else {
			res.h = ps.Handle()
		}
		call.done <- res
	}
}

// failPushesLocked releases the Handle.Push calls still waiting on a stream
// that closed (c.mu held).
func failPushesLocked(s *Stream) {
	for _, call := range s.pushq {
		call.done <- pushResult{err: ErrStreamClosed}
	}
	s.pushq = nil
}

// push makes the promise and starts the pushed stream's handler.
func (c *connState) push(s *Stream, r PushRequest) (*Stream, error) {
	if s.es == nil {
		return nil, ErrStreamClosed
	}
	method := r.Method
	if method == "" {
		method = "GET"
	}
	es, err := c.eng.PushPromise(s.es, h2conn.PushRequest{Method: method, Authority: r.Authority, Path: r.Path, Fields: r.Header})
	if err != nil {
		return nil, pushError(err)
	}
	ps := c.newStream(es)
	es.UserData = ps
	ps.handler = r.Handler
	if ps.handler == nil {
		ps.handler = BaseRequestHandler{}
	}
	c.log.Debug("h2: pushed", "stream", s.id, "promised", ps.id, "path", ps.path)
	func() {
		defer c.recoverHandler(ps, "OnHeaders")
		ps.handler.OnHeaders(ps)
	}()
	if ps.state.Load()&stClosed == 0 {
		defer c.recoverHandler(ps, "OnRequestDone")
		ps.handler.OnRequestDone(ps)
	}
	return ps, nil
}

// pushError turns the engine's refusals into this package's errors.
func pushError(err error) error {
	var refusal h2conn.PushRefusal
	switch {
	case errors.Is(err, h2conn.ErrPushDisabled):
		return ErrPushDisabled
	case errors.Is(err, h2conn.ErrStreamClosed), errors.Is(err, h2conn.ErrConnClosed):
		return ErrStreamClosed
	case errors.As(err, &refusal):
		return &PushError{Reason: string(refusal)}
	}
	return fmt.Errorf("handler: push failed: %w", err)
}
