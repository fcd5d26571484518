package main

import (
	"strconv"
	"strings"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// echoPage sends an upload back as it arrives: GET /echo is a form, POST (or
// PUT) /echo answers with the request body. Over HTTP/2 the handler
// implements handler.ManualFlowControl: it returns the bytes to the client's
// flow-control windows (Consume) only once they are handed to the connection
// as response DATA, so the server holds at most a stream window of the upload
// however large it is, and a client that does not read the echo cannot make
// it buffer more. Over HTTP/1.1 the request body is passed to the RGI side
// as the response body, which streams it the same way.
//
//	curl -k --data-binary @bigfile https://127.0.0.1:8443/echo -o copy && cmp bigfile copy
const echoPath = "/echo"

var echoPage = page{
	Path:  echoPath,
	Title: "Echo",
	About: "an upload echoed back while it streams, under manual flow control (ManualFlowControl and Consume)",
	H2:    echoH2,
	H1:    echoH1,
}

var echoBody = mustBody(`<form method="post" action="/echo" enctype="text/plain">
<p><label for="text">Text to send:</label></p>
<textarea id="text" name="text" rows="6">hello, h2kit</textarea>
<p><button id="send" type="submit">Echo it back</button></p>
</form>
<p>The form posts as <code>text/plain</code>; the answer is the request body, byte for byte. Large uploads
stream through without being buffered whole:</p>
<pre>head -c 100M /dev/urandom &gt; bigfile
curl -k --data-binary @bigfile https://127.0.0.1:8443/echo -o copy &amp;&amp; cmp bigfile copy</pre>
<p class="note">Over HTTP/2 the handler implements <code>handler.ManualFlowControl</code>: each piece of the
body goes back out as a DATA frame from a body generator, and only then is it returned to the client's
windows with <code>Consume</code>, so the server never holds more than a stream window of the upload.</p>`)

// echoAllow is what /echo answers.
const echoAllow = "GET, HEAD, POST, PUT"

// echoType is the content-type of an echo: text stays text (a browser shows
// it), anything else is bytes.
func echoType(reqType string) string {
	if strings.HasPrefix(reqType, "text/") || strings.HasPrefix(reqType, "application/x-www-form-urlencoded") {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

func echoH2(d *demo, s *handler.Stream) handler.RequestHandler {
	sub, _ := subPath(echoPath, s.Path())
	if sub != "" {
		return d.staticHandler(notFoundReply)
	}
	switch s.Method() {
	case "GET", "HEAD":
		return handler.HandlerFunc(func(s *handler.Stream) {
			d.sendHTML(s, 200, renderPage("Echo", viaStream(s), renderBody(echoBody, nil)))
		})
	case "POST", "PUT":
		return &echoStream{d: d}
	}
	return d.staticHandler(textReply(405, "method not allowed\n", echoAllow))
}

// echoStream echoes one HTTP/2 request body. Every method runs on the
// connection goroutine (callbacks and the body generator), so it needs no
// lock.
type echoStream struct {
	d     *demo
	h     handler.Handle
	buf   []byte // received and not yet handed to the connection: buf[off:]
	off   int
	ended bool // the request body is complete
}

// ManualFlowControl makes the handler layer leave the received bytes
// counted against the client's windows until next consumes them.
func (*echoStream) ManualFlowControl() {}

func (e *echoStream) OnHeaders(s *handler.Stream) {
	e.h = s.Handle()
	e.ended = s.BodyEnded()
	ctype, _ := s.HeaderValue("content-type")
	hdr := []hpack.HeaderField{{Name: "content-type", Value: echoType(ctype)},
		{Name: "x-content-type-options", Value: "nosniff"}, {Name: "cache-control", Value: "no-store"}}
	if n := s.ContentLength(); n >= 0 {
		// The engine resets a request whose body disagrees with its
		// content-length (RFC 9113 §8.1.1), so the echo has that length.
		hdr = append(hdr, hpack.HeaderField{Name: "content-length", Value: strconv.FormatInt(n, 10)})
	}
	// The response starts at once: the echo flows while the upload does.
	e.d.sendFields(s, hdr, handler.BodyGenerator(e.next))
}

func (e *echoStream) OnData(_ *handler.Stream, data []byte) {
	e.buf = append(e.buf, data...)
	e.h.Resume()
}

func (e *echoStream) OnRequestDone(*handler.Stream) {
	e.ended = true
	e.h.Resume()
}

func (e *echoStream) OnClose(*handler.Stream, handler.ErrCode) { e.buf = nil }

// next hands the received bytes to the connection and only then returns
// them to the client's windows: the client may send at most a stream window
// more than the connection has taken, so buf stays that small.
func (e *echoStream) next(max int) ([]byte, handler.DataFlag) {
	// The previous result has been copied by now: keep only the rest.
	if e.off > 0 {
		e.buf = e.buf[:copy(e.buf, e.buf[e.off:])]
		e.off = 0
	}
	if len(e.buf) == 0 {
		if e.ended {
			return nil, handler.DataEOF
		}
		return nil, handler.DataDeferred // OnData or OnRequestDone resumes
	}
	k := min(max, len(e.buf))
	e.off = k
	e.h.Consume(k)
	if k == len(e.buf) && e.ended {
		return e.buf[:k], handler.DataEOF
	}
	return e.buf[:k], handler.DataOK
}

func echoH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	sub, _ := subPath(echoPath, r.URI)
	if sub != "" {
		drain(r.Body)
		return replyResponse(notFoundReply)
	}
	switch r.Method {
	case "GET", "HEAD":
		drain(r.Body)
		return htmlResponse(200, renderPage("Echo", v, renderBody(echoBody, nil)))
	case "POST", "PUT":
		h := map[string]string{"content-type": echoType(r.Headers["content-type"]),
			"x-content-type-options": "nosniff", "cache-control": "no-store"}
		// A request body (*rgi.Body or *rgi.ChunkedBody) given back as the
		// response body is streamed, as a proxy streams it.
		var body any = r.Body
		if r.Body == nil {
			body = ""
		}
		return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: body}
	}
	drain(r.Body)
	return replyResponse(textReply(405, "method not allowed\n", echoAllow))
}
