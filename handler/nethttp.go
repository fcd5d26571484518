package handler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// HTTPHandler returns a Factory that serves every stream with an ordinary
// net/http Handler, so that existing Go applications run on h2kit unchanged,
// with the semantics of net/http's own HTTP/2 server (the package doc lists
// the differences; a differential test pins them). h2server.NetHTTP serves
// the same handler over HTTP/1.1 with net/http itself.
//
// Each request runs h.ServeHTTP on its own goroutine (the connection goroutine
// never waits for it). The request body is streamed to r.Body under flow control:
// received bytes are returned to the peer's windows (WINDOW_UPDATE) only as the
// handler reads them, so a handler that does not read holds at most a stream
// window of body; what it left unread is dropped, and its window returned, when
// ServeHTTP returns. A request with "Expect: 100-continue" gets 100 Continue
// when the handler first reads r.Body (the field is removed from r.Header).
// Request trailers appear in r.Trailer once r.Body has returned io.EOF.
//
// The response is buffered up to 4 KiB: a handler that writes less and
// returns gets a content-length; beyond that, or on Flush (http.Flusher,
// http.ResponseController), the headers go out and the body streams as the
// peer's windows allow, with Write blocking while 64 KiB are waiting to be
// sent and Flush returning once what was written has been handed to the
// connection. The content-type is sniffed from the first bytes when the
// handler set none. As in net/http the header map is sent as it was at
// WriteHeader (or the first Write): later changes are not sent, and fields
// HTTP/2 forbids are dropped. WriteHeader with a 1xx status sends an interim
// response (103 Early Hints) with the current header map. Response trailers
// work as in net/http: names declared in the "Trailer" header before the first
// write (sent as trailers with their values when ServeHTTP returns), or header
// keys prefixed with http.TrailerPrefix. A response to HEAD gets the
// content-length and content-type of what the handler wrote, and no content.
//
// http.ResponseController works as with net/http's HTTP/2: Flush,
// SetReadDeadline (reads of r.Body fail with os.ErrDeadlineExceeded),
// SetWriteDeadline (the stream is reset with INTERNAL_ERROR when it passes),
// EnableFullDuplex (a no-op: HTTP/2 is full duplex); Hijack returns
// http.ErrNotSupported, the ResponseWriter not being an http.Hijacker.
//
// r.Context() is cancelled when the stream closes (the client reset it, the
// connection ended) and carries http.LocalAddrContextKey (and, with
// HTTPServer, http.ServerContextKey). A panic in the handler resets the
// stream with INTERNAL_ERROR after what was flushed (http.ErrAbortHandler
// does so silently).
//
// An RFC 8441 extended CONNECT has its :protocol in r.Header[":protocol"] and
// its URL parsed from :path, as in net/http.
func HTTPHandler(h http.Handler) Factory {
	return func(*Stream) RequestHandler { return &httpStream{h: h} }
}

// HTTPServer returns a Factory that serves hs.Handler (http.DefaultServeMux
// when nil) as HTTPHandler does, with hs as the request context's
// http.ServerContextKey, as net/http's own server sets it. Only the handler
// and that key are taken from hs: its limits, timeouts, BaseContext and
// ConnContext are HTTP/1.1 settings of net/http (HTTP/2 limits are the
// server's: h2server.Config). h2server.NetHTTP uses it, so that a handler
// finds the same *http.Server over HTTP/2 and over HTTP/1.1.
func HTTPServer(hs *http.Server) Factory {
	return func(*Stream) RequestHandler {
		h := hs.Handler
		if h == nil {
			h = http.DefaultServeMux
		}
		return &httpStream{h: h, srv: hs}
	}
}

const (
	httpPreBuffer = 4 << 10  // response bytes buffered before the headers go out
	httpOutMax    = 64 << 10 // response bytes waiting for the windows before Write blocks
)

// errStreamGone is what reads and writes return after the stream closed.
var errStreamGone = errors.New("handler: HTTP/2 stream closed")

