package static

import (
	"io"
	"net/http"

	"github.com/h2kit/h2kit/internal/rgiloan"
	"github.com/h2kit/h2kit/rgi"
)

// App returns the files as an RGI app, for the HTTP/1.1 engine (rgi.Server,
// h2server's HTTP/1.1 fallback) and for rgi/rgih2. Its responses carry the
// same status and fields as the other front ends; the date is added by the
// RGI server (or, through rgi/rgih2, by the HTTP/2 handler layer). A large
// file is sent by the rgi engine with sendfile(2) from the cached descriptor
// on a TCP connection (with pread through its buffered writer over TLS); a
// read failure midway ends the connection, which is how HTTP/1.1 tells a
// client that a content-length response is incomplete.
func (s *Server) App() rgi.App { return rgiApp{s} }

type rgiApp struct{ s *Server }

func (a rgiApp) Serve(sess *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if r.Body != nil {
		// No request body is used; drain it so the connection stays usable.
		io.Copy(io.Discard, r.Body)
	}
	req := Request{Method: r.Method, Target: r.URI}
	for k, v := range r.Headers {
		req.setHeader(k, v)
	}
	resp := a.s.Resolve(&req)
	// The date comes from the RGI server (rgi.Options.DisableDate) or,
	// through rgih2, from the HTTP/2 handler layer, as for any app.
	var h map[string]string
	if resp.h1 != nil {
		h = rgiloan.Headers(b, resp.h1) // a copy (see internal/rgiloan)
	} else {
		h = fieldsMap(resp.Header)
	}
	out := rgi.Response{Status: resp.Status, Reason: http.StatusText(resp.Status), Headers: h}
	switch {
	case r.Method == "HEAD":
		resp.Release()
	case resp.File != nil:
		out.Body = b.Body(sectionBody{resp.File.sectionReader(), resp.File}, resp.Length)
	case resp.boxed != nil:
		out.Body = resp.boxed // the cached file, boxed once: no allocation
	case resp.Body != nil:
		out.Body = resp.Body
	}
	return out
}

// sectionBody is a large file's section as an RGI body reader: an
// *io.SectionReader over the cached descriptor, which the rgi engine sends
// with sendfile(2), and a Closer the engine (or rgi/rgih2) calls when the
// response has ended however it ended, which releases the cached file. It
// needs no per-connection state, so concurrent streams of one HTTP/2
// connection (rgih2 without Serialize) share nothing.
type sectionBody struct {
	*io.SectionReader
	f *FileSection
}

func (s sectionBody) Close() error { return s.f.Close() }
