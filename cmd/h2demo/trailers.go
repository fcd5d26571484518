package main

import (
	"crypto/sha256"
	"encoding/base64"
	"hash"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// trailersPage answers with a response that ends with a trailer: the
// content-digest of RFC 9530 (the SHA-256 of the content), computed by the
// body generator as the body streams and set with Stream.SetTrailers just
// before the generator returns DataEOF, the way a digest or a status known
// only at the end is sent. Over HTTP/1.1 the fallback (RGI) has no
// trailers, so the digest comes as a header field instead.
const trailersPath = "/trailers"

var trailersPage = page{
	Path:  trailersPath,
	Title: "Trailers",
	About: "a response that ends with a content-digest trailer, computed while the body streams (SetTrailers from the body generator)",
	H2:    trailersH2,
	H1:    trailersH1,
}

var trailersBody = mustBody(`<p>{{if .Trailer}}This page's response ends with a <strong>trailer</strong>, a header field sent after
the content: <code>content-digest</code> (RFC 9530), the SHA-256 of the page, computed while the page
streamed. Browsers do not show trailers; these do:{{else}}{{.Why}}{{end}}</p>
<pre>curl -k -sS -D - -o /dev/null https://127.0.0.1:8443/trailers   # the trailer is printed last
nghttp -v https://127.0.0.1:8443/trailers | grep -B1 content-digest
curl -k -sS https://127.0.0.1:8443/trailers | openssl dgst -sha256 -binary | base64</pre>
<p class="note">The body is a <code>handler.BodyGenerator</code> that hashes each piece it hands over and,
at the end, calls <code>Stream.SetTrailers</code> before returning <code>DataEOF</code>. The response
announces the field with <code>trailer: content-digest</code> (RFC 9110 §6.6.2).</p>`)

type trailersView struct {
	Trailer bool
	Why     string // why there is no trailer
}

// trailerFields are the response's header fields: the trailer field
// announces what the trailer section will hold (RFC 9110 §6.6.2).
var trailerFields = []hpack.HeaderField{{Name: "content-type", Value: "text/html; charset=utf-8"},
	{Name: "cache-control", Value: "no-store"}, {Name: "trailer", Value: "content-digest"}}

// contentDigest formats an RFC 9530 content-digest value for a SHA-256 sum.
func contentDigest(sum []byte) string {
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum) + ":"
}

func trailersH2(d *demo, s *handler.Stream) handler.RequestHandler {
	sub, _ := subPath(trailersPath, s.Path())
	if sub != "" {
		return d.staticHandler(notFoundReply)
	}
	if rep, ok := getOnly(s.Method()); !ok {
		return d.staticHandler(rep)
	}
	return handler.HandlerFunc(func(s *handler.Stream) {
		page := renderPage("Trailers", viaStream(s), renderBody(trailersBody, trailersView{Trailer: true}))
		if s.Method() == "HEAD" {
			d.sendFields(s, trailerFields, page) // no content, so no digest
			return
		}
		g := &digestBody{rest: page, sum: sha256.New(), h: s.Handle()}
		d.sendFields(s, trailerFields, handler.BodyGenerator(g.next))
	})
}

// digestBody streams a body and sends its digest as a trailer.
type digestBody struct {
	rest []byte
	sum  hash.Hash
	h    handler.Handle
}

func (g *digestBody) next(max int) ([]byte, handler.DataFlag) {
	k := min(max, len(g.rest), 512) // several DATA frames, to make the point
	p := g.rest[:k]
	g.rest = g.rest[k:]
	g.sum.Write(p)
	if len(g.rest) > 0 {
		return p, handler.DataOK
	}
	// RFC 9113 §8.1: the trailers are a HEADERS frame with END_STREAM after
	// the last DATA frame; SetTrailers before DataEOF puts them there.
	g.h.SetTrailers([]hpack.HeaderField{{Name: "content-digest", Value: contentDigest(g.sum.Sum(nil))}})
	return p, handler.DataEOF
}

func trailersH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	drain(r.Body)
	sub, _ := subPath(trailersPath, r.URI)
	if sub != "" {
		return replyResponse(notFoundReply)
	}
	if rep, ok := getOnly(r.Method); !ok {
		return replyResponse(rep)
	}
	why := "This request came over HTTP/1.1, answered by the demo's fallback, which has no trailers: the content-digest came as a header field instead. Over HTTP/2 it is a trailer:"
	if v.http2() {
		why = "This request is served by the RGI app through rgih2 (-rgi); RGI has no trailers, so the content-digest came as a header field instead. Without -rgi it is a trailer:"
	}
	page := renderPage("Trailers", v, renderBody(trailersBody, trailersView{Why: why}))
	sum := sha256.Sum256(page)
	return rgi.Response{Status: 200, Reason: "OK", Body: page, Headers: map[string]string{
		"content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-digest": contentDigest(sum[:])}}
}
