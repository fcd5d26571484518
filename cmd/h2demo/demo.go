package main

import (
	"log/slog"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
)

// demo is the demo site as a handler: every request is answered from OnHeaders
// (the request body, if any, is ignored).
type demo struct {
	site  *site
	log   *slog.Logger
	quiet bool
}

// factory serves every stream with the same stateless handler.
func (d *demo) factory(*handler.Stream) handler.RequestHandler { return (*demoHandler)(d) }

type demoHandler demo

func (h *demoHandler) OnHeaders(s *handler.Stream) {
	d := (*demo)(h)
	r := d.site.serve(s.Method(), s.Path())
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
	if !d.quiet {
		d.log.Info("request", "client", s.ClientAddr().String(), "method", s.Method(), "path", s.Path(),
			"status", r.status, "length", r.length)
	}
}

func (*demoHandler) OnData(*handler.Stream, []byte)           {}
func (*demoHandler) OnRequestDone(*handler.Stream)            {}
func (*demoHandler) OnClose(*handler.Stream, handler.ErrCode) {}

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
