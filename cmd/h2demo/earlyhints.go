package main

import (
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// earlyHintsPage answers with 103 Early Hints (RFC 8297) at once, naming the
// style sheet to preload, and with the page itself a moment later, as a
// server does while the page is still being made (a backend call): the
// browser fetches the style sheet in the meantime. The final response is
// sent from a timer's goroutine through the stream's Handle. Over HTTP/1.1
// the fallback sends no 1xx, so the page comes alone.
const earlyHintsPath = "/early-hints"

var earlyHintsPage = page{
	Path:  earlyHintsPath,
	Title: "Early hints",
	About: "103 Early Hints with a link to preload, then the page (SendInformational, then SendResponse from a goroutine)",
	H2:    earlyHintsH2,
	H1:    earlyHintsH1,
}

// earlyHintsDelay is how long the page takes to "make" after the 103.
const earlyHintsDelay = 150 * time.Millisecond

// earlyHintsFields are the 103's fields. RFC 8297 §2: "a server might send
// a 103 (Early Hints) response containing a Link header field".
var earlyHintsFields = []hpack.HeaderField{{Name: "link", Value: "</early-hints/hint.css>; rel=preload; as=style"}}

// hintCSS is the style sheet the 103 names, used by the page only. The
// browser keeps a preloaded response for the page only if it may store it
// (RFC 9111), hence max-age.
const hintCSS = "/* preloaded through 103 Early Hints */\n.hinted { border-left: .3rem solid var(--accent); padding-left: .8rem; }\n"

var hintFields = []hpack.HeaderField{{Name: "content-type", Value: "text/css; charset=utf-8"}, {Name: "cache-control", Value: "max-age=600"}}

var earlyHintsBody = mustBody(`<link rel="stylesheet" href="/early-hints/hint.css">
<p class="hinted">{{if .Sent}}Before this page, the server sent a <strong>103 Early Hints</strong> response with
<code>link: &lt;/early-hints/hint.css&gt;; rel=preload; as=style</code>, then took {{.Delay}} to answer with the page
itself; your browser could fetch the style sheet meanwhile.{{else}}{{.Why}}{{end}}</p>
<p>See the interim response:</p>
<pre>curl -k -v https://127.0.0.1:8443/early-hints -o /dev/null 2&gt;&amp;1 | grep '^&lt; '
nghttp -v https://127.0.0.1:8443/early-hints | grep -A2 ':status: 103'</pre>
<p class="note">The handler calls <code>Stream.SendInformational(103, ...)</code> from <code>OnHeaders</code>,
then a timer's goroutine holding the stream's <code>handler.Handle</code> calls <code>SendResponse</code>.
Browsers act on 103 instead of server push.</p>`)

type earlyHintsView struct {
	Sent  bool
	Delay time.Duration
	Why   string // why no 103 was sent
}

func earlyHintsH2(d *demo, s *handler.Stream) handler.RequestHandler {
	sub, _ := subPath(earlyHintsPath, s.Path())
	if rep, ok := getOnly(s.Method()); !ok {
		return d.staticHandler(rep)
	}
	switch sub {
	case "/hint.css":
		return handler.HandlerFunc(func(s *handler.Stream) { d.sendFields(s, hintFields, hintCSS) })
	case "":
	default:
		return d.staticHandler(notFoundReply)
	}
	return handler.HandlerFunc(func(s *handler.Stream) {
		if err := s.SendInformational(103, earlyHintsFields); err != nil {
			d.log.Warn("send 103", "err", err)
		}
		h, v := s.Handle(), viaStream(s)
		body := renderPage("Early hints", v, renderBody(earlyHintsBody, earlyHintsView{Sent: true, Delay: earlyHintsDelay}))
		time.AfterFunc(earlyHintsDelay, func() {
			// ErrStreamClosed when the client has gone: nothing to do.
			h.SendResponse(200, htmlFields, body)
		})
	})
}

func earlyHintsH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	drain(r.Body)
	sub, _ := subPath(earlyHintsPath, r.URI)
	if rep, ok := getOnly(r.Method); !ok {
		return replyResponse(rep)
	}
	switch sub {
	case "/hint.css":
		return rgi.Response{Status: 200, Reason: "OK", Body: hintCSS,
			Headers: map[string]string{"content-type": "text/css; charset=utf-8", "cache-control": "max-age=600"}}
	case "":
	default:
		return replyResponse(notFoundReply)
	}
	why := "This request came over HTTP/1.1, answered by the demo's fallback, which sends no 1xx responses: the page came alone."
	if v.http2() {
		why = "This request is served by the RGI app through rgih2 (-rgi), which sends no 1xx responses: the page came alone."
	}
	return htmlResponse(200, renderPage("Early hints", v, renderBody(earlyHintsBody, earlyHintsView{Why: why})))
}
