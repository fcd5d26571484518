package main

import (
	"io"
	"os"

	"github.com/h2kit/h2kit/rgi"
)

// siteApp is the site as an RGI app. It serves HTTP/1.1 clients (ALPN http/1.1
// over TLS, or a cleartext request line) through the rgi engine that h2server
// hands such connections to and, with -rgi, HTTP/2 clients too through the
// rgih2 adapter: one app for both protocols. proto only labels the log lines.
type siteApp struct {
	d     *demo
	proto string
}

func (a siteApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if r.Body != nil {
		// The site takes no request bodies; drain it so the connection can
		// be kept alive.
		io.Copy(io.Discard, r.Body)
	}
	rep := a.d.site.serve(r.Method, r.URI)
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
	case *os.File:
		body = b.Body(closeAtEOF{v}, rep.length)
	case nil:
		if r.Method == "HEAD" && rep.length >= 0 {
			h["content-length"] = lengthString(rep.length)
		}
	}
	if !a.d.quiet {
		a.d.log.Info("request", "client", s.Client, "proto", a.proto, "method", r.Method, "path", r.URI,
			"status", rep.status, "length", rep.length)
	}
	return rgi.Response{Status: rep.status, Reason: reason(rep.status), Headers: h, Body: body}
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

// closeAtEOF closes a served file once it has been read to the end (or
// failed), and is an io.Closer so that a server closes it on every other path
// (rgi closes an io.Closer response body when the client aborts, on HEAD, on
// errors); closing twice is harmless.
type closeAtEOF struct{ f *os.File }

// Close closes the file.
func (c closeAtEOF) Close() error { return c.f.Close() }

func (c closeAtEOF) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	if err != nil {
		c.f.Close()
	}
	return n, err
}
