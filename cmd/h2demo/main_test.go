package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startDemo runs the demo on free loopback ports and returns the TLS and h2c
// base URLs; useRGI is the -rgi flag.
func startDemo(t *testing.T, root, certFile, keyFile string, useRGI bool) (tlsURL, h2cURL string, logs *syncBuffer) {
	t.Helper()
	_, tlsURL, h2cURL, logs = startDemoApp(t, root, certFile, keyFile, useRGI)
	return
}

// startDemoApp is startDemo that also returns the demo.
func startDemoApp(t *testing.T, root, certFile, keyFile string, useRGI bool) (app *demo, tlsURL, h2cURL string, logs *syncBuffer) {
	t.Helper()
	logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	app, err := newDemo(root, false, log, false)
	if err != nil {
		t.Fatal(err)
	}
	srvs, err := start(app, "127.0.0.1:0", "127.0.0.1:0", certFile, keyFile, useRGI, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		app.stop() // as main does
		for _, s := range srvs {
			s.srv.Shutdown(ctx)
			<-s.done
		}
		app.Close()
	})
	for _, s := range srvs {
		for i := 0; s.srv.Addr() == nil && i < 1000; i++ {
			time.Sleep(time.Millisecond)
		}
	}
	return app, "https://" + srvs[0].srv.Addr().String(), "http://" + srvs[1].srv.Addr().String(), logs
}

// h2Only is a net/http client transport that speaks only HTTP/2 and fails a
// round trip answered in any other protocol, so that what the h2 clients
// check is known to come from the server's h2 side.
type h2Only struct{ *http.Transport }

func (c h2Only) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.Transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ProtoMajor != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("answered in %s, want HTTP/2", resp.Proto)
	}
	return resp, nil
}