// httpStream runs one request through a net/http Handler.
type httpStream struct {
	h   http.Handler
	srv *http.Server // http.ServerContextKey's value, or nil
	ref Handle       // the request, for the handler goroutine (never the *Stream: it may be recycled)
	log *slog.Logger

	mu   sync.Mutex
	cond sync.Cond

	body         BodyReader  // the request body: filled by OnData, drained by r.Body
	closed       bool        // the stream closed (OnClose)
	closeErr     error       // why writes fail after close
	trailersDone bool        // r.Trailer filled
	reqTrailer   http.Header // the request trailers, copied on the connection goroutine
	req          *http.Request

	expectContinue bool        // send 100 Continue on the first body read (mu)
	readTimer      *time.Timer // SetReadDeadline (mu)
	writeTimer     *time.Timer // SetWriteDeadline (mu)
	headLen        int         // bytes written in answer to HEAD, not sent
	readPassed     bool        // the read deadline passed: the body ends with errDeadline (mu)

	// Response.
	hdr      http.Header // the handler's header map (w.Header())
	snap     http.Header // hdr as it was at WriteHeader: what is sent
	status   int
	wrote    bool // WriteHeader happened (explicitly or implicitly)
	started  bool // SendResponse was called
	out      []byte
	outOff   int
	finished bool // ServeHTTP returned: out holds the last bytes
	deferred bool // the generator is waiting for Resume
	scratch  []byte
	trailers []string // declared trailer names (canonical)
}

// ManualFlowControl: request body bytes are consumed as r.Body is read.
func (hs *httpStream) ManualFlowControl() {}

func (hs *httpStream) OnHeaders(s *Stream) {
	hs.ref = s.Handle()
	hs.log = s.conn.log
	hs.cond.L = &hs.mu
	hs.body.Init(s)
	r, err := hs.newRequest(s)
	if err != nil {
		s.SendResponse(400, nil, err.Error()+"\n")
		hs.body.Close()
		return
	}
	hs.req = r
	hs.hdr = make(http.Header)
	go hs.serve()
}

func (hs *httpStream) newRequest(s *Stream) (*http.Request, error) {
	// The request outlives OnClose on the handler's goroutine: it must not
	// alias the engine's arena, which ReuseStreams lets a Stream do.
	method, authority, path, header := s.method, s.authority, s.path, s.header
	if s.conn.opts.ReuseStreams {
		method = internMethod(method)
		authority, path, header = copyRequest(authority, path, header)
	}
	u, err := url.ParseRequestURI(path)
	if method == "CONNECT" && s.protocol == "" {
		// RFC 9113 §8.5: a CONNECT has only :authority. An extended
		// CONNECT (RFC 8441 §4) has a :path, parsed as for other methods.
		u, err = &url.URL{Host: authority}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bad request target %q", path)
	}
	h := make(http.Header, len(header)+1)
	if s.protocol != "" {
		// As net/http does: the handler finds :protocol in the header.
		h[":protocol"] = []string{strings.Clone(s.protocol)}
	}
	var declared []string
	for _, f := range header {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		if k == "Trailer" {
			// As net/http: the declared names become r.Trailer's keys,
			// and the field leaves r.Header.
			for _, t := range strings.Split(f.Value, ",") {
				switch t = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(t)); t {
				case "", "Transfer-Encoding", "Trailer", "Content-Length":
				default:
					declared = append(declared, t)
				}
			}
			continue
		}
		h[k] = append(h[k], f.Value)
	}
	// As net/http: "Expect: 100-continue" is answered with 100 Continue
	// when the handler first reads the body, and leaves r.Header.
	if httpfield.HasToken(h["Expect"], "100-continue") {
		delete(h, "Expect")
		hs.expectContinue = !s.BodyEnded()
	}
	r := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     h,
		Host:       authority,
		RequestURI: path,
		RemoteAddr: addrString(s),
		TLS:        s.Conn().TLS,
	}
	r.ContentLength = s.ContentLength()
	if len(declared) > 0 {
		r.Trailer = make(http.Header, len(declared))
		for _, k := range declared {
			r.Trailer[k] = nil
		}
	}
	if s.BodyEnded() {
		r.ContentLength = 0
	}
	// Always the stream's reader, as net/http's HTTP/2 does: a request
	// without a body reads io.EOF (r.Body is not http.NoBody).
	r.Body = (*httpBody)(hs)
	return r.WithContext(&httpContext{Context: s.Context(), srv: hs.srv, local: s.Conn().LocalAddr}), nil
}

// httpContext adds the values net/http's server puts in every request's
// context (http.ServerContextKey, http.LocalAddrContextKey) to the stream's
// context, in one allocation. Cancellation is the stream's: a
// context.WithCancel below it finds the stream's cancelCtx through Value
// and starts no goroutine.
type httpContext struct {
	context.Context
	srv   *http.Server
	local net.Addr
}

