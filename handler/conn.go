package handler

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// ConnInfo describes the connection a stream arrived on.
type ConnInfo struct {
	ClientAddr net.Addr             // the peer's address
	LocalAddr  net.Addr             // the server's address
	TLS        *tls.ConnectionState // nil for h2c
}

// Options are the per-connection settings of the handler layer.
type Options struct {
	// DisableDate stops the library from adding a date header to responses.
	DisableDate bool
	// ReuseStreams lets the connection recycle a Stream (and its handler-layer
	// buffers, and alias request strings to the engine's per-stream arena)
	// once OnClose has returned, which makes a request that is answered from
	// its callbacks allocation-free. Set it only when no code touches a Stream
	// after its OnClose returned: not a goroutine that may still call
	// SendResponse or Resume, nor code that keeps its strings or header slice.
	// With it off (the default) every stream is a fresh object whose request
	// strings are private copies, safe to use for as long as wanted.
	ReuseStreams bool
	// Logger receives handler panics and misbehaving body generators at Warn,
	// and stream-level details at Debug. Nil discards.
	Logger *slog.Logger
	// OnReject is called with a stable name for every rejected input (see
	// h2conn's reject list) and for "handler_panic" and "body_generator_error".
	OnReject func(name string)
	// BaseContext is the parent of every Stream.Context; nil means
	// context.Background().
	BaseContext context.Context
}

// Conn connects the HTTP/2 engine of one connection to the RequestHandlers of its
// streams: it receives the engine's events, creates a Stream and a handler per
// request, calls the handler, and applies the handler's SendResponse, Resume and
// Reset calls to the engine on the connection goroutine.
//
// A server loop (h2server) owns a Conn: it feeds the engine, writes its output,
// and calls RunPending whenever it has been woken or has fed bytes. Everything
// except the Stream methods must be called on that one goroutine.
type Conn struct {
	eng     *h2conn.Conn
	factory Factory
	info    ConnInfo
	opts    Options
	log     *slog.Logger

	// wake is called (outside mu) when a Stream method called from another
	// goroutine queued work while the loop was asleep.
	wake func()

	mu       sync.Mutex
	pending  []*Stream
	sleeping bool

	work    []*Stream // pending taken by RunPending
	free    []*Stream // recycled Streams (ReuseStreams)
	scratch []byte    // inline reader buffer
	hdr     []hpack.HeaderField
	now     time.Time // the loop's clock (SetTime)
	// The last content-length formatted above smallInts.
	lastLen    int64
	lastLenStr string
}

// NewConn returns the handler layer of a new server connection with engine
// configuration cfg; wake is how the loop is woken by other goroutines (it must
// not block). The engine's SETTINGS are queued at once.
func NewConn(cfg h2conn.Config, f Factory, info ConnInfo, opts Options, wake func()) (*Conn, error) {
	c := &Conn{factory: f, info: info, opts: opts, wake: wake, log: opts.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	eng, err := h2conn.NewServerConn(cfg, (*engineHandler)(c))
	if err != nil {
		return nil, err
	}
	c.eng = eng
	return c, nil
}

// SetTime tells the Conn the time the loop last read its clock; date headers use
// it instead of reading the clock for every response. Without it (or with the
// zero time) every response reads the clock.
func (c *Conn) SetTime(now time.Time) { c.now = now }

// Engine returns the connection's engine, for the server loop.
func (c *Conn) Engine() *h2conn.Conn { return c.eng }

func (c *Conn) baseContext() context.Context {
	if c.opts.BaseContext != nil {
		return c.opts.BaseContext
	}
	return context.Background()
}

// enqueue records op for s and wakes the loop if it is asleep.
func (c *Conn) enqueue(s *Stream, op uint8) {
	c.mu.Lock()
	wake := c.enqueueLocked(s, op)
	c.mu.Unlock()
	if wake {
		c.wake()
	}
}

// enqueueLocked records op for s (c.mu held) and reports whether the loop must
// be woken.
func (c *Conn) enqueueLocked(s *Stream, op uint8) bool {
	if s.ops == 0 {
		c.pending = append(c.pending, s)
	}
	s.ops |= op
	wake := c.sleeping
	c.sleeping = false
	return wake
}

// Sleep tells the Conn that the loop is about to block (in a read). It reports
// false when work is pending, in which case the loop must call RunPending
// instead of blocking. After Sleep returned true, the next enqueue calls wake.
func (c *Conn) Sleep() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 {
		c.sleeping = false
		return false
	}
	c.sleeping = true
	return true
}

