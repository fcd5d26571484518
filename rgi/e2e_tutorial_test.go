package rgi_test

// The examples of Degu's tutorial and server documentation
// (../shared/seeds/000_*.txt, 001_*.txt), in Go.

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// helloWorldApp is the server documentation's hello_world_app.
var helloWorldApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if r.Method != rgi.MethodGet && r.Method != rgi.MethodHead {
		return rgi.Response{Status: 405, Reason: "Method Not Allowed", Headers: map[string]string{}}
	}
	body := []byte("hello, world")
	headers := map[string]string{"content-length": strconv.Itoa(len(body)), "content-type": "text/plain"}
	if r.Method == rgi.MethodGet {
		return rgi.Response{Status: 200, Reason: "OK", Headers: headers, Body: body}
	}
	return rgi.Response{Status: 200, Reason: "OK", Headers: headers} // no response body for HEAD
})

func TestTutorialHelloWorld(t *testing.T) {
	srv := rgitest.TempServer(t, rgitest.FreeAddress(t, rgi.FamilyTCP6), helloWorldApp, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	resp, err := conn.Request("GET", "/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, resp); got != "hello, world" {
		t.Fatalf("body %q", got)
	}
	resp, err = conn.Head("/", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "12", "content-type": "text/plain"}}
	if dropDate(t, resp.Headers); !reflect.DeepEqual(resp, want) {
		t.Fatalf("HEAD: %+v", resp)
	}
	resp, err = conn.Put("/", nil, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 405 || resp.Reason != "Method Not Allowed" || resp.Body != nil {
		t.Fatalf("PUT: %+v", resp)
	}
}

// exampleApp is the tutorial's example_app: (200, 'OK', {'x-msg': 'hello, world'}, None).
var exampleApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-msg": "hello, world"}}
})

var exampleResponse = rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-msg": "hello, world"}}

// TestTutorialExampleApp runs the tutorial's first example over IPv4 and its
// "HTTP over AF_UNIX" example: the same code, only the address differs.
func TestTutorialExampleApp(t *testing.T) {
	for _, fam := range []rgi.Family{rgi.FamilyTCP4, rgi.FamilyUnix} {
		server := rgitest.TempServer(t, rgitest.FreeAddress(t, fam), exampleApp, nil)
		client, err := rgi.NewClient(server.Address(), nil)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := client.Connect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, method := range []string{"GET", "PUT"} {
			resp, err := conn.Request(method, "/foo", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if dropDate(t, resp.Headers); !reflect.DeepEqual(resp, exampleResponse) {
				t.Fatalf("%v %s: %+v", fam, method, resp)
			}
		}
		conn.Close()
	}
}

// proxyApp is the tutorial's ProxyApp, mounted at /proxy: it shifts the
// mount point from the path, forwards the relative URI, headers and body
// upstream on a connection kept in the session (key "__conn", the app's
// prefix), and returns the upstream response as it is.
type proxyApp struct {
	client *rgi.Client
}

func (p *proxyApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if len(r.Path) == 0 || r.Path[0] != "proxy" {
		return rgi.Response{Status: 404, Reason: "Not Found"}
	}
	r.Shift()
	conn, _ := s.Store["__conn"].(*rgi.Connection)
	if conn == nil || conn.Closed() {
		var err error
		if conn, err = p.client.Connect(context.Background()); err != nil {
			return rgi.Response{Status: 502, Reason: "Bad Gateway"}
		}
		s.Store["__conn"] = conn
	}
	resp, err := conn.Request(r.Method, r.RelativeURI(), r.Headers, r.Body)
	if err != nil {
		return rgi.Response{Status: 502, Reason: "Bad Gateway"}
	}
	return resp
}

// upstreamApp answers what it received, echoing a request body in the
// same framing (chunks with their extensions).
var upstreamApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	h := map[string]string{"x-msg": "hello, world", "x-uri": r.URI, "x-script": fmt.Sprint(r.Script), "x-requests": strconv.Itoa(s.Requests)}
	switch body := r.Body.(type) {
	case *rgi.ChunkedBody:
		var chunks []rgi.Chunk
		for c, err := range body.Chunks() {
			if err != nil {
				return rgi.Response{Status: 400, Reason: "Bad Chunks"}
			}
			chunks = append(chunks, c)
		}
		return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: b.ChunkedBodyIter(slices.Values(chunks))}
	case *rgi.Body:
		data, err := io.ReadAll(body)
		if err != nil {
			return rgi.Response{Status: 400, Reason: "Bad Body"}
		}
		return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: data}
	}
	if r.Method == rgi.MethodHead {
		h["content-length"] = "12"
	}
	return rgi.Response{Status: 200, Reason: "OK", Headers: h}
})

func TestTutorialSSLReverseProxy(t *testing.T) {
	server := rgitest.TempServer(t, "127.0.0.1:0", upstreamApp, nil)
	upstream, err := rgi.NewClient(server.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pki := rgitest.TempPKI(t)
	proxyServer := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), rgitest.FreeAddress(t, rgi.FamilyTCP6), &proxyApp{client: upstream}, nil)
	sslctx, err := rgi.BuildClientTLSConfig(pki.ClientSSLConfig())
	if err != nil {
		t.Fatal(err)
	}
	proxyClient, err := rgi.NewSSLClient(sslctx, proxyServer.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}
	proxyConn := rgitest.Connect(t, proxyClient)

	resp, err := proxyConn.Request("GET", "/proxy/a/b?q=1&r", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x-msg": "hello, world", "x-uri": "/a/b?q=1&r", "x-script": "[]", "x-requests": "0"}
	if dropDate(t, resp.Headers); resp.Status != 200 || resp.Reason != "OK" || !reflect.DeepEqual(resp.Headers, want) || resp.Body != nil {
		t.Fatalf("GET through the proxy: %+v", resp)
	}

	// The upstream connection is kept in the session and reused.
	resp, err = proxyConn.Put("/proxy/up", map[string]string{"x-a": "b"}, []byte("body bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, resp); got != "body bytes" || resp.Headers["x-requests"] != "1" || resp.Headers["x-uri"] != "/up" {
		t.Fatalf("PUT through the proxy: %q %v", got, resp.Headers)
	}

	// Chunks keep their extensions through the proxy, both ways.
	resp, err = proxyConn.Post("/proxy/", nil, rgi.NewChunkedBodyIter(chunkSeq(sampleChunks)))
	if err != nil {
		t.Fatal(err)
	}
	if got := readChunks(t, resp.Body); !equalChunks(got, sampleChunks) || resp.Headers["x-uri"] != "/" {
		t.Fatalf("chunks through the proxy: %d chunks, %v", len(got), resp.Headers)
	}

	resp, err = proxyConn.Head("/proxy/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != nil || resp.Headers["content-length"] != "12" || resp.Headers["x-requests"] != "3" {
		t.Fatalf("HEAD through the proxy: %+v", resp)
	}

	// Outside the mount point, the proxy answers itself.
	resp, err = proxyConn.Get("/elsewhere", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 404 {
		t.Fatalf("outside the mount: %+v", resp)
	}

	// When the client leaves, the server closes the session's store, and
	// with it the upstream connection.
	if server.Active() != 1 {
		t.Fatalf("upstream connections: %d", server.Active())
	}
	proxyConn.Close()
	waitFor(t, "the upstream connection to close", func() bool { return server.Active() == 0 })
}