func (c *httpContext) Value(key any) any {
	switch key {
	case http.ServerContextKey:
		if c.srv != nil {
			return c.srv
		}
	case http.LocalAddrContextKey:
		if c.local != nil {
			return c.local
		}
	}
	return c.Context.Value(key)
}

func addrString(s *Stream) string {
	if a := s.ClientAddr(); a != nil {
		return a.String()
	}
	return ""
}

func (hs *httpStream) OnData(s *Stream, data []byte) { hs.body.Write(data) }

func (hs *httpStream) OnRequestDone(s *Stream) {
	// Copy the trailers now: the Stream's own may alias the engine's arena
	// and do not outlive the stream, while r.Body may be read later.
	if tr := s.Trailers(); len(tr) > 0 {
		h := make(http.Header, len(tr))
		for _, f := range tr {
			k := textproto.CanonicalMIMEHeaderKey(f.Name)
			h[k] = append(h[k], strings.Clone(f.Value))
		}
		hs.mu.Lock()
		hs.reqTrailer = h
		hs.mu.Unlock()
	}
	hs.body.End(nil)
}

func (hs *httpStream) OnClose(s *Stream, code ErrCode) {
	err := errStreamGone
	if code != NoError {
		err = fmt.Errorf("%w: %v", errStreamGone, code)
	}
	hs.body.End(err)
	hs.mu.Lock()
	hs.closed = true
	if hs.closeErr == nil {
		hs.closeErr = err
	}
	stopTimer(&hs.readTimer)
	stopTimer(&hs.writeTimer)
	hs.cond.Broadcast()
	hs.mu.Unlock()
}

// httpBody is the request body reader (r.Body).
type httpBody httpStream

func (b *httpBody) Read(p []byte) (int, error) {
	hs := (*httpStream)(b)
	hs.mu.Lock()
	if hs.expectContinue {
		hs.expectContinue = false
		if !hs.started {
			// RFC 9110 §10.1.1: the client waits for 100 Continue (or
			// the final response) before sending the body.
			hs.ref.SendInformational(100, nil)
		}
	}
	passed := hs.readPassed
	hs.mu.Unlock()
	n, err := hs.body.Read(p)
	if err == io.EOF {
		if passed {
			// As net/http: an END_STREAM that came after the deadline
			// does not turn the deadline error into a clean end.
			return n, errDeadline
		}
		hs.fillTrailers()
	}
	return n, err
}

// fillTrailers copies the request trailers into r.Trailer, once.
func (hs *httpStream) fillTrailers() {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	tr := hs.reqTrailer
	if hs.trailersDone || len(tr) == 0 {
		return
	}
	hs.trailersDone = true
	if hs.req.Trailer == nil {
		hs.req.Trailer = make(http.Header, len(tr))
	}
	for k, vs := range tr {
		hs.req.Trailer[k] = append(hs.req.Trailer[k], vs...)
	}
}

func (b *httpBody) Close() error { return b.body.Close() }

// Test hooks, called with the request when set: testHookFinished by finish
// once the end of the body is visible to the connection goroutine,
// testHookServeDone when a request goroutine has finished everything it does
// (tests wait for them instead of sleeping).
var testHookFinished, testHookServeDone atomic.Pointer[func(*http.Request)]

func callHook(h *atomic.Pointer[func(*http.Request)], r *http.Request) {
	if f := h.Load(); f != nil {
		(*f)(r)
	}
}

// serve runs the handler on its own goroutine.
func (hs *httpStream) serve() {
	defer callHook(&testHookServeDone, hs.req)
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				hs.log.Warn("h2: net/http handler panicked; resetting the stream", "stream", hs.ref.ID(), "panic", fmt.Sprint(p))
			}
			hs.ref.Reset(InternalError)
			return
		}
		hs.finish()
	}()
	hs.h.ServeHTTP((*httpWriter)(hs), hs.req)
}

