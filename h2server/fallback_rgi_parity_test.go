package h2server_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// parityApp is a small table-driven RGI app: a few resources, each with the
// methods it allows; OPTIONS is answered by the app (204 with allow), other
// methods by a 405 that lists the resource's own methods.
var parityApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if r.Body != nil {
		rgi.ReadBody(r.Body)
	}
	resources := map[string]struct{ allow, body string }{
		"/":          {"GET, HEAD, OPTIONS", "home\n"},
		"/hello.txt": {"GET, HEAD, OPTIONS", "hello\n"},
		"/a b":       {"GET, HEAD, OPTIONS", "space\n"},
		"/a/b":       {"GET, HEAD, OPTIONS, DELETE", "b\n"},
		"/dir/":      {"GET, HEAD, OPTIONS", "index\n"},
	}
	p, err := url.PathUnescape("/" + strings.Join(r.Path, "/"))
	if err != nil {
		return rgi.Response{Status: 400, Reason: "Bad Request", Body: "bad escape\n"}
	}
	res, ok := resources[p]
	switch {
	case !ok:
		return rgi.Response{Status: 404, Reason: "Not Found", Headers: map[string]string{"content-type": "text/plain"}, Body: "not found\n"}
	case r.Method == "OPTIONS":
		return rgi.Response{Status: 204, Reason: "No Content", Headers: map[string]string{"allow": res.allow}}
	case r.Method == "HEAD":
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-type": "text/plain", "content-length": fmt.Sprint(len(res.body))}}
	case r.Method == "GET":
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-type": "text/plain"}, Body: res.body}
	case strings.Contains(res.allow, r.Method):
		return rgi.Response{Status: 204, Reason: "No Content"}
	}
	return rgi.Response{Status: 405, Reason: "Method Not Allowed", Headers: map[string]string{"allow": res.allow}, Body: "method not allowed\n"}
})

// TestRGIFallbackProtocolParity is a differential test: one RGI app, served
// over HTTP/2 by rgih2 and over HTTP/1.1 by the RGI fallback of the same
// server, must give every request of the table the same status and header
// names on h2 (TLS), h2c, HTTP/1.1 and HTTP/1.1 over TLS (date included, RFC
// 9110 §6.6.1; "connection" exists only in HTTP/1.1 and is left out).
func TestRGIFallbackProtocolParity(t *testing.T) {
	newSrv := func() *h2server.Server {
		srv := &h2server.Server{Handler: rgih2.Handler(parityApp, nil)}
		if err := rgih2.Fallback(srv, parityApp, nil); err != nil {
			t.Fatal(err)
		}
		return srv
	}
	secure := startServer(t, newSrv(), true)
	clear := startServer(t, newSrv(), false)
	h2p, h2cp := new(http.Protocols), new(http.Protocols)
	h2p.SetHTTP2(true)
	h2cp.SetUnencryptedHTTP2(true)
	h2 := &http.Client{Transport: &http.Transport{Protocols: h2p, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	h2c := &http.Client{Transport: &http.Transport{Protocols: h2cp}}
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(func() {
		h2.CloseIdleConnections()
		h2c.CloseIdleConnections()
		h1.CloseIdleConnections()
	})
	sides := []struct {
		name string
		cl   *http.Client
		base string
	}{{"h2", h2, secure}, {"h2c", h2c, clear}, {"HTTP/1.1", h1, clear}, {"HTTP/1.1+TLS", h1, secure}}
	requests := []struct{ method, target string }{
		{"GET", "/"}, {"HEAD", "/"}, {"OPTIONS", "/"}, {"OPTIONS", "/a/b"}, {"DELETE", "/a/b"}, {"DELETE", "/"},
		{"PUT", "/hello.txt"}, {"POST", "/"}, {"PATCH", "/"}, {"FOO", "/"},
		{"GET", "/hello.txt"}, {"HEAD", "/hello.txt"}, {"GET", "/hello.txt?x=1&y"},
		{"GET", "//x"}, {"GET", "/../x"}, {"GET", "/a/../b"}, {"GET", "/a/./b"}, {"GET", "/a//b"},
		{"GET", "/a%20b"}, {"GET", "/hello%2Etxt"}, {"GET", "/%2e%2e/x"}, {"GET", "/a%2Fb"},
		{"GET", "/missing"}, {"HEAD", "/missing"}, {"GET", "/dir"}, {"GET", "/dir/"},
	}
	for _, rq := range requests {
		var want string
		for i, side := range sides {
			got := answerShape(t, side.cl, rq.method, side.base, rq.target)
			if i == 0 {
				want = got
				if !strings.Contains(got, " date") {
					t.Errorf("%s %s over %s: no date: %s", rq.method, rq.target, side.name, got)
				}
				continue
			}
			if got != want {
				t.Errorf("%s %s:\n  %-12s %s\n  %-12s %s", rq.method, rq.target, sides[0].name, want, side.name, got)
			}
		}
	}
	// And the answers are the app's: OPTIONS and an unknown method reach it
	// on HTTP/1.1 as on HTTP/2.
	for _, rq := range []struct{ method, target, want string }{
		{"OPTIONS", "/", "204 allow date"},
		{"FOO", "/", "405 allow content-length date"},
		{"GET", "/a%20b", "200 content-length content-type date"},
	} {
		if got := answerShape(t, h1, rq.method, clear, rq.target); got != rq.want {
			t.Errorf("%s %s over HTTP/1.1: %s, want %s", rq.method, rq.target, got, rq.want)
		}
	}
}

// answerShape sends method and target verbatim (not cleaned or re-escaped)
// and returns the status and the sorted lowercase header names, without
// "connection".
func answerShape(t *testing.T, cl *http.Client, method, base, target string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p, q, _ := strings.Cut(target, "?")
	if u.Path, err = url.PathUnescape(p); err != nil {
		t.Fatal(err)
	}
	u.RawPath, u.RawQuery = p, q
	if got := u.RequestURI(); got != target {
		t.Fatalf("target %q would be sent as %q", target, got)
	}
	resp, err := cl.Do(&http.Request{Method: method, URL: u, Header: http.Header{}, Host: u.Host})
	if err != nil {
		return "error: " + err.Error()
	}
	resp.Body.Close()
	var names []string
	for k := range resp.Header {
		if k = strings.ToLower(k); k != "connection" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return fmt.Sprint(resp.StatusCode, " ", strings.Join(names, " "))
}
