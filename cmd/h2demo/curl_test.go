package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
)

// TestDemoCurlProtocols checks, with a client nobody here wrote, that every way
// curl can reach the demo ends on the protocol it asked for: h2 over TLS (ALPN),
// h2c with prior knowledge, the h2c Upgrade of RFC 7540 §3.2 (curl --http2 on
// http://), and HTTP/1.1 through the RGI fallback over TLS and cleartext.
func TestDemoCurlProtocols(t *testing.T) {
	curl := testenv.RequireTool(t, "curl", "curl")
	tlsURL, h2cURL, _ := startDemo(t, "", "", "", false)
	cases := []struct {
		name    string
		args    []string
		url     string
		version string
	}{
		{"h2 over TLS", []string{"--http2", "-k"}, tlsURL, "2"},
		{"h2c prior knowledge", []string{"--http2-prior-knowledge"}, h2cURL, "2"},
		{"h2c upgrade", []string{"--http2"}, h2cURL, "2"},
		{"HTTP/1.1 over TLS", []string{"--http1.1", "-k"}, tlsURL, "1.1"},
		{"HTTP/1.1 cleartext", []string{"--http1.1"}, h2cURL, "1.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-sS", "--max-time", "10", "-w", "\n%{http_version} %{http_code}"}, c.args...)
			out, err := exec.Command(curl, append(args, c.url+"/hello.txt")...).CombinedOutput()
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			want := "hello, world\n" + c.version + " 200"
			if got := strings.TrimSpace(string(out)); got != want {
				t.Fatalf("curl %v got %q, want %q", c.args, got, want)
			}
		})
	}
}

// curlRun runs curl with args and returns its standard output, failing t on
// an error; stderr is returned apart (curl -v writes the exchange there).
func curlRun(t *testing.T, curl string, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(curl, append([]string{"-sS", "--max-time", "30"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

// TestDemoCurlPages runs the pages' own curl commands: the event stream
// (-N) over h2 and HTTP/1.1, a 5 MiB upload echoed (--data-binary @file)
// over h2, h2c and HTTP/1.1, the content-digest trailer printed after the
// headers (-D -), and the 103 before the page (-v).
func TestDemoCurlPages(t *testing.T) {
	curl := testenv.RequireTool(t, "curl", "curl")
	tlsURL, h2cURL, _ := startDemo(t, "", "", "", false)
	for _, proto := range [][]string{{"-k", "--http2"}, {"-k", "--http1.1"}} {
		out, _ := curlRun(t, curl, append(proto, "-N", tlsURL+"/clock/events?n=3&ms=10")...)
		if n := strings.Count(out, "\ndata: "); n != 3 || !strings.HasPrefix(out, "retry: 2000\nid: 1\n") {
			t.Errorf("curl %v clock: %d events:\n%s", proto, n, out)
		}
	}

	dir := t.TempDir()
	big := make([]byte, 5<<20)
	rand.Read(big)
	in := filepath.Join(dir, "bigfile")
	if err := os.WriteFile(in, big, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		url  string
	}{{[]string{"-k", "--http2"}, tlsURL}, {[]string{"--http2-prior-knowledge"}, h2cURL}, {[]string{"--http1.1"}, h2cURL}} {
		outFile := filepath.Join(dir, "copy")
		out, _ := curlRun(t, curl, append(c.args, "--data-binary", "@"+in, "-o", outFile, "-w", "%{http_version} %{http_code}", c.url+"/echo")...)
		got, err := os.ReadFile(outFile)
		if err != nil || !bytes.Equal(got, big) {
			t.Errorf("curl %v echo: %s, %d bytes back of %d (%v)", c.args, out, len(got), len(big), err)
		}
	}

	page, _ := curlRun(t, curl, "-k", tlsURL+"/trailers")
	sum := sha256.Sum256([]byte(page))
	heads, _ := curlRun(t, curl, "-k", "-D", "-", "-o", os.DevNull, tlsURL+"/trailers")
	head, trailer, _ := strings.Cut(heads, "\r\n\r\n")
	if !strings.Contains(head, "trailer: content-digest") || strings.TrimSpace(trailer) != "content-digest: "+contentDigest(sum[:]) {
		t.Errorf("curl -D - /trailers:\n%s", heads)
	}

	_, exchange := curlRun(t, curl, "-k", "-v", "-o", os.DevNull, tlsURL+"/early-hints")
	i103 := strings.Index(exchange, "< HTTP/2 103")
	i200 := strings.Index(exchange, "< HTTP/2 200")
	if i103 < 0 || i200 < i103 || !strings.Contains(exchange[i103:i200], "< link: </early-hints/hint.css>; rel=preload; as=style") {
		t.Errorf("curl -v /early-hints: no 103 with the link before the 200:\n%s", exchange)
	}
}

// TestDemoNghttpPages checks the wire with nghttp -v: the 103 is a HEADERS
// frame before the final one, and the trailer a HEADERS frame with
// END_STREAM after the DATA frames.
func TestDemoNghttpPages(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	tlsURL, _, _ := startDemo(t, "", "", "", false)
	out, err := exec.Command(nghttp, "-nv", tlsURL+"/trailers").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	s := string(out)
	data := strings.Count(s, "recv DATA frame")
	iDigest := strings.Index(s, "content-digest: sha-256=:")
	if data < 2 || iDigest < strings.LastIndex(s, "recv DATA frame") || !strings.Contains(s[iDigest:], "flags=0x05") {
		t.Errorf("nghttp /trailers: %d DATA frames, trailer at %d:\n%s", data, iDigest, s)
	}
	out, err = exec.Command(nghttp, "-nv", tlsURL+"/early-hints").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	s = string(out)
	if i103, i200 := strings.Index(s, ":status: 103"), strings.Index(s, ":status: 200"); i103 < 0 || i200 < i103 {
		t.Errorf("nghttp /early-hints: no 103 before the 200:\n%s", s)
	}
}