// finish ends the response after ServeHTTP returned. The trailers are handed
// to the stream before finished is set: the generator returns DataEOF only
// once it sees finished, so they can never come too late.
func (hs *httpStream) finish() {
	hs.mu.Lock()
	if hs.closed {
		// The stream closed, or a write deadline passed and its reset
		// is on the way: the response must not end cleanly.
		hs.mu.Unlock()
		callHook(&testHookFinished, hs.req)
		hs.closeBody()
		return
	}
	if !hs.wrote {
		hs.writeHeaderLocked(http.StatusOK)
	}
	if tr := hs.trailerFields(); len(tr) > 0 {
		// Before SendResponse, or while the generator cannot end the body:
		// SetTrailers fails only when the stream has closed.
		hs.ref.SetTrailers(tr)
	}
	if !hs.started {
		hs.sniffLocked()
		var body any
		n := len(hs.out) - hs.outOff
		if hs.isHead() {
			// The bytes written were counted, not kept: the engine
			// sends no content to HEAD (RFC 9110 §9.3.2). A body of
			// unknown length keeps the engine from adding a
			// content-length of its own: nothing written to a HEAD
			// response sends none, as in net/http.
			n = hs.headLen
			body = BodyGenerator(func(int) ([]byte, DataFlag) { return nil, DataEOF })
		} else {
			body = hs.out[hs.outOff:]
		}
		fields := hs.fields(n, true)
		hs.finished = true
		hs.mu.Unlock()
		callHook(&testHookFinished, hs.req)
		hs.ref.SendResponse(hs.status, fields, body)
		hs.closeBody()
		return
	}
	hs.finished = true
	wake := hs.deferred
	hs.mu.Unlock()
	callHook(&testHookFinished, hs.req)
	if wake {
		hs.ref.Resume()
	}
	hs.closeBody()
}

// closeBody returns the window of request body the handler never read
// (whatever the handler put in r.Body, such as an http.MaxBytesReader).
func (hs *httpStream) closeBody() { hs.body.Close() }

func (hs *httpStream) isHead() bool { return hs.req.Method == "HEAD" }

// trailerFields returns the response trailers (declared names, and
// TrailerPrefix keys) from the live header map, as net/http reads them when
// the handler returns (hs.mu held).
func (hs *httpStream) trailerFields() []hpack.HeaderField {
	var tr []hpack.HeaderField
	for _, k := range hs.trailers {
		for _, v := range hs.hdr[k] {
			tr = append(tr, hpack.HeaderField{Name: strings.ToLower(k), Value: strings.Trim(v, " \t")})
		}
	}
	for k, vs := range hs.hdr {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			for _, v := range vs {
				tr = append(tr, hpack.HeaderField{Name: strings.ToLower(name), Value: strings.Trim(v, " \t")})
			}
		}
	}
	return sanitize(tr)
}

// sanitize drops the fields the response field policy (internal/httpfield)
// refuses, as net/http and x/net drop invalid fields when they write a header.
func sanitize(f []hpack.HeaderField) []hpack.HeaderField {
	out := f[:0]
	for _, x := range f {
		if httpfield.CheckResponse(x.Name, x.Value) == "" {
			out = append(out, x)
		}
	}
	return out
}

// fields converts the header snapshot taken at WriteHeader to HTTP/2 fields;
// with final the body length n is known. As in net/http, a declared trailer
// that had a value at WriteHeader is sent in the header too.
func (hs *httpStream) fields(n int, final bool) []hpack.HeaderField {
	f := make([]hpack.HeaderField, 0, len(hs.snap)+2)
	for k, vs := range hs.snap {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		switch k {
		case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade":
			continue
		}
		name := strings.ToLower(k)
		for _, v := range vs {
			// RFC 9113 §8.2.1 forbids surrounding SP and HTAB: trim them
			// as net/http does; other control characters make the field dropped.
			f = append(f, hpack.HeaderField{Name: name, Value: strings.Trim(v, " \t")})
		}
	}
	// As net/http: the length of what the handler wrote when it returned
	// first, except a HEAD response to which nothing was written.
	if final && hs.snap.Get("Content-Length") == "" && bodyAllowed(hs.status) && (n > 0 || !hs.isHead()) {
		f = append(f, hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(n)})
	}
	return sanitize(f)
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// writeHeaderLocked records the status and, as net/http does, a snapshot of
// the header map: later changes are not sent, except declared trailers.
func (hs *httpStream) writeHeaderLocked(code int) {
	hs.wrote = true
	hs.status = code
	hs.snap = hs.hdr.Clone()
	if hs.snap == nil {
		hs.snap = http.Header{}
	}
	for _, v := range hs.snap["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				hs.trailers = append(hs.trailers, textproto.CanonicalMIMEHeaderKey(k))
			}
		}
	}
}