// Awake tells the Conn that the loop is running again (it returned from a read).
func (c *Conn) Awake() {
	c.mu.Lock()
	c.sleeping = false
	c.mu.Unlock()
}

// HasPending reports whether Stream methods queued work for RunPending.
func (c *Conn) HasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0
}

// RunPending applies the operations queued by Stream methods (SendResponse,
// Resume, Reset, consumed request data) to the engine, in the order the streams
// first queued them. It runs until nothing is pending.
func (c *Conn) RunPending() {
	for {
		c.mu.Lock()
		if len(c.pending) == 0 {
			c.mu.Unlock()
			return
		}
		c.work, c.pending = c.pending, c.work[:0]
		for _, s := range c.work {
			s.taken, s.ops = s.ops, 0
		}
		c.mu.Unlock()
		for i, s := range c.work {
			c.apply(s)
			c.work[i] = nil
		}
	}
}

// apply performs the operations taken for s.
func (c *Conn) apply(s *Stream) {
	ops := s.taken
	s.taken = 0
	if s.es == nil {
		// The stream closed before the operation could be applied.
		if ops&opRespond != 0 {
			s.src.close()
		}
		return
	}
	if ops&opReset != 0 {
		c.mu.Lock()
		code := s.resetCode
		c.mu.Unlock()
		if ops&opRespond != 0 {
			s.src.close()
		}
		c.eng.Reset(s.es, code)
		return
	}
	if ops&opRespond != 0 {
		c.respond(s)
	}
	if ops&opConsume != 0 && s.es != nil {
		c.mu.Lock()
		n := s.consume
		s.consume = 0
		c.mu.Unlock()
		c.eng.Consume(s.es, n)
	}
	if ops&opResume != 0 && s.es != nil {
		c.eng.Resume(s.es)
	}
}

// respond sends the response recorded by SendResponse.
func (c *Conn) respond(s *Stream) {
	src := &s.src
	hdr := append(c.hdr[:0], s.respHdr...)
	var hasLen, hasDate bool
	for i := range s.respHdr {
		switch s.respHdr[i].Name {
		case "content-length":
			hasLen = true
		case "date":
			hasDate = true
		}
	}
	// RFC 9110 §8.6: content-length when the length is known in advance; for
	// 204 and 304 (§15.3.5, §15.4.5) and 1xx no content is sent.
	noContent := s.status == 204 || s.status == 304
	if !hasLen && src.length >= 0 && !noContent {
		hdr = append(hdr, hpack.HeaderField{Name: "content-length", Value: c.itoa(src.length)})
	}
	// RFC 9110 §6.6.1: "An origin server with a clock ... MUST generate a Date
	// header field" in 2xx, 3xx and 4xx responses (and MAY in others).
	if !hasDate && !c.opts.DisableDate {
		hdr = append(hdr, hpack.HeaderField{Name: "date", Value: httpDate(c.now)})
	}
	c.hdr = hdr[:0]

	c.mu.Lock()
	trailers := s.outTrail
	c.mu.Unlock()
	// RFC 9110 §9.3.2: the server "MUST NOT send content in the response" to HEAD.
	if s.method == "HEAD" || noContent {
		src.close()
	}
	if src.kind == bodyNone {
		s.state.Or(stBodyEnded)
		if len(trailers) == 0 {
			if err := c.eng.SendHeaders(s.es, s.status, hdr, true); err != nil {
				c.streamFailed(s, err)
			}
			return
		}
		if err := c.eng.SendHeaders(s.es, s.status, hdr, false); err != nil {
			c.streamFailed(s, err)
			return
		}
		if err := c.eng.SendTrailers(s.es, trailers); err != nil {
			c.streamFailed(s, err)
		}
		return
	}
	if err := c.eng.SendHeaders(s.es, s.status, hdr, false); err != nil {
		c.streamFailed(s, err)
		return
	}
	var err error
	if src.kind == bodyBytes && len(trailers) == 0 {
		s.state.Or(stBodyEnded)
		err = c.eng.SetBodyBytes(s.es, src.b)
		src.b = nil
	} else {
		err = c.eng.SetBody(s.es, (*streamBody)(s))
	}
	if err != nil {
		c.streamFailed(s, err)
	}
}

