package main

import (
	"os/exec"
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