// startLocked sends the response headers with a streamed body (mu held).
func (hs *httpStream) startLocked() {
	if hs.started {
		return
	}
	if !hs.wrote {
		hs.writeHeaderLocked(http.StatusOK)
	}
	hs.sniffLocked()
	hs.started = true
	f := hs.fields(0, false)
	hs.mu.Unlock()
	hs.ref.SendResponse(hs.status, f, BodyGenerator(hs.generate))
	hs.mu.Lock()
}

// sniffLocked sets a content-type from the first bytes, as net/http does, when
// the handler set none. A HEAD response sniffs what was written to it.
func (hs *httpStream) sniffLocked() {
	if _, ok := hs.snap["Content-Type"]; !ok && bodyAllowed(hs.status) && len(hs.out) > hs.outOff {
		hs.snap.Set("Content-Type", http.DetectContentType(hs.out[hs.outOff:]))
	}
}

// generate is the streamed body's generator (connection goroutine).
func (hs *httpStream) generate(max int) ([]byte, DataFlag) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.closed {
		// A write deadline passed: the reset queued will end the stream.
		hs.deferred = true
		return nil, DataDeferred
	}
	avail := len(hs.out) - hs.outOff
	if avail == 0 {
		if hs.finished {
			return nil, DataEOF
		}
		hs.deferred = true
		return nil, DataDeferred
	}
	n := min(max, avail)
	if cap(hs.scratch) < n {
		hs.scratch = make([]byte, max)
	}
	data := hs.scratch[:n]
	copy(data, hs.out[hs.outOff:])
	hs.outOff += n
	if hs.outOff == len(hs.out) {
		hs.out, hs.outOff = hs.out[:0], 0
		hs.cond.Broadcast() // a blocked Write may go on
		if hs.finished {
			return data, DataEOF
		}
	}
	return data, DataOK
}

// httpWriter is the http.ResponseWriter (and http.Flusher) of an httpStream.
type httpWriter httpStream

func (w *httpWriter) Header() http.Header { return w.hdr }

func (w *httpWriter) WriteHeader(code int) {
	hs := (*httpStream)(w)
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.wrote {
		return
	}
	if code < 200 {
		hs.informationalLocked(code)
		return
	}
	hs.writeHeaderLocked(code)
}

// informationalLocked sends a 1xx response with the current header map
// (without content-length and transfer-encoding), which is not cleared, as
// net/http does (RFC 8297 §2: the final response may repeat the hints). RFC
// 9113 §8.6 forbids 101 in HTTP/2: it is dropped.
func (hs *httpStream) informationalLocked(code int) {
	if code == http.StatusSwitchingProtocols || hs.closed {
		return
	}
	var f []hpack.HeaderField
	for k, vs := range hs.hdr {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Upgrade":
			continue
		}
		if strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		name := strings.ToLower(k)
		for _, v := range vs {
			f = append(f, hpack.HeaderField{Name: name, Value: strings.Trim(v, " \t")})
		}
	}
	if code == http.StatusContinue {
		hs.expectContinue = false // sent by the handler itself
	}
	hs.ref.SendInformational(code, sanitize(f))
}

func (w *httpWriter) Write(p []byte) (int, error) {
	hs := (*httpStream)(w)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if !hs.wrote {
		hs.writeHeaderLocked(http.StatusOK)
	}
	if hs.isHead() {
		return hs.writeHeadLocked(p), nil
	}
	if !bodyAllowed(hs.status) {
		return 0, http.ErrBodyNotAllowed
	}
	written := 0
	for len(p) > 0 {
		if hs.closed {
			return written, hs.closeErr
		}
		pending := len(hs.out) - hs.outOff
		if !hs.started {
			// Fill the pre-buffer first, so that the content-type is
			// sniffed from the first bytes however they were written.
			n := min(len(p), httpPreBuffer-pending)
			hs.out = append(hs.out, p[:n]...)
			p = p[n:]
			written += n
			if len(p) > 0 {
				hs.startLocked()
			}
			continue
		}
		if pending >= httpOutMax {
			hs.cond.Wait()
			continue
		}
		n := min(len(p), httpOutMax-pending)
		hs.out = append(hs.out, p[:n]...)
		p = p[n:]
		written += n
		if hs.deferred {
			hs.deferred = false
			hs.ref.Resume()
		}
	}
	return written, nil
}

