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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// HTTPHandler returns a Factory that serves every stream with an ordinary
// net/http Handler, so that existing Go applications run on h2kit unchanged.
//
// Each request runs h.ServeHTTP on its own goroutine (the connection goroutine
// never waits for it). The request body is streamed to r.Body under flow control:
// received bytes are returned to the peer's windows (WINDOW_UPDATE) only as the
// handler reads them, so a handler that does not read holds at most a stream
// window of body. The response is buffered up to 4 KiB: a handler that writes
// less and returns gets a content-length; beyond that, or on Flush
// (http.Flusher), the headers go out and the body streams as the peer's windows
// allow, with Write blocking while 64 KiB are waiting to be sent. As in
// net/http the header map is sent as it was at WriteHeader (or the first
// Write): later changes are not sent, and fields HTTP/2 forbids are dropped.
// Response trailers work as in net/http: names declared in the "Trailer"
// header before the first write (sent only as trailers, with their values when
// ServeHTTP returns), or header keys prefixed with http.TrailerPrefix.
// Request trailers appear in r.Trailer once r.Body has returned io.EOF.
//
// An RFC 8441 extended CONNECT has its :protocol in r.Header[":protocol"] and
// its URL parsed from :path, as in net/http.
//
// r.Context() is cancelled when the stream closes; a panic in the handler
// resets the stream with INTERNAL_ERROR (http.ErrAbortHandler does so silently).
// 1xx responses written with WriteHeader are not sent.
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
		h[k] = append(h[k], f.Value)
		if k == "Trailer" {
			for _, t := range strings.Split(f.Value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					declared = append(declared, textproto.CanonicalMIMEHeaderKey(t))
				}
			}
		}
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
		r.Body = http.NoBody
		r.ContentLength = 0
	} else {
		r.Body = (*httpBody)(hs)
	}
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
	hs.closeErr = err
	hs.cond.Broadcast()
	hs.mu.Unlock()
}

// httpBody is the request body reader (r.Body).
type httpBody httpStream

func (b *httpBody) Read(p []byte) (int, error) {
	hs := (*httpStream)(b)
	n, err := hs.body.Read(p)
	if err == io.EOF {
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
		body := hs.out[hs.outOff:]
		fields := hs.fields(len(body), true)
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

// closeBody returns the window of request body the handler never read.
func (hs *httpStream) closeBody() {
	if b, ok := hs.req.Body.(*httpBody); ok {
		b.Close()
	}
}

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
// with final the body length n is known. Declared trailers are sent as
// trailers only.
func (hs *httpStream) fields(n int, final bool) []hpack.HeaderField {
	f := make([]hpack.HeaderField, 0, len(hs.snap)+2)
	for k, vs := range hs.snap {
		if strings.HasPrefix(k, http.TrailerPrefix) || slices.Contains(hs.trailers, k) {
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
	if final && hs.snap.Get("Content-Length") == "" && bodyAllowed(hs.status) && hs.req.Method != "HEAD" {
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
// the handler set none.
func (hs *httpStream) sniffLocked() {
	if _, ok := hs.snap["Content-Type"]; !ok && bodyAllowed(hs.status) && len(hs.out) > hs.outOff {
		hs.snap.Set("Content-Type", http.DetectContentType(hs.out[hs.outOff:]))
	}
}

// generate is the streamed body's generator (connection goroutine).
func (hs *httpStream) generate(max int) ([]byte, DataFlag) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
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
	if hs.wrote || code < 200 {
		return
	}
	hs.writeHeaderLocked(code)
}

func (w *httpWriter) Write(p []byte) (int, error) {
	hs := (*httpStream)(w)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if !hs.wrote {
		hs.writeHeaderLocked(http.StatusOK)
	}
	if !bodyAllowed(hs.status) || hs.req.Method == "HEAD" {
		if hs.req.Method == "HEAD" {
			return len(p), nil
		}
		return 0, http.ErrBodyNotAllowed
	}
	written := 0
	for len(p) > 0 {
		if hs.closed {
			return written, hs.closeErr
		}
		pending := len(hs.out) - hs.outOff
		if !hs.started && pending+len(p) > httpPreBuffer {
			hs.startLocked()
			continue
		}
		if hs.started && pending >= httpOutMax {
			hs.cond.Wait()
			continue
		}
		n := len(p)
		if hs.started {
			n = min(n, httpOutMax-pending)
		}
		hs.out = append(hs.out, p[:n]...)
		p = p[n:]
		written += n
		if hs.started && hs.deferred {
			hs.deferred = false
			hs.ref.Resume()
		}
	}
	return written, nil
}

// Flush sends the response headers (if not yet sent) and everything written so
// far, as the windows allow.
func (w *httpWriter) Flush() {
	hs := (*httpStream)(w)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.closed {
		return
	}
	hs.startLocked()
	if hs.deferred {
		hs.deferred = false
		hs.ref.Resume()
	}
}
