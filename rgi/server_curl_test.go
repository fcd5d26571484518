package rgi_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// serverCurlApp echoes what it saw: the method, the path, the request body's
// length and the identity OnConnect stored.
type serverCurlApp struct{}

func (serverCurlApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	n := 0
	if r.Body != nil {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return rgi.Response{Status: 400, Reason: "Bad Body"}
		}
		n = len(data)
	}
	who, _ := s.Store["_who"].(string)
	msg := r.Method + " " + strings.Join(r.Path, "/") + " " + strconv.Itoa(n) + " " + who + " " + r.Headers["user-agent"][:5] + "\n"
	return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-type": "text/plain"}, Body: msg}
}

func (serverCurlApp) OnConnect(c net.Conn, s *rgi.Session) bool {
	s.Store["_who"] = "anon"
	if tc, ok := c.(*tls.Conn); ok {
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			s.Store["_who"] = certs[0].Subject.CommonName
		}
	}
	return true
}

func runCurl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	testenv.RequireTool(t, "curl", "curl")
	var out, errb bytes.Buffer
	cmd := exec.Command("curl", append([]string{"--http1.1", "-sS", "--max-time", "10"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String() + errb.String(), err
	}
	return out.String(), nil
}

// TestCurl runs curl --http1.1 against the server: plain, keep-alive over
// two URLs, an upload big enough for curl to send "Expect: 100-continue",
// and over mutual TLS with and without a client certificate.
func TestServerCurl(t *testing.T) {
	s := rgitest.TempServer(t, "127.0.0.1:0", serverCurlApp{}, nil)
	base := "http://" + s.Address()
	out, err := runCurl(t, base+"/a/b", base+"/c")
	if err != nil || out != "GET a/b 0 anon curl/\nGET c 0 anon curl/\n" {
		t.Fatalf("GET: %q %v", out, err)
	}
	out, err = runCurl(t, "-I", base+"/")
	if err != nil || !strings.HasPrefix(stripDates(t, out, 1), "HTTP/1.1 200 OK\r\ncontent-length: 19\r\ncontent-type: text/plain\r\n\r\n") {
		t.Fatalf("HEAD: %q %v", out, err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runCurl(t, "-X", "PUT", "--data-binary", "@"+big, "-H", "Expect: 100-continue", base+"/up")
	if err != nil || out != "PUT up 2097152 anon curl/\n" {
		t.Fatalf("PUT: %.100q %v", out, err)
	}
	out, err = runCurl(t, "-H", "Transfer-Encoding: chunked", "--data-binary", "hello", base+"/chunked")
	if err != nil || out != "POST chunked 5 anon curl/\n" {
		t.Fatalf("chunked POST: %q %v", out, err)
	}
	// Every method reaches the app, which answers it.
	out, err = runCurl(t, "-X", "PATCH", base+"/")
	if err != nil || out != "PATCH  0 anon curl/\n" {
		t.Fatalf("PATCH: %q %v", out, err)
	}

	pki := rgitest.TempPKI(t)
	ts := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), "127.0.0.1:0", serverCurlApp{}, nil)
	url := "https://localhost:" + ts.Address()[strings.LastIndexByte(ts.Address(), ':')+1:] + "/tls"
	resolve := "localhost:" + url[len("https://localhost:"):strings.LastIndexByte(url, '/')] + ":127.0.0.1"
	out, err = runCurl(t, "--resolve", resolve, "--cacert", pki.ServerCA.CertFile, "--cert", pki.Client.CertFile, "--key", pki.Client.KeyFile, url)
	if err != nil || out != "GET tls 0 "+pki.Client.Cert.Subject.CommonName+" curl/\n" {
		t.Fatalf("mutual TLS: %q %v", out, err)
	}
	if out, err = runCurl(t, "--resolve", resolve, "--cacert", pki.ServerCA.CertFile, url); err == nil {
		t.Fatalf("a client without a certificate was served: %q", out)
	}
}