// writeHeadLocked takes a write in answer to HEAD: it is counted for the
// content-length and its first bytes kept for sniffing the content-type, as
// net/http does; more than the pre-buffer sends the headers without a
// length.
func (hs *httpStream) writeHeadLocked(p []byte) int {
	hs.headLen += len(p)
	if !hs.started {
		n := min(len(p), httpPreBuffer-len(hs.out))
		hs.out = append(hs.out, p[:n]...)
		if hs.headLen > httpPreBuffer {
			hs.startLocked()
		}
	}
	return len(p)
}

// Flush sends the response headers (if not yet sent) and everything written so
// far, as the windows allow.
func (w *httpWriter) Flush() { w.FlushError() }

// FlushError is Flush for http.ResponseController: like net/http's HTTP/2 it
// returns once what was written has been handed to the connection (so that a
// reset that follows, such as a panic's, comes after it), which may wait for
// the peer's flow-control windows, and an error when the stream has closed.
func (w *httpWriter) FlushError() error {
	hs := (*httpStream)(w)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.closed {
		return hs.closeErr
	}
	hs.startLocked()
	if hs.isHead() || !bodyAllowed(hs.status) {
		return nil // no content: the generator never runs
	}
	if hs.deferred {
		hs.deferred = false
		hs.ref.Resume()
	}
	for !hs.closed && len(hs.out) > hs.outOff {
		hs.cond.Wait()
	}
	if hs.closed {
		return hs.closeErr
	}
	return nil
}

// EnableFullDuplex is a no-op, as in net/http's HTTP/2: an HTTP/2 stream
// always lets the handler read the request while it writes the response.
func (w *httpWriter) EnableFullDuplex() error { return nil }

// errDeadline is wrapped, as net/http does, so that callers test it with
// errors.Is(err, os.ErrDeadlineExceeded).
var errDeadline = fmt.Errorf("handler: %w", os.ErrDeadlineExceeded)

// SetReadDeadline, for http.ResponseController, sets when reads of the
// request body start failing with an error that is os.ErrDeadlineExceeded
// (bytes already received are still returned first); the zero time clears
// it, as in net/http's HTTP/2. Once passed, a deadline stays passed.
func (w *httpWriter) SetReadDeadline(t time.Time) error {
	hs := (*httpStream)(w)
	return hs.setDeadline(&hs.readTimer, t, hs.readExpired)
}

// SetWriteDeadline, for http.ResponseController, sets when the stream is
// reset with INTERNAL_ERROR if the response has not been sent completely,
// as net/http's HTTP/2 does; writes fail from then on with an error that is
// os.ErrDeadlineExceeded. The zero time clears it.
func (w *httpWriter) SetWriteDeadline(t time.Time) error {
	hs := (*httpStream)(w)
	return hs.setDeadline(&hs.writeTimer, t, hs.writeExpired)
}

func (hs *httpStream) readExpired() {
	hs.mu.Lock()
	hs.readPassed = true
	hs.mu.Unlock()
	hs.body.End(errDeadline)
}

func (hs *httpStream) writeExpired() {
	hs.mu.Lock()
	if !hs.closed {
		hs.closed, hs.closeErr = true, errDeadline
		hs.cond.Broadcast()
	}
	hs.mu.Unlock()
	hs.ref.Reset(InternalError)
}

// setDeadline arms *timer to run expire at t, or runs it before returning
// when t has passed (so that the next read or write fails, as in net/http);
// the zero time disarms it. Timers are stopped when the stream closes.
func (hs *httpStream) setDeadline(timer **time.Timer, t time.Time, expire func()) error {
	hs.mu.Lock()
	if hs.closed {
		err := hs.closeErr
		hs.mu.Unlock()
		return err
	}
	if *timer != nil && !(*timer).Stop() {
		hs.mu.Unlock()
		return nil // already expired
	}
	*timer = nil
	now := !t.IsZero() && !t.After(time.Now())
	if !t.IsZero() && !now {
		*timer = time.AfterFunc(time.Until(t), expire)
	}
	hs.mu.Unlock()
	if now {
		expire()
	}
	return nil
}

func stopTimer(t **time.Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}
