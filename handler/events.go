package handler

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/reject"
)

// engineHandler is a Conn seen as the engine's Handler.
type engineHandler connState

// The RequestHandler's OnHeaders is held back until the engine's next
// callback: when the HEADERS frame carried END_STREAM the engine's
// OnEndStream for the stream follows at once, so the handler's OnHeaders can
// see Stream.BodyEnded (RFC 9113 §8.1: a request without content ends with
// its HEADERS frame). Any other callback, RunPending or Close delivers the
// held OnHeaders first, so the handlers see the engine's events in their
// order.
func (h *engineHandler) OnHeaders(es *h2conn.Stream) {
	c := (*connState)(h)
	c.deliverHeld()
	s := c.newStream(es)
	es.UserData = s
	c.held = s
}

// deliverHeld delivers the held OnHeaders, if any.
func (c *connState) deliverHeld() {
	if s := c.held; s != nil {
		c.held = nil
		c.startStream(s)
	}
}

// startStream creates the stream's RequestHandler and calls its OnHeaders.
func (c *connState) startStream(s *Stream) {
	defer c.recoverHandler(s, "OnHeaders")
	s.handler = c.factory(s)
	if s.handler == nil {
		s.handler = BaseRequestHandler{}
		s.Reset(RefusedStream)
		return
	}
	s.handler.OnHeaders(s)
}

func (h *engineHandler) OnData(es *h2conn.Stream, data []byte) {
	c := (*connState)(h)
	c.deliverHeld()
	s, _ := es.UserData.(*Stream)
	if s == nil {
		return
	}
	func() {
		defer c.recoverHandler(s, "OnData")
		s.handler.OnData(s, data)
	}()
	if _, manual := s.handler.(ManualFlowControl); !manual {
		c.eng.Consume(es, len(data))
	}
}

func (h *engineHandler) OnTrailers(es *h2conn.Stream) {
	c := (*connState)(h)
	c.deliverHeld()
	if s, _ := es.UserData.(*Stream); s != nil {
		s.trailer = c.fields(es.Trailers(), s.trailer[:0])
	}
}

func (h *engineHandler) OnEndStream(es *h2conn.Stream) {
	c := (*connState)(h)
	s, _ := es.UserData.(*Stream)
	if s == nil {
		c.deliverHeld()
		return
	}
	s.state.Or(stReqEnded)
	if c.held == s {
		// END_STREAM on the HEADERS frame: OnHeaders sees BodyEnded.
		c.held = nil
		c.startStream(s)
	} else {
		c.deliverHeld()
	}
	defer c.recoverHandler(s, "OnRequestDone")
	s.handler.OnRequestDone(s)
}

func (h *engineHandler) OnClose(es *h2conn.Stream, code h2conn.ErrCode) {
	c := (*connState)(h)
	c.deliverHeld()
	s, _ := es.UserData.(*Stream)
	es.UserData = nil
	if s == nil {
		return
	}
	s.es = nil
	s.closeCd = ErrCode(code)
	if c.opts.AccessLog != nil {
		c.logAccess(s, es, code)
	}
	// Under the mutex: from here on enqueue drops operations for s, and those
	// already queued are withdrawn, so that no queue entry outlives the stream
	// (a recycled Stream must not inherit them).
	c.mu.Lock()
	s.state.Or(stClosed)
	if s.ops != 0 {
		s.ops = 0
		c.pending = slices.DeleteFunc(c.pending, func(p *Stream) bool { return p == s })
	}
	failPushesLocked(s)
	c.mu.Unlock()
	s.ctxMu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.ctxMu.Unlock()
	func() {
		defer func() {
			if p := recover(); p != nil {
				c.log.Warn("h2: handler panicked in OnClose", "stream", s.id, "panic", p)
				c.reject(reject.HandlerPanic)
			}
		}()
		if s.handler != nil {
			s.handler.OnClose(s, ErrCode(code))
		}
	}()
	if s.state.Load()&stResponded != 0 {
		// The body belongs to the engine (applied) or to the withdrawn
		// operation: either way nobody reads it any more.
		s.src.close()
	}
	if c.opts.ReuseStreams {
		c.recycle(s)
	}
}

func (h *engineHandler) OnReject(name reject.Name) { (*connState)(h).reject(name) }

