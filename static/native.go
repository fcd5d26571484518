package static

import (
	"io"
	"sync"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/prechecked"
)

// Handler returns a handler.Factory that serves the files with the native
// per-stream API (h2server.Server's Handler, or handlertest). It answers from
// OnHeaders and ignores a request body. Small files are sent from the cached
// bytes; large files are read with pread on the connection goroutine (as the
// handler package reads regular files) a frame at a time as flow control
// allows. A read that fails after the headers were sent resets the stream
// with INTERNAL_ERROR.
//
// Answering a small cached file allocates nothing here: the per-stream
// handlers are pooled and the header fields are precomputed per file.
func (s *Server) Handler() handler.Factory {
	return func(*handler.Stream) handler.RequestHandler {
		h := nativePool.Get().(*nativeStream)
		h.srv = s
		return h
	}
}

var nativePool = sync.Pool{New: func() any { return new(nativeStream) }}

// nativeStream is the handler of one stream; it keeps the file section being
// sent so that OnClose can release it, however the stream ended.
type nativeStream struct {
	srv  *Server
	st   *handler.Stream
	file *FileSection
	gen  handler.BodyGenerator
}

func (h *nativeStream) OnHeaders(st *handler.Stream) {
	r := Request{Method: st.Method(), Target: st.Path()}
	for _, f := range st.Header() {
		r.setHeader(f.Name, f.Value)
	}
	resp := h.srv.Resolve(&r)
	var body any
	switch {
	case resp.File != nil:
		h.st, h.file = st, resp.File
		if h.gen == nil {
			h.gen = h.next // bound once per pooled handler
		}
		body = h.gen
	case resp.boxed != nil && r.Method != "HEAD":
		body = resp.boxed
	case resp.Body != nil && r.Method != "HEAD":
		body = resp.Body
	}
	var err error
	if resp.checked {
		// Checked when the file entered the cache (Server.describe).
		err = prechecked.SendResponse(st, resp.Status, resp.Header, body)
	} else {
		err = st.SendResponse(resp.Status, resp.Header, body)
	}
	if err != nil {
		// A response the handler refuses (it cannot happen with the
		// fields Resolve builds) must still end the stream.
		resp.Release()
		h.file = nil
		st.Reset(handler.InternalError)
	}
}

// next is the body generator of a large file.
func (h *nativeStream) next(max int) ([]byte, handler.DataFlag) {
	b, err := h.file.Next(max)
	switch {
	case err == io.EOF:
		return nil, handler.DataEOF
	case err != nil:
		// The headers (and maybe some content) are out: the only honest
		// end is to abort the stream (RFC 9113 §8.1: a response shorter
		// than its content-length is malformed).
		h.st.Reset(handler.InternalError)
		return nil, handler.DataDeferred
	case h.file.Len() == 0:
		return b, handler.DataEOF
	}
	return b, handler.DataOK
}

func (*nativeStream) OnData(*handler.Stream, []byte) {}
func (*nativeStream) OnRequestDone(*handler.Stream)  {}

func (h *nativeStream) OnClose(*handler.Stream, handler.ErrCode) {
	if h.file != nil {
		h.file.Close()
	}
	h.srv, h.st, h.file = nil, nil, nil
	nativePool.Put(h)
}
