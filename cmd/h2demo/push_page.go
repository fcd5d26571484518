package main

import (
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/push"
)

// The /push page: its stylesheet, script and images are pushed with it
// (package push), so that a client that accepts pushes (nghttp, curl,
// python-h2) has them before it has parsed the page. Browsers disable push
// (SETTINGS_ENABLE_PUSH = 0): they are sent 103 Early Hints with preload
// links instead and request the resources as usual. The page says which of
// the two happened on the connection it came over.

// pushPrefix is where the page's resources live; pushPage is the page.
const (
	pushPage   = "/push"
	pushPrefix = "/push/"
)

// pushAsset is one resource of the push page.
type pushAsset struct {
	path, ctype, as string // as: the preload destination (RFC 8297 hints)
	body            string
}

// pushAssets are the page's subresources, small and generated.
var pushAssets = func() []pushAsset {
	a := []pushAsset{
		{path: pushPrefix + "style.css", ctype: "text/css; charset=utf-8", as: "style", body: `body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; line-height: 1.5 }
.imgs img { width: 64px; height: 64px; margin-right: .5rem }
code { background: #eee; padding: 0 .2rem }
#js { color: #080 }
`},
		{path: pushPrefix + "app.js", ctype: "text/javascript; charset=utf-8", as: "script", body: `document.getElementById("js").textContent =
  "The pushed (or preloaded) script ran.";
`},
	}
	for i, color := range []string{"#d33", "#3a3", "#33d"} {
		a = append(a, pushAsset{path: fmt.Sprintf("%simg%d.svg", pushPrefix, i+1), ctype: "image/svg+xml", as: "image",
			body: fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="28" fill="%s"/></svg>`, color)})
	}
	return a
}()

// isPushPath reports whether p (a :path) is the push page or one of its
// resources.
func isPushPath(p string) bool { return p == pushPage || strings.HasPrefix(p, pushPrefix) }

// servePushPage answers a request isPushPath accepted: the page, with its
// resources pushed (or hinted), or one of the resources requested directly.
func servePushPage(s *handler.Stream) {
	if s.Method() != "GET" && s.Method() != "HEAD" {
		s.SendResponse(405, []hpack.HeaderField{{Name: "allow", Value: "GET, HEAD"}}, nil)
		return
	}
	if s.Path() != pushPage {
		for _, a := range pushAssets {
			if a.path == s.Path() {
				s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: a.ctype}}, a.body)
				return
			}
		}
		s.SendResponse(404, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, "not found\n")
		return
	}
	pushed := 0
	var refusal error
	for _, a := range pushAssets {
		_, err := push.Push(s, push.Promise{
			Path:           a.path,
			ResponseHeader: []hpack.HeaderField{{Name: "content-type", Value: a.ctype}},
			Body:           a.body,
		})
		if err != nil {
			refusal = err
			break
		}
		pushed++
	}
	if pushed == 0 && errors.Is(refusal, push.ErrPushDisabled) {
		// RFC 8297: what browsers use instead of push.
		var links []hpack.HeaderField
		for _, a := range pushAssets {
			links = append(links, hpack.HeaderField{Name: "link", Value: fmt.Sprintf("<%s>; rel=preload; as=%s", a.path, a.as)})
		}
		s.SendInformational(103, links)
	}
	s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/html; charset=utf-8"}}, pushPageHTML(pushed, refusal))
}

// pushPageHTML renders the page, saying what happened to the pushes.
func pushPageHTML(pushed int, refusal error) string {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>h2kit: server push</title>
<link rel="stylesheet" href="/push/style.css"></head><body>
<h1>Server push</h1>
`)
	switch {
	case pushed == len(pushAssets):
		fmt.Fprintf(&b, "<p>The %d resources of this page (stylesheet, script, images) were <strong>pushed</strong> with it: a PUSH_PROMISE frame for each, sent before the page, then the responses on the promised streams.</p>\n", pushed)
	case pushed > 0:
		fmt.Fprintf(&b, "<p>%d resources were pushed, then push was refused: <code>%s</code>.</p>\n", pushed, html.EscapeString(fmt.Sprint(refusal)))
	default:
		fmt.Fprintf(&b, "<p>Nothing was pushed: <code>%s</code>. Browsers turn push off (SETTINGS_ENABLE_PUSH = 0), so this page sent a <code>103 Early Hints</code> response with preload links instead, and the resources are fetched as usual.</p>\n", html.EscapeString(fmt.Sprint(refusal)))
	}
	b.WriteString(`<p>See the frames with <code>nghttp -nv https://HOST/push</code>.</p>
<p class="imgs">`)
	for _, a := range pushAssets {
		if strings.HasSuffix(a.path, ".svg") {
			fmt.Fprintf(&b, `<img src="%s" alt="">`, a.path)
		}
	}
	b.WriteString(`</p>
<p id="js">The script has not run (JavaScript is off, or it did not arrive).</p>
<p><a href="/">Back to the index</a></p>
<script src="/push/app.js"></script>
</body></html>
`)
	return b.String()
}

// pushPageEntry lists the push page on the index. Push exists only in
// HTTP/2, so over HTTP/1.1 (and with -rgi) the page says it needs HTTP/2.
var pushPageEntry = page{
	Path:  pushPage,
	Title: "Server push",
	About: "a page whose stylesheet, script and images are pushed with PUSH_PROMISE (package push), or hinted with 103 to clients that disabled push, as browsers do",
	H2: func(*demo, *handler.Stream) handler.RequestHandler {
		return handler.HandlerFunc(servePushPage)
	},
}
