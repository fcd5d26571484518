package main

import (
	"log/slog"
	"sync"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/static"
)

// demo is what h2demo serves: the embedded site, answered from memory by
// demoHandler and siteApp, or (-root) a directory, answered by a
// static.Server through its native handler and its RGI app.
type demo struct {
	site  *site          // the embedded site; nil with -root
	files *static.Server // -root; nil for the embedded site
	// filesHandler is files.Handler(), made once.
	filesHandler handler.Factory
	log          *slog.Logger
	quiet        bool
	// closing is closed by stop, when the server shuts down: the pages'
	// endless responses (the clock's event stream) end, so that the
	// graceful shutdown does not wait for them.
	closing  chan struct{}
	stopOnce sync.Once
}

// newDemo returns the demo for the directory root, or for the embedded site
// when root is empty. With listing, a directory without index.html under root
// answers a listing instead of 403.
func newDemo(root string, listing bool, log *slog.Logger, quiet bool) (*demo, error) {
	d := &demo{log: log, quiet: quiet, closing: make(chan struct{})}
	if root == "" {
		st, err := newSite()
		if err != nil {
			return nil, err
		}
		d.site = st
		return d, nil
	}
	files, err := static.New(root, &static.Config{Listing: listing})
	if err != nil {
		return nil, err
	}
	d.files, d.filesHandler = files, files.Handler()
	return d, nil
}

// stop ends the pages' endless responses; call it before shutting the
// servers down.
func (d *demo) stop() { d.stopOnce.Do(func() { close(d.closing) }) }

// Close releases the directory and the files cached from it.
func (d *demo) Close() error {
	if d.files != nil {
		return d.files.Close()
	}
	return nil
}

// factory serves every stream: the embedded site's pages with their own
// handlers, its files with one stateless handler, a directory with the static
// package's handler behind rootHandler.
func (d *demo) factory(st *handler.Stream) handler.RequestHandler {
	if d.files == nil {
		if pg := pageFor(st.Path()); pg != nil && rgi.CheckTarget(st.Path()) == nil {
			if !d.quiet {
				d.log.Info("request", "client", st.ClientAddr().String(), "method", st.Method(), "path", st.Path(), "page", pg.Path)
			}
			return pg.H2(d, st)
		}
		return (*demoHandler)(d)
	}
	h := rootPool.Get().(*rootHandler)
	h.d, h.inner = d, d.filesHandler(st)
	return h
}

type demoHandler demo

func (h *demoHandler) OnHeaders(s *handler.Stream) {
	d := (*demo)(h)
	r := d.site.serve(s.Method(), s.Path(), viaStream(s))
	d.send(s, r)
	if !d.quiet {
		d.log.Info("request", "client", s.ClientAddr().String(), "method", s.Method(), "path", s.Path(),
			"status", r.status, "length", r.length)
	}
}

// send puts a reply of the embedded site (or a refusal of the target) on the
// stream.
func (d *demo) send(s *handler.Stream, r reply) {
	var hdr []hpack.HeaderField
	switch {
	case r.allow != "":
		hdr = []hpack.HeaderField{{Name: "content-type", Value: r.ctype}, {Name: "allow", Value: r.allow}}
	case r.ctype != "":
		hdr = ctypeFields(r.ctype)
	}
	if r.length >= 0 && r.body == nil {
		// HEAD: keep the length of the representation.
		hdr = append(hdr[:len(hdr):len(hdr)], hpack.HeaderField{Name: "content-length", Value: lengthString(r.length)})
	}
	if err := s.SendResponse(r.status, hdr, r.body); err != nil {
		d.log.Warn("send response", "path", s.Path(), "err", err)
	}
}

func (*demoHandler) OnData(*handler.Stream, []byte)           {}
func (*demoHandler) OnRequestDone(*handler.Stream)            {}
func (*demoHandler) OnClose(*handler.Stream, handler.ErrCode) {}

// rootHandler serves one stream of -root with the static package's handler
// (inner). It first applies rgi.CheckTarget, the rule the HTTP/1.1 fallback
// applies before the app sees a request, so that a target such as "//x" or
// "/../x" gets the same 400 on HTTP/2 as on HTTP/1.1 (the static package
// itself cleans such names instead). The handler answers from OnHeaders and
// its status is not visible here, so the log line has none.
type rootHandler struct {
	d     *demo
	inner handler.RequestHandler
}

var rootPool = sync.Pool{New: func() any { return new(rootHandler) }}

func (h *rootHandler) OnHeaders(s *handler.Stream) {
	if err := rgi.CheckTarget(s.Path()); err != nil {
		h.d.send(s, rejectReply(err))
	} else {
		h.inner.OnHeaders(s)
	}
	if !h.d.quiet {
		h.d.log.Info("request", "client", s.ClientAddr().String(), "method", s.Method(), "path", s.Path())
	}
}

func (h *rootHandler) OnData(s *handler.Stream, b []byte) { h.inner.OnData(s, b) }
func (h *rootHandler) OnRequestDone(s *handler.Stream)    { h.inner.OnRequestDone(s) }

// OnClose lets the static handler release its file and return to its pool,
// whether or not it answered.
func (h *rootHandler) OnClose(s *handler.Stream, code handler.ErrCode) {
	h.inner.OnClose(s, code)
	h.d, h.inner = nil, nil
	rootPool.Put(h)
}

// ctypeFields returns a shared header list with one content-type field, so that
// serving the common types does not allocate.
func ctypeFields(ctype string) []hpack.HeaderField {
	if f, ok := ctypeCache[ctype]; ok {
		return f
	}
	return []hpack.HeaderField{{Name: "content-type", Value: ctype}}
}

var ctypeCache = func() map[string][]hpack.HeaderField {
	m := map[string][]hpack.HeaderField{}
	for _, t := range []string{"text/plain; charset=utf-8", "text/html; charset=utf-8", "application/octet-stream",
		"text/css; charset=utf-8", "text/javascript; charset=utf-8", "image/png", "application/json"} {
		m[t] = []hpack.HeaderField{{Name: "content-type", Value: t}}
	}
	return m
}()
