package rgi_test

// The client against a server nobody here wrote: Go's net/http.

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

func netHTTPHandler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			// Degu's subset (and so the client) refuses empty header
			// values, which RFC 9110 allows: always send one.
			w.Header().Set("X-Te", strings.Join(append(r.TransferEncoding, "end"), ","))
			w.Header().Set("X-Host", r.Host)
			w.Write(body)
		case "/stream":
			// No content-length: net/http answers chunked.
			for i := range 3 {
				io.WriteString(w, strings.Repeat(string(rune('a'+i)), 5000))
				w.(http.Flusher).Flush()
			}
		default:
			http.NotFound(w, r)
		}
	})
}

func TestE2EClientAgainstNetHTTP(t *testing.T) {
	ts := httptest.NewServer(netHTTPHandler(t))
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	conn := connectTo(t, addr, &rgi.ClientOptions{Host: addr})

	resp, err := conn.Post("/echo", map[string]string{"content-type": "text/plain"}, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, resp); resp.Status != 200 || got != "hello" || resp.Headers["x-host"] != addr || resp.Headers["x-te"] != "end" {
		t.Fatalf("%+v %q", resp, got)
	}
	// net/http takes our chunked coding (and ignores the extensions).
	resp, err = conn.Put("/echo", nil, rgi.NewChunkedBodyIter(chunkSeq(sampleChunks)))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, c := range sampleChunks {
		want.Write(c.Data)
	}
	if got := mustRead(t, resp); got != want.String() || resp.Headers["x-te"] != "chunked,end" {
		t.Fatalf("chunked PUT: %d bytes, te %q", len(got), resp.Headers["x-te"])
	}
	// A chunked answer from net/http.
	resp, err = conn.Get("/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Body.(*rgi.ChunkedBody); !ok {
		t.Fatalf("stream body %T", resp.Body)
	}
	if got := mustRead(t, resp); got != strings.Repeat("a", 5000)+strings.Repeat("b", 5000)+strings.Repeat("c", 5000) {
		t.Fatalf("stream: %d bytes", len(got))
	}
	resp, err = conn.Head("/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.Body != nil {
		t.Fatalf("HEAD: %+v", resp)
	}
	resp, err = conn.Get("/missing", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 404 || resp.Reason != "Not Found" || !strings.Contains(mustRead(t, resp), "404 page not found") {
		t.Fatalf("404: %+v", resp)
	}

	// Without a host header (the client's default), net/http refuses with
	// "400 Bad Request: missing required Host header", a reason phrase the
	// client does not accept (Degu's client fails the same way).
	bare := connectTo(t, addr, nil)
	if _, err = bare.Get("/echo", nil); !errors.Is(err, rgi.ErrBadClientReason) {
		t.Fatalf("no host: %v", err)
	}
}

// TestE2ENetHTTPClientAgainstServer: Go's HTTP client talks to an rgi
// server with the rgitest PKI (mutual TLS, HTTP/1.1).
func TestE2ENetHTTPClientAgainstServer(t *testing.T) {
	pki := rgitest.TempPKI(t)
	srv := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), "127.0.0.1:0", infoApp, nil)
	cfg := pki.ClientTLSConfig(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: false, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}}
	defer hc.CloseIdleConnections()
	for i := range 2 {
		resp, err := hc.Post("https://"+srv.Address()+"/a?b", "text/plain", strings.NewReader("xyz"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), `body="xyz"`) || !strings.HasPrefix(string(body), "POST /a?b ") {
			t.Fatalf("request %d: %d %q %v", i, resp.StatusCode, body, err)
		}
		if resp.ProtoMajor != 1 || resp.ProtoMinor != 1 {
			t.Fatalf("protocol %s", resp.Proto)
		}
	}
	// Without a client certificate, Go's client is refused too.
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: mustClientTLS(t, pki.AnonymousClientSSLConfig())}}
	defer anon.CloseIdleConnections()
	if resp, err := anon.Get("https://" + srv.Address() + "/"); err == nil {
		resp.Body.Close()
		t.Fatalf("anonymous net/http client got %d", resp.StatusCode)
	}
}
