package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedWebRoot is the project's shared test web root (testdata/www).
const sharedWebRoot = "../../testdata/www"

// TestDemoProtocolParity is a differential test: every request of the table
// goes to the same site over h2 (TLS), h2c and HTTP/1.1 (the RGI fallback),
// with the native handler and with the RGI app on HTTP/2 (-rgi), for a
// directory (-root, served by the static package) and for the embedded site,
// and must get the same status, the same header names (date included, RFC
// 9110 §6.6.1; "connection" aside, which only HTTP/1.1 has) and the same
// content everywhere.
func TestDemoProtocolParity(t *testing.T) {
	// The shared test web root, copied so that a file too large to keep in
	// the repository can join it.
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(sharedWebRoot)); err != nil {
		t.Fatal(err)
	}
	// Larger than static's SmallFile: streamed.
	if err := os.WriteFile(filepath.Join(root, "big.bin"), []byte(strings.Repeat("0123456789abcdef", 10<<10)), 0o644); err != nil {
		t.Fatal(err)
	}
	requests := []struct{ method, target string }{
		{"GET", "/"}, {"HEAD", "/"}, {"OPTIONS", "/"}, {"OPTIONS", "/hello.txt"}, {"PUT", "/hello.txt"},
		{"DELETE", "/x"}, {"PATCH", "/x"}, {"FOO", "/"},
		{"GET", "/hello.txt"}, {"HEAD", "/hello.txt"}, {"GET", "/hello.txt?q=1"},
		{"GET", "//x"}, {"GET", "/../x"}, {"GET", "/a/../x"}, {"GET", "/a/./b"}, {"GET", "/a//b"},
		{"GET", "/a%20b.txt"}, {"GET", "/hello%2Etxt"}, {"GET", "/%2e%2e/x"}, {"GET", "/a%2Fb"},
		{"GET", "/a%00b"},
		{"GET", "/missing"}, {"HEAD", "/missing"}, {"GET", "/a/missing"},
		{"GET", "/dir"}, {"GET", "/dir/"}, {"GET", "/dir/index.html"}, {"GET", "/empty/"}, {"GET", "/empty"},
		{"GET", "/a"}, {"GET", "/x/"}, {"GET", "/style.css"}, {"GET", "/logo.svg"}, {"GET", "/big.bin"}, {"HEAD", "/big.bin"}, {"GET", "/1m"},
		// The embedded site's pages refuse alike on every protocol.
		{"POST", "/clock"}, {"GET", "/clock/nope"}, {"DELETE", "/echo"}, {"GET", "/echo/x"}, {"PUT", "/hpack"},
		{"GET", "/hpack/x"}, {"POST", "/early-hints"}, {"GET", "/trailers/x"}, {"GET", "/clockwork"},
		{"HEAD", "/clock/events"},
	}
	for _, c := range []struct {
		name, root string
		useRGI     bool
	}{{"root", root, false}, {"root,rgi", root, true}, {"embedded", "", false}, {"embedded,rgi", "", true}} {
		t.Run(c.name, func(t *testing.T) {
			tlsURL, h2cURL, _ := startDemo(t, c.root, "", "", c.useRGI)
			tlsClient, h2cClient := clients(t)
			h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
			defer h1.CloseIdleConnections()
			h2, h2c := viaH2, viaH2C
			if c.useRGI {
				h2, h2c = viaRGIH2, viaRGIH2C
			}
			sides := []struct {
				name string
				cl   *http.Client
				base string
				v    via
			}{{"h2", tlsClient, tlsURL, h2}, {"h2c", h2cClient, h2cURL, h2c}, {"HTTP/1.1", h1, h2cURL, viaH1}, {"HTTP/1.1+TLS", h1, tlsURL, viaH1TLS}}
			for _, rq := range requests {
				var want string
				for i, side := range sides {
					// The embedded index names the protocol it came
					// over: it must be exactly that side's, and
					// compares equal as "<index>".
					var index []byte
					if c.root == "" {
						index = renderIndex(side.v)
					}
					got := parityAnswer(t, side.cl, rq.method, side.base, rq.target, index)
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
		})
	}
}

// parityAnswer sends method target (as it is, not cleaned or re-escaped) and
// returns the status, the sorted lowercase header names, without
// "connection", and the content's length and CRC-32, or "<index>" for a
// content equal to index.
func parityAnswer(t *testing.T, cl *http.Client, method, base, target string, index []byte) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// Path and RawPath so that the target is sent verbatim, not cleaned or
	// re-escaped (Opaque cannot start with "//").
	p, q, _ := strings.Cut(target, "?")
	if u.Path, err = url.PathUnescape(p); err != nil {
		t.Fatal(err)
	}
	u.RawPath, u.RawQuery = p, q
	if got := u.RequestURI(); got != target {
		t.Fatalf("target %q would be sent as %q", target, got)
	}
	req := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: u.Host}
	resp, err := cl.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "error reading body: " + err.Error()
	}
	var names []string
	for k := range resp.Header {
		if k = strings.ToLower(k); k != "connection" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	if index != nil && bytes.Equal(body, index) {
		return fmt.Sprintf("%d %s <index>", resp.StatusCode, strings.Join(names, " "))
	}
	return fmt.Sprintf("%d %s (%d bytes, crc %08x)", resp.StatusCode, strings.Join(names, " "), len(body), crc32.ChecksumIEEE(body))
}
