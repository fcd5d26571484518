package main

import (
	"io"
	"strconv"

	"github.com/h2kit/h2kit/rgi"
)

// siteApp is the site as an RGI app. It serves HTTP/1.1 clients (ALPN http/1.1
// over TLS, or a cleartext request line) through the rgi engine that h2server
// hands such connections to and, with -rgi, HTTP/2 clients too through the
// rgih2 adapter: one app for both protocols. With -root it is the
// static.Server's app (Server.App), after the same target check as
// rootHandler's. proto only labels the log lines.
type siteApp struct {
	d     *demo
	proto string
	files rgi.App // d.files.App() with -root, else nil
	// checked: the engine has applied rgi.CheckTarget to every target
	// (rgi's HTTP/1.1 server does; rgih2, for HTTP/2, does not).
	checked bool
}

func newSiteApp(d *demo, proto string) siteApp {
	a := siteApp{d: d, proto: proto, checked: proto == "HTTP/1.1"}
	if d.files != nil {
		a.files = d.files.App()
	}
	return a
}

func (a siteApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if a.files != nil {
		return a.serveFiles(s, r, b)
	}
	v := a.viaSession(s)
	if pg := pageFor(r.URI); pg != nil && rgi.CheckTarget(r.URI) == nil {
		a.logPage(s, r, pg)
		return pg.serveH1(a.d, v, r, b)
	}
	if r.Body != nil {
		// The site takes no request bodies; drain it so the connection can
		// be kept alive.
		io.Copy(io.Discard, r.Body)
	}
	rep := a.d.site.serve(r.Method, r.URI, v)
	h := map[string]string{}
	if rep.ctype != "" {
		h["content-type"] = rep.ctype
	}
	if rep.allow != "" {
		h["allow"] = rep.allow
	}
	var body any
	switch v := rep.body.(type) {
	case []byte:
		body = v
	case nil:
		if r.Method == "HEAD" && rep.length >= 0 {
			h["content-length"] = lengthString(rep.length)
		}
	}
	a.logRequest(s, r, rep.status, rep.length)
	return rgi.Response{Status: rep.status, Reason: reason(rep.status), Headers: h, Body: body}
}

// serveFiles answers a request of -root. The rgi engine checks the target
// before an HTTP/1.1 request reaches the app, rgih2 does not: the check here
// gives -rgi the same 400 as the other paths.
func (a siteApp) serveFiles(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	var resp rgi.Response
	if err := a.checkTarget(r.URI); err != nil {
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
		}
		rep := rejectReply(err)
		resp = rgi.Response{Status: rep.status, Reason: reason(rep.status),
			Headers: map[string]string{"content-type": rep.ctype}, Body: rep.body}
	} else {
		resp = a.files.Serve(s, r, b)
	}
	if !a.d.quiet {
		length := int64(-1)
		if v, ok := resp.Headers["content-length"]; ok {
			length, _ = strconv.ParseInt(v, 10, 64)
		}
		a.logRequest(s, r, resp.Status, length)
	}
	return resp
}

// checkTarget is rgi.CheckTarget where the engine has not applied it.
func (a siteApp) checkTarget(target string) error {
	if a.checked {
		return nil
	}
	return rgi.CheckTarget(target)
}

func (a siteApp) logRequest(s *rgi.Session, r *rgi.Request, status int, length int64) {
	if !a.d.quiet {
		a.d.log.Info("request", "client", s.Client, "proto", a.proto, "method", r.Method, "path", r.URI,
			"status", status, "length", length)
	}
}

func (a siteApp) logPage(s *rgi.Session, r *rgi.Request, pg *page) {
	if !a.d.quiet {
		a.d.log.Info("request", "client", s.Client, "proto", a.proto, "method", r.Method, "path", r.URI, "page", pg.Path)
	}
}

func reason(status int) string {
	switch status {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	}
	return "Internal Server Error"
}
