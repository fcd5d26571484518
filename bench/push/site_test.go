package pushbench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/push"
)

// numAssets subresources of assetSize octets each: stylesheets, scripts and
// images, as a small page has.
const (
	numAssets = 20
	assetSize = 1024
)

type asset struct {
	path, ctype string
	body        []byte
}

var assets = func() []asset {
	kinds := []struct{ ext, ctype string }{{"css", "text/css"}, {"js", "text/javascript"}, {"svg", "image/svg+xml"}}
	a := make([]asset, numAssets)
	for i := range a {
		k := kinds[i%len(kinds)]
		a[i] = asset{path: fmt.Sprintf("/assets/%d.%s", i, k.ext), ctype: k.ctype,
			body: []byte(strings.Repeat(string(rune('a'+i)), assetSize))}
	}
	return a
}()

// page links every asset: stylesheets in the head, scripts and images in the
// body (nghttp -a fetches these three kinds).
var page = func() []byte {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>push</title>\n")
	for _, a := range assets {
		if strings.HasSuffix(a.path, ".css") {
			fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"%s\">\n", a.path)
		}
	}
	b.WriteString("</head><body>\n")
	for _, a := range assets {
		switch {
		case strings.HasSuffix(a.path, ".js"):
			fmt.Fprintf(&b, "<script src=\"%s\"></script>\n", a.path)
		case strings.HasSuffix(a.path, ".svg"):
			fmt.Fprintf(&b, "<img src=\"%s\">\n", a.path)
		}
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}()

var html = []hpack.HeaderField{{Name: "content-type", Value: "text/html"}}

// siteHandler serves /push (the page, every asset pushed before it), /nopush
// (the same page, nothing pushed) and the assets.
func siteHandler(s *handler.Stream) {
	switch s.Path() {
	case "/push":
		for _, a := range assets {
			push.Push(s, push.Promise{Path: a.path,
				ResponseHeader: []hpack.HeaderField{{Name: "content-type", Value: a.ctype}}, Body: a.body})
		}
		s.SendResponse(200, html, page)
	case "/nopush":
		s.SendResponse(200, html, page)
	default:
		for _, a := range assets {
			if a.path == s.Path() {
				s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: a.ctype}}, a.body)
				return
			}
		}
		s.SendResponse(404, nil, nil)
	}
}

// startSite starts the site on h2server over TLS and, in front of it, a
// proxy that delays each direction by delay; it returns the proxy's address.
func startSite(tb testing.TB, delay time.Duration) string {
	tb.Helper()
	cert, err := pki.SelfSigned()
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &h2server.Server{Handler: handler.FactoryFunc(siteHandler),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	px := startProxy(tb, ln.Addr().String(), delay)
	tb.Cleanup(func() {
		px.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return px.Addr().String()
}