// streamFailed resets a stream whose response the engine refused.
func (c *Conn) streamFailed(s *Stream, err error) {
	c.log.Debug("h2: response refused", "stream", s.id, "err", err)
	if s.es != nil {
		c.eng.Reset(s.es, InternalError)
	}
}

func (c *Conn) itoa(n int64) string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	// Servers often send the same large file repeatedly: keep the last one.
	if n != c.lastLen || c.lastLenStr == "" {
		c.lastLen, c.lastLenStr = n, strconv.FormatInt(n, 10)
	}
	return c.lastLenStr
}

// smallInts caches the content-length strings of small bodies.
var smallInts = func() []string {
	s := make([]string, 1025)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// streamBody is a Stream seen as the engine's BodySource and TrailerSource.
type streamBody Stream

func (b *streamBody) Read(max int) ([]byte, h2conn.DataFlag) {
	s := (*Stream)(b)
	c := s.conn
	if len(c.scratch) < max {
		c.scratch = make([]byte, max)
	}
	data, flag, err := s.src.next(max, c.scratch)
	if err != nil {
		c.log.Warn("h2: response body failed; resetting the stream", "stream", s.id, "err", err)
		c.reject("body_generator_error")
		// The engine resets the stream with INTERNAL_ERROR on an unknown flag.
		return nil, h2conn.DataFlag(0xff)
	}
	if flag == DataEOF {
		s.state.Or(stBodyEnded)
	}
	return data, h2conn.DataFlag(flag)
}

func (b *streamBody) Trailers() []hpack.HeaderField {
	s := (*Stream)(b)
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	return s.outTrail
}

func (c *Conn) reject(name string) {
	if c.opts.OnReject != nil {
		c.opts.OnReject(name)
	}
}

// engineHandler is a Conn seen as the engine's Handler.
type engineHandler Conn

func (h *engineHandler) OnHeaders(es *h2conn.Stream) {
	c := (*Conn)(h)
	s := c.newStream(es)
	es.UserData = s
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
	c := (*Conn)(h)
	s, _ := es.UserData.(*Stream)
	if s == nil {
		return
	}
	func() {
		defer c.recoverHandler(s, "OnData")
		s.handler.OnData(s, data)
	}()
	if _, manual := s.handler.(manualConsumer); !manual {
		c.eng.Consume(es, len(data))
	}
}

func (h *engineHandler) OnTrailers(es *h2conn.Stream) {
	c := (*Conn)(h)
	if s, _ := es.UserData.(*Stream); s != nil {
		s.trailer = c.fields(es.Trailers(), s.trailer[:0])
	}
}

func (h *engineHandler) OnEndStream(es *h2conn.Stream) {
	c := (*Conn)(h)
	s, _ := es.UserData.(*Stream)
	if s == nil {
		return
	}
	defer c.recoverHandler(s, "OnRequestDone")
	s.handler.OnRequestDone(s)
}

func (h *engineHandler) OnClose(es *h2conn.Stream, code h2conn.ErrCode) {
	c := (*Conn)(h)
	s, _ := es.UserData.(*Stream)
	es.UserData = nil
	if s == nil {
		return
	}
	s.es = nil
	s.closeCd = code
	c.mu.Lock()
	s.state.Or(stClosed)
	queued := s.ops&opRespond != 0
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
				c.reject("handler_panic")
			}
		}()
		if s.handler != nil {
			s.handler.OnClose(s, code)
		}
	}()
	if !queued && s.state.Load()&stResponded != 0 {
		// SendResponse's op was applied (or is being set up by another
		// goroutine, which only happens without ReuseStreams; then the queued
		// op closes the body when it is applied).
		s.src.close()
	}
	if c.opts.ReuseStreams {
		c.recycle(s)
	}
}

