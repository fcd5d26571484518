package static

import (
	"io"
	"maps"
	"net/http"

	"github.com/h2kit/h2kit/rgi"
)

// App returns the files as an RGI app, for the HTTP/1.1 engine (rgi.Server,
// h2server's HTTP/1.1 fallback) and for rgi/rgih2. Its responses carry the
// same status and fields as the other front ends; the date is added by the
// RGI server (or, through rgi/rgih2, by the HTTP/2 handler layer). A large
// file is streamed with pread through the rgi engine's buffered writer; a read failure midway ends the connection, which is how
// HTTP/1.1 tells a client that a content-length response is incomplete.
func (s *Server) App() rgi.App { return rgiApp{s} }

type rgiApp struct{ s *Server }

// sectionKey is the session store key of the file section being sent on a
// connection: the RGI server closes store values when the connection ends,
// which releases a section whose sending was cut short.
const sectionKey = "__static_section"

func (a rgiApp) Serve(sess *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if r.Body != nil {
		// No request body is used; drain it so the connection stays usable.
		io.Copy(io.Discard, r.Body)
	}
	if old, ok := sess.Store[sectionKey].(*FileSection); ok {
		old.Close()
		delete(sess.Store, sectionKey)
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
		h = maps.Clone(resp.h1)
	} else {
		h = fieldsMap(resp.Header)
	}
	out := rgi.Response{Status: resp.Status, Reason: http.StatusText(resp.Status), Headers: h}
	switch {
	case r.Method == "HEAD":
		resp.Release()
	case resp.File != nil:
		sess.Store[sectionKey] = resp.File
		out.Body = b.Body(resp.File, resp.Length)
	case resp.Body != nil:
		out.Body = resp.Body
	}
	return out
}