// recoverHandler turns a panic in a handler callback into RST_STREAM
// INTERNAL_ERROR on its stream, as the connection carries on.
func (c *connState) recoverHandler(s *Stream, where string) {
	if p := recover(); p != nil {
		c.log.Warn("h2: handler panicked; resetting the stream", "stream", s.id, "callback", where,
			"panic", fmt.Sprint(p))
		c.reject(reject.HandlerPanic)
		if s.handler == nil {
			s.handler = BaseRequestHandler{}
		}
		s.Reset(InternalError)
	}
}

// newStream creates (or recycles) the Stream of a new request.
func (c *connState) newStream(es *h2conn.Stream) *Stream {
	var s *Stream
	if n := len(c.free); n > 0 {
		s = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		s = &Stream{conn: c}
	}
	s.es, s.id = es, es.ID
	s.contentLength = es.ContentLength()
	c.accessStart(s)
	if es.EndStreamReceived() {
		s.state.Store(stReqEnded)
	}
	if c.opts.ReuseStreams {
		s.method, s.scheme, s.authority, s.path = es.Method(), es.Scheme(), es.Authority(), es.Path()
		s.protocol = es.Protocol()
		s.header = es.Fields()
	} else {
		s.method, s.scheme = internMethod(es.Method()), internScheme(es.Scheme())
		s.protocol = internProtocol(es.Protocol())
		s.authority, s.path, s.header = copyRequest(es.Authority(), es.Path(), es.Fields())
	}
	return s
}

// copyRequest copies the authority, the path and the header fields out of the
// engine's per-stream arena into one private block (one allocation for the
// bytes, one for the field slice), for Streams that may outlive OnClose.
func copyRequest(authority, path string, f []hpack.HeaderField) (string, string, []hpack.HeaderField) {
	n := len(authority) + len(path)
	for i := range f {
		n += len(f[i].Name) + len(f[i].Value)
	}
	if n == 0 && len(f) == 0 {
		return "", "", nil
	}
	buf := make([]byte, 0, n)
	buf = append(append(buf, authority...), path...)
	for i := range f {
		buf = append(append(buf, f[i].Name...), f[i].Value...)
	}
	// buf is never written again: the strings may share it.
	all := unsafe.String(unsafe.SliceData(buf), len(buf))
	off := 0
	take := func(l int) string {
		v := all[off : off+l]
		off += l
		return v
	}
	authority, path = take(len(authority)), take(len(path))
	var out []hpack.HeaderField
	if len(f) > 0 {
		out = make([]hpack.HeaderField, len(f))
		for i := range f {
			out[i] = hpack.HeaderField{Name: take(len(f[i].Name)), Value: take(len(f[i].Value)), Sensitive: f[i].Sensitive}
		}
	}
	return authority, path, out
}

// fields returns the request fields as the Stream keeps them: aliased with
// ReuseStreams, else copied into one private block.
func (c *connState) fields(f []hpack.HeaderField, dst []hpack.HeaderField) []hpack.HeaderField {
	if c.opts.ReuseStreams || len(f) == 0 {
		return f
	}
	_, _, out := copyRequest("", "", f)
	return out
}

// recycle returns a closed Stream to the free list, keeping its buffers. The
// generation changes under c.mu, so every Handle on the request just ended
// goes stale at once (its methods check the generation under c.mu), and the
// fields a stale Handle may touch are only written under c.mu. conn and gen
// are never reset.
func (c *connState) recycle(s *Stream) {
	s.ctxMu.Lock()
	s.ctx, s.cancel = nil, nil
	s.ctxMu.Unlock()
	c.mu.Lock()
	s.gen.Add(1)
	s.state.Store(0)
	s.ops, s.taken, s.resetCode, s.consume = 0, 0, 0, 0
	s.outTrail, s.info = nil, nil
	s.status, s.respHdr, s.stableHdr, s.src, s.closeCd = 0, nil, false, source{}, 0
	s.es, s.id = nil, 0
	s.method, s.scheme, s.authority, s.path, s.protocol = "", "", "", "", ""
	s.header, s.trailer = nil, s.trailer[:0]
	s.contentLength = 0
	s.handler = nil
	c.mu.Unlock()
	c.free = append(c.free, s)
}

func clone(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

func internMethod(m string) string {
	switch m {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	}
	return clone(m)
}

func internScheme(m string) string {
	switch m {
	case "https":
		return "https"
	case "http":
		return "http"
	}
	return clone(m)
}

// internProtocol returns a private copy of an RFC 8441 :protocol, without
// allocating for "" and "websocket".
func internProtocol(p string) string {
	switch p {
	case "":
		return ""
	case "websocket":
		return "websocket"
	}
	return clone(p)
}