// clients returns net/http clients that speak only HTTP/2: over TLS (ALPN
// h2, the certificate not verified) and h2c with prior knowledge.
func clients(t *testing.T) (tlsClient, h2cClient *http.Client) {
	var ptls, pclear http.Protocols
	ptls.SetHTTP2(true)
	pclear.SetUnencryptedHTTP2(true)
	tlsClient = &http.Client{Transport: h2Only{&http.Transport{Protocols: &ptls, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}}
	h2cClient = &http.Client{Transport: h2Only{&http.Transport{Protocols: &pclear}}}
	t.Cleanup(func() {
		tlsClient.CloseIdleConnections()
		h2cClient.CloseIdleConnections()
	})
	return
}

func do(t *testing.T, cl *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestDemoEmbedded serves the embedded site over TLS and h2c to net/http's HTTP/2 client,
// with the native handler and with the RGI app through rgih2 (-rgi).
func TestDemoEmbedded(t *testing.T) {
	for _, useRGI := range []bool{false, true} {
		t.Run(fmt.Sprint("rgi=", useRGI), func(t *testing.T) { testDemoEmbedded(t, useRGI) })
	}
}

func testDemoEmbedded(t *testing.T, useRGI bool) {
	tlsURL, h2cURL, logs := startDemo(t, "", "", "", useRGI)
	tc, hc := clients(t)
	for _, c := range []struct {
		cl   *http.Client
		base string
	}{{tc, tlsURL}, {hc, h2cURL}} {
		resp, body := do(t, c.cl, "GET", c.base+"/hello.txt")
		if resp.StatusCode != 200 || body != "hello, world" || resp.ProtoMajor != 2 ||
			resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.ContentLength != 12 {
			t.Errorf("%s hello: %d %q %s %v", c.base, resp.StatusCode, body, resp.Proto, resp.Header)
		}
		resp, body = do(t, c.cl, "GET", c.base+"/")
		if resp.StatusCode != 200 || !strings.Contains(body, "h2kit demo") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("index: %d %q", resp.StatusCode, body)
		}
		resp, body = do(t, c.cl, "GET", c.base+"/1m")
		if resp.StatusCode != 200 || len(body) != 1<<20 || resp.ContentLength != 1<<20 {
			t.Errorf("1m: %d, %d bytes", resp.StatusCode, len(body))
		}
		resp, body = do(t, c.cl, "HEAD", c.base+"/hello.txt")
		if resp.StatusCode != 200 || body != "" || resp.ContentLength != 12 {
			t.Errorf("HEAD: %d %q length %d", resp.StatusCode, body, resp.ContentLength)
		}
		resp, _ = do(t, c.cl, "DELETE", c.base+"/hello.txt")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("DELETE: %d allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
		resp, _ = do(t, c.cl, "GET", c.base+"/missing")
		if resp.StatusCode != 404 {
			t.Errorf("missing: %d", resp.StatusCode)
		}
	}
	if n := strings.Count(logs.String(), "msg=request"); n != 12 {
		t.Errorf("%d request log lines, want 12:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "method=DELETE path=/hello.txt status=405") {
		t.Errorf("log lacks the DELETE line:\n%s", logs)
	}
	if got := strings.Contains(logs.String(), "proto=HTTP/2 method=GET path=/hello.txt status=200"); got != useRGI {
		t.Errorf("rgi=%v: HTTP/2 requests logged by the RGI app: %v\n%s", useRGI, got, logs)
	}
}

// TestDemoRootAndCert serves a directory with a certificate from files, and
// never a file outside the root, with the native handler and with -rgi.
func TestDemoRootAndCert(t *testing.T) {
	for _, useRGI := range []bool{false, true} {
		t.Run(fmt.Sprint("rgi=", useRGI), func(t *testing.T) { testDemoRootAndCert(t, useRGI) })
	}
}

func testDemoRootAndCert(t *testing.T, useRGI bool) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	os.Mkdir(root, 0o755)
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("secret"), 0o644)
	os.WriteFile(filepath.Join(root, "app.js"), []byte("let a = 1;"), 0o644)
	os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(root, "leak.txt"))
	cert, err := pki.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644)
	kb, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	tlsURL, h2cURL, _ := startDemo(t, root, certFile, keyFile, useRGI)
	tc, hc := clients(t)
	resp, body := do(t, tc, "GET", tlsURL+"/app.js")
	if resp.StatusCode != 200 || body != "let a = 1;" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("app.js: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	if got := resp.TLS.PeerCertificates[0].Raw; !bytes.Equal(got, cert.Certificate[0]) {
		t.Error("server did not use the -cert certificate")
	}
	for _, p := range []string{"/leak.txt", "/../secret.txt", "/%2e%2e/secret.txt"} {
		req, _ := http.NewRequest("GET", h2cURL+"/", nil)
		req.URL.Opaque = p // send the target as is, without client-side cleaning
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "secret") {
			t.Errorf("%s: %d %q", p, resp.StatusCode, b)
		}
	}
}

// TestDemoHTTP1 fetches the site over HTTP/1.1 (cleartext and TLS with ALPN
// http/1.1): the same bytes come from the rgi fallback.
func TestDemoHTTP1(t *testing.T) {
	tlsURL, h2cURL, logs := startDemo(t, "", "", "", false)
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer cl.CloseIdleConnections()
	for _, base := range []string{h2cURL, tlsURL} {
		resp, body := do(t, cl, "GET", base+"/hello.txt")
		if resp.StatusCode != 200 || body != "hello, world" || resp.ProtoMajor != 1 || resp.ContentLength != 12 {
			t.Errorf("%s: %d %q %s", base, resp.StatusCode, body, resp.Proto)
		}
		resp, _ = do(t, cl, "PUT", base+"/hello.txt")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s PUT: %d %v", base, resp.StatusCode, resp.Header)
		}
	}
	if !strings.Contains(logs.String(), "proto=HTTP/1.1 method=GET path=/hello.txt status=200") {
		t.Errorf("no HTTP/1.1 request log:\n%s", logs)
	}
}