func (h *engineHandler) OnReject(name string) { (*Conn)(h).reject(name) }

// recoverHandler turns a panic in a handler callback into RST_STREAM
// INTERNAL_ERROR on its stream, as the connection carries on.
func (c *Conn) recoverHandler(s *Stream, where string) {
	if p := recover(); p != nil {
		c.log.Warn("h2: handler panicked; resetting the stream", "stream", s.id, "callback", where,
			"panic", fmt.Sprint(p))
		c.reject("handler_panic")
		if s.handler == nil {
			s.handler = BaseRequestHandler{}
		}
		s.Reset(InternalError)
	}
}

// newStream creates (or recycles) the Stream of a new request.
func (c *Conn) newStream(es *h2conn.Stream) *Stream {
	var s *Stream
	if n := len(c.free); n > 0 {
		s = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		s = &Stream{}
	}
	s.conn, s.es, s.id = c, es, es.ID
	s.contentLength = es.ContentLength()
	if c.opts.ReuseStreams {
		s.method, s.scheme, s.authority, s.path = es.Method(), es.Scheme(), es.Authority(), es.Path()
		s.header = es.Fields()
	} else {
		s.method, s.scheme, s.authority, s.path = internMethod(es.Method()), internScheme(es.Scheme()),
			clone(es.Authority()), clone(es.Path())
		s.header = c.fields(es.Fields(), nil)
	}
	return s
}

// fields returns the request fields as the Stream keeps them: aliased with
// ReuseStreams, else copied into one private block.
func (c *Conn) fields(f []hpack.HeaderField, dst []hpack.HeaderField) []hpack.HeaderField {
	if c.opts.ReuseStreams || len(f) == 0 {
		return f
	}
	n := 0
	for i := range f {
		n += len(f[i].Name) + len(f[i].Value)
	}
	buf := make([]byte, 0, n)
	for i := range f {
		buf = append(buf, f[i].Name...)
		buf = append(buf, f[i].Value...)
	}
	all := string(buf)
	out := make([]hpack.HeaderField, len(f))
	off := 0
	for i := range f {
		nl, vl := len(f[i].Name), len(f[i].Value)
		out[i] = hpack.HeaderField{Name: all[off : off+nl], Value: all[off+nl : off+nl+vl], Sensitive: f[i].Sensitive}
		off += nl + vl
	}
	return out
}

// recycle returns a closed Stream to the free list, keeping its buffers.
func (c *Conn) recycle(s *Stream) {
	*s = Stream{trailer: s.trailer[:0]}
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

// manualConsumer is implemented by handlers that return request body bytes to
// the flow-control windows themselves (the net/http adapter) instead of when
// OnData returns.
type manualConsumer interface{ manualConsume() }

// Close ends the handler side of the connection after the engine has finished or
// the socket failed: every stream still open gets OnClose(code).
func (c *Conn) Close(code ErrCode) {
	c.eng.CloseStreams(code)
	// Discard what was queued for the streams just closed, releasing their
	// bodies (open files, pump goroutines).
	c.RunPending()
}

// dateEntry is the date header value for one second.
type dateEntry struct {
	sec  int64
	text string
}

var dateNow atomic.Pointer[dateEntry]

// httpDate returns now (the current time when zero) in the IMF-fixdate format
// of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per
// second.
func httpDate(now time.Time) string {
	if now.IsZero() {
		now = time.Now()
	}
	sec := now.Unix()
	if d := dateNow.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateEntry{sec: sec, text: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	dateNow.Store(d)
	return d.text
}
