package main

import (
	"io"
	"strings"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// page is one page of the embedded demo site, listed on the index. Each lives
// in a file named for it; adding a page is one entry in pages.
type page struct {
	// Path is where the page is; it also answers the paths below it
	// ("/clock/events" belongs to "/clock").
	Path string
	// Title and About (one plain-text line) are shown on the index.
	Title, About string
	// H2 makes the handler of an HTTP/2 stream for a request to the page,
	// served by the native handler API. It runs on the connection goroutine
	// (it is the stream's handler.Factory).
	H2 func(d *demo, s *handler.Stream) handler.RequestHandler
	// H1 answers a request to the page over HTTP/1.1 (the rgi fallback),
	// and over HTTP/2 with -rgi (the RGI app through rgih2). Nil means the
	// page needs the native HTTP/2 handler: such requests get a page saying
	// so.
	H1 func(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response
}

// pages are the demo's pages, in the order of the index.
var pages = []*page{&pushPageEntry, &clockPage, &echoPage, &hpackPage, &earlyHintsPage, &trailersPage}

// pageFor returns the page that serves the request target p (its query
// ignored), or nil.
func pageFor(p string) *page {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	for _, pg := range pages {
		if rest, ok := strings.CutPrefix(p, pg.Path); ok && (rest == "" || rest[0] == '/') {
			return pg
		}
	}
	return nil
}

// subPath returns the part of the target p below the page path ("" for the
// page itself) and its query.
func subPath(path, p string) (sub, query string) {
	p, query, _ = strings.Cut(p, "?")
	return strings.TrimPrefix(p, path), query
}

// serveH1 answers a request to the page on the RGI side.
func (pg *page) serveH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if pg.H1 != nil {
		return pg.H1(d, v, r, b)
	}
	if r.Body != nil {
		drain(r.Body)
	}
	body := renderBody(needsH2, struct{ Title string }{pg.Title})
	return htmlResponse(200, renderPage(pg.Title, v, body))
}

var needsH2 = mustBody(`<p>{{.Title}} needs HTTP/2 and h2kit's native handler API: open this page over
<code>https://</code> (h2) or cleartext HTTP/2 (h2c), without <code>-rgi</code>.</p>`)

// htmlFields are the header fields of the demo's HTML pages.
var htmlFields = []hpack.HeaderField{{Name: "content-type", Value: "text/html; charset=utf-8"}, {Name: "cache-control", Value: "no-store"}}

// sendHTML answers an HTTP/2 stream with an HTML page (the handler layer
// drops the content of a response to HEAD).
func (d *demo) sendHTML(s *handler.Stream, status int, body []byte) {
	if err := s.SendResponse(status, htmlFields, body); err != nil {
		d.log.Warn("send response", "path", s.Path(), "err", err)
	}
}

// htmlResponse is an HTML page for the RGI side.
func htmlResponse(status int, body []byte) rgi.Response {
	return rgi.Response{Status: status, Reason: reason(status), Body: body,
		Headers: map[string]string{"content-type": "text/html; charset=utf-8", "cache-control": "no-store"}}
}

// replyResponse turns a reply of the site into an RGI response.
func replyResponse(rep reply) rgi.Response {
	h := map[string]string{"content-type": rep.ctype}
	if rep.allow != "" {
		h["allow"] = rep.allow
	}
	return rgi.Response{Status: rep.status, Reason: reason(rep.status), Headers: h, Body: rep.body}
}

// getOnly returns the 405 reply for a page that only answers GET and HEAD,
// or ok.
func getOnly(method string) (rep reply, ok bool) {
	if method == "GET" || method == "HEAD" {
		return reply{}, true
	}
	// RFC 9110 §15.5.6: a 405 response MUST carry an Allow header.
	return textReply(405, "method not allowed\n", "GET, HEAD"), false
}

// staticHandler answers an HTTP/2 stream from OnHeaders with rep.
func (d *demo) staticHandler(rep reply) handler.RequestHandler {
	return handler.HandlerFunc(func(s *handler.Stream) { d.send(s, rep) })
}

// drain reads and drops a request body the RGI side does not use, so that
// the connection can be kept alive.
func drain(body io.Reader) {
	if body != nil {
		io.Copy(io.Discard, body)
	}
}

// sendFields answers an HTTP/2 stream with status 200, hdr and body.
func (d *demo) sendFields(s *handler.Stream, hdr []hpack.HeaderField, body any) {
	if err := s.SendResponse(200, hdr, body); err != nil {
		d.log.Warn("send response", "path", s.Path(), "err", err)
	}
}
